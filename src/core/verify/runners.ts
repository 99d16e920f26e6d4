/**
 * The two ways a migration is run during verification:
 * - `sql`: the rendered PostgreSQL statements through `pg`, transactional ones in one
 *   transaction per side (as Alembic runs a revision), the others on their own (as
 *   `autocommit_block()` does);
 * - `alembic`: the real revision files, by `python3 -m alembic` against the ephemeral database.
 */
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import posix from 'node:path/posix';
import pg from 'pg';
import { connect } from './database.js';
import type { Backend } from '../backend/index.js';
import type { SqlStatement } from '../render/types.js';
import type { SourceTree } from '../source.js';

export interface StatementRun {
  /** The SQL, or the Alembic command line. */
  sql: string;
  /** Wall-clock milliseconds. */
  ms: number;
  /** The lock the statement takes, when known. */
  lock: string | null;
  /** The error it failed with, or null. */
  error: string | null;
}

export interface RunResult {
  statements: StatementRun[];
  /** The first error, or null when every statement succeeded. */
  error: string | null;
}

export interface MigrationRunner {
  readonly name: RunnerName;
  upgrade(url: string): Promise<RunResult>;
  downgrade(url: string): Promise<RunResult>;
}

export type RunnerName = 'sql' | 'alembic';

/** Python or Alembic is missing: the CLI says so plainly and exits 2. */
export class RunnerUnavailableError extends Error {
  override name = 'RunnerUnavailableError';
}

// ---------------------------------------------------------------------------------------
// sql

export function sqlRunner(script: { upgrade: SqlStatement[]; downgrade: SqlStatement[] }): MigrationRunner {
  return {
    name: 'sql',
    upgrade: (url) => applyStatements(url, script.upgrade),
    downgrade: (url) => applyStatements(url, script.downgrade),
  };
}

/**
 * Runs the statements in order: transactional ones inside one transaction, committed
 * before (and reopened after) each statement that must run outside one. On the first
 * error the open transaction is rolled back and the rest is not run.
 *
 * Each transaction's statements go to the server as one query (one round trip, not one
 * each), timed by the server's clock. When that query fails, the transaction is rolled back
 * and replayed one statement at a time, which names the statement that failed.
 */
export function applyStatements(url: string, statements: Pick<SqlStatement, 'sql' | 'transactional' | 'lock'>[]): Promise<RunResult> {
  return apply(url, statements, async () => Infinity);
}

/**
 * `applyStatements` for SQL that is ours to split (a base schema, a scratch copy of what a
 * chain builds): a transaction is committed every `batchSize` statements, so that thousands
 * of CREATE TABLEs do not hold their locks all at once.
 */
export function applyInBatches(url: string, statements: Pick<SqlStatement, 'sql' | 'transactional' | 'lock'>[]): Promise<RunResult> {
  return apply(url, statements, batchSize);
}

async function apply(
  url: string,
  statements: Pick<SqlStatement, 'sql' | 'transactional' | 'lock'>[],
  perTransaction: (client: pg.ClientBase) => Promise<number>,
): Promise<RunResult> {
  const client = await connect(url);
  const runs: StatementRun[] = [];
  try {
    for (const group of transactionGroups(statements, await perTransaction(client))) {
      if (!group.transactional) {
        const run = await runTimed(client, group.statements[0]!.sql, undefined, group.statements[0]!.lock);
        runs.push(run);
        if (run.error) return { statements: runs, error: run.error };
        continue;
      }
      await client.query('BEGIN');
      const times = await timeBatch(client, group.statements.map((s) => s.sql)).catch(() => null);
      if (times) {
        runs.push(...group.statements.map((s, i) => ({ sql: s.sql, ms: times[i]!, lock: s.lock, error: null })));
      } else {
        await client.query('ROLLBACK');
        await client.query('BEGIN');
        for (const statement of group.statements) {
          const run = await runTimed(client, statement.sql, undefined, statement.lock);
          runs.push(run);
          if (run.error) {
            await client.query('ROLLBACK').catch(() => undefined);
            return { statements: runs, error: run.error };
          }
        }
      }
      await client.query('COMMIT');
    }
    return { statements: runs, error: null };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Consecutive transactional statements together, at most `perTransaction` of them; every other statement on its own. */
export function transactionGroups<S extends { transactional: boolean }>(statements: S[], perTransaction = Infinity): { transactional: boolean; statements: S[] }[] {
  const groups: { transactional: boolean; statements: S[] }[] = [];
  for (const statement of statements) {
    const last = groups.at(-1);
    if (statement.transactional && last?.transactional && last.statements.length < perTransaction) last.statements.push(statement);
    else groups.push({ transactional: statement.transactional, statements: [statement] });
  }
  return groups;
}

/** Locks one statement of a base or seed takes, generously: a table, its sequence, indexes, TOAST table, the tables it references. */
const LOCKS_PER_STATEMENT = 10;

/**
 * How many statements one transaction of ours may run (or tables one query may read) where
 * the step is ours to split. Every table, index and sequence a transaction touches stays
 * locked until it ends, and the server's lock table holds about max_locks_per_transaction ×
 * (max_connections + max_prepared_transactions) locks, for all its sessions together: a
 * transaction of ours takes at most a quarter of it (160 statements on a default server).
 */
export async function batchSize(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ locks: number }>(
    `SELECT current_setting('max_locks_per_transaction')::int
            * (current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int) AS locks`,
  );
  return Math.max(1, Math.floor(rows[0]!.locks / 4 / LOCKS_PER_STATEMENT));
}

/** One statement, timed by the client; its error as text instead of thrown. */
export async function runTimed(client: pg.ClientBase, sql: string, params: (string | null)[] | undefined, lock: string | null): Promise<StatementRun> {
  const started = performance.now();
  try {
    await client.query(sql, params);
    return { sql, ms: elapsed(started), lock, error: null };
  } catch (e) {
    return { sql, ms: elapsed(started), lock, error: pgErrorText(e) };
  }
}

const MARK = 'flow_migrate_mark';
/** Milliseconds since the server received the query; constant parts of one query share that start. */
const MARK_SQL = `SELECT (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::float8 AS ${MARK}`;

/**
 * Runs the statements as one multi-statement query, with a reading of the server's clock
 * between every two, and returns the milliseconds each took. Throws the first error, which
 * does not say which statement failed.
 */
export async function timeBatch(client: pg.ClientBase, sqls: string[]): Promise<number[]> {
  if (!sqls.length) return [];
  // The newline ends a statement's trailing `--` comment before the `;`.
  const text = [MARK_SQL, ...sqls.flatMap((sql) => [`${sql}\n`, MARK_SQL])].join(';\n');
  const reply = (await client.query({ text, rowMode: 'array' })) as unknown as pg.QueryResult | pg.QueryResult[];
  const marks = (Array.isArray(reply) ? reply : [reply])
    .filter((r) => r.fields.length === 1 && r.fields[0]!.name === MARK)
    .map((r) => Number((r.rows[0] as unknown[])[0]));
  if (marks.length !== sqls.length + 1) throw new Error(`expected ${sqls.length + 1} clock readings, got ${marks.length}`);
  return sqls.map((_, i) => Math.round((marks[i + 1]! - marks[i]!) * 100) / 100);
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/** The server's message with its detail and hint, the way psql shows them. */
export function pgErrorText(e: unknown): string {
  const err = e as { message?: string; detail?: string; hint?: string; code?: string };
  const parts = [err.message ?? String(e)];
  if (err.detail) parts.push(`DETAIL: ${err.detail}`);
  if (err.hint) parts.push(`HINT: ${err.hint}`);
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------
// alembic

export interface AlembicRunnerOptions {
  backend: Backend;
  /** The tree `backend` was read from: the migrations folder is copied out of it. */
  tree: SourceTree;
  /** A revision not (yet) in the versions folder: written into the copy. */
  extraRevision?: { fileName: string; content: string } | null;
  /** What `upgrade` goes to (a revision id, or `head`). */
  upgradeTo: string;
  /** What `downgrade` goes back to: the revision the new one revises, or `base`. */
  downgradeTo: string;
  /** The python to run (`FLOW_MIGRATE_PYTHON`, default `python3`). */
  python?: string;
  /** The environment Alembic runs in; DATABASE_URL is set on top of it. */
  env?: NodeJS.ProcessEnv;
}

export interface AlembicRunner extends MigrationRunner {
  /** `alembic upgrade <rev>` to any revision (the chain up to the base, for `--from-chain`). */
  upgradeTo(url: string, revision: string): Promise<RunResult>;
  /** `alembic stamp <rev>`: records a base built from the models as that revision. */
  stamp(url: string, revision: string): Promise<RunResult>;
  /** Removes the temporary folder. */
  close(): Promise<void>;
}

const ALEMBIC_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Copies the backend's migrations folder (and the new revision) into a temporary folder,
 * writes an alembic.ini beside it whose `script_location` is that copy, and runs Alembic
 * from the backend's own folder so its `prepend_sys_path` and imports still resolve.
 */
export async function alembicRunner(options: AlembicRunnerOptions): Promise<AlembicRunner> {
  const python = options.python ?? 'python3';
  const env = options.env ?? process.env;
  await checkAlembic(python, env);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flow-migrate-alembic-'));
  try {
    const { backend, tree } = options;
    const copy = (p: string) => path.join(dir, 'script', posix.relative(backend.scriptLocation, p));
    const inScript = (p: string) => !posix.relative(backend.scriptLocation, p).startsWith('..');
    const versionDirs = backend.versionLocations.map((loc, i) => (inScript(loc) ? copy(loc) : path.join(dir, `versions-${i}`)));
    await copyFolder(tree, backend.scriptLocation, path.join(dir, 'script'));
    await fs.writeFile(path.join(dir, 'script', 'env.py'), ENV_PY);
    for (const [i, loc] of backend.versionLocations.entries()) {
      if (!inScript(loc)) await copyFolder(tree, loc, versionDirs[i]!);
      await fs.mkdir(versionDirs[i]!, { recursive: true });
    }
    if (options.extraRevision) {
      await fs.writeFile(path.join(versionDirs[0]!, options.extraRevision.fileName), options.extraRevision.content);
    }
    const iniText = (await tree.read(backend.iniPath)) ?? '[alembic]\n';
    const backendDir = (await isDirectory(backend.dir)) ? path.resolve(backend.dir) : dir;
    const iniPath = path.join(dir, 'alembic.ini');
    // One interpreter for every command: importing SQLAlchemy and Alembic is the slow part.
    let driver: Driver | null = null;

    const run = async (url: string, args: string[]): Promise<RunResult> => {
      await fs.writeFile(
        iniPath,
        temporaryIni(iniText, {
          here: backendDir,
          scriptLocation: path.join(dir, 'script'),
          versionLocations: backend.versionLocations.length && iniText.includes('version_locations') ? versionDirs : null,
          url,
        }),
      );
      const command = `alembic ${args.join(' ')}`;
      const log = path.join(dir, 'statements.jsonl');
      await fs.rm(log, { force: true });
      const started = performance.now();
      driver ??= startDriver(python, backendDir, env);
      const reply = await driver.run({ ini: iniPath, command: args[0]!, target: args[1]!, url, log });
      const ms = elapsed(started);
      const error = reply.ok ? null : `${command} failed: ${alembicErrorSentence(reply.error)}`;
      // The command with its whole time, then every statement Alembic ran, each with its own.
      return { statements: [{ sql: command, ms, lock: null, error }, ...(await readStatementLog(log))], error };
    };

    return {
      name: 'alembic',
      upgrade: (url) => run(url, ['upgrade', options.upgradeTo]),
      downgrade: (url) => run(url, ['downgrade', options.downgradeTo]),
      upgradeTo: (url, revision) => run(url, ['upgrade', revision]),
      stamp: (url, revision) => run(url, ['stamp', revision]),
      close: async () => {
        driver?.stop();
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
}

const STATEMENT_LOG = 'FLOW_MIGRATE_STATEMENT_LOG';

/**
 * The env.py the copied migrations run with, instead of the backend's: it connects to the
 * ephemeral database only, needs nothing of the application (the backend's env.py often
 * imports its models for autogenerate), and logs every statement with its time. A revision
 * runs in one transaction, as Alembic runs it, and `autocommit_block()` steps outside it; a
 * chain replayed for a base or `check` commits after each revision instead of holding every
 * table it creates locked in one transaction (thousands of tables fill the lock table).
 */
const ENV_PY = `"""env.py written by flow-migrate verify: runs the revisions on the ephemeral database."""
import json
import os
import time

from alembic import context
from sqlalchemy import create_engine, event, pool

engine = create_engine(context.config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
log_path = os.environ.get("${STATEMENT_LOG}")
BOOKKEEPING = ("alembic_version", "pg_catalog.", "select current_schema", "show ")


def record(entry):
    if log_path and not any(part in entry["sql"].lower() for part in BOOKKEEPING):
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\\n")


@event.listens_for(engine, "before_cursor_execute")
def before(conn, cursor, statement, parameters, context_, executemany):
    conn.info.setdefault("flow_started", []).append(time.perf_counter())


@event.listens_for(engine, "after_cursor_execute")
def after(conn, cursor, statement, parameters, context_, executemany):
    started = conn.info["flow_started"].pop()
    record({"sql": statement, "ms": round((time.perf_counter() - started) * 1000, 2), "error": None})


@event.listens_for(engine, "handle_error")
def failed(exception_context):
    stack = exception_context.connection.info.get("flow_started") if exception_context.connection else None
    started = stack.pop() if stack else time.perf_counter()
    record({
        "sql": exception_context.statement or "",
        "ms": round((time.perf_counter() - started) * 1000, 2),
        "error": str(exception_context.original_exception).strip(),
    })


with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
`;

const REPLY = 'FLOW-MIGRATE-REPLY ';

/**
 * Runs Alembic commands read from stdin as JSON, one per line, in one interpreter; each reply
 * is one line starting with REPLY, so anything else a revision prints is ignored.
 */
const DRIVER_PY = `
import json, os, sys, traceback
from alembic import command
from alembic.config import Config
for line in sys.stdin:
    request = json.loads(line)
    os.environ["DATABASE_URL"] = request["url"]
    os.environ["${STATEMENT_LOG}"] = request["log"]
    try:
        getattr(command, request["command"])(Config(request["ini"]), request["target"])
        reply = {"ok": True, "error": ""}
    except BaseException:
        reply = {"ok": False, "error": traceback.format_exc()}
    sys.stdout.write("${REPLY}" + json.dumps(reply) + "\\n")
    sys.stdout.flush()
`;

interface Driver {
  run(request: { ini: string; command: string; target: string; url: string; log: string }): Promise<{ ok: boolean; error: string }>;
  stop(): void;
}

function startDriver(python: string, cwd: string, env: NodeJS.ProcessEnv): Driver {
  const child = spawn(python, ['-c', DRIVER_PY], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let buffer = '';
  const waiting: ((reply: { ok: boolean; error: string }) => void)[] = [];
  const fail = (why: string) => {
    for (const resolve of waiting.splice(0)) resolve({ ok: false, error: `${why}\n${stderr}` });
  };
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith(REPLY)) waiting.shift()?.(JSON.parse(line.slice(REPLY.length)));
    }
  });
  child.on('error', (e) => fail(`could not run ${python}: ${e.message}`));
  child.on('exit', (code) => fail(`${python} exited (${code})`));
  return {
    run: (request) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(`${JSON.stringify(request)}\n`);
      }),
    stop: () => {
      child.stdin.end();
      child.kill();
    },
  };
}

async function readStatementLog(file: string): Promise<StatementRun[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const entry = JSON.parse(line) as { sql: string; ms: number; error: string | null };
      return { sql: entry.sql.trim(), ms: entry.ms, lock: null, error: entry.error };
    });
}

/** Fails with a plain sentence when the python cannot run or cannot import Alembic. */
export async function checkAlembic(python: string, env: NodeJS.ProcessEnv): Promise<void> {
  const result = await runProcess(python, ['-c', 'import alembic, sqlalchemy; print(alembic.__version__)'], { env });
  if (result.code === null || result.spawnError) {
    throw new RunnerUnavailableError(
      `the alembic runner needs Python, but "${python}" could not be run (set FLOW_MIGRATE_PYTHON to a python3 with alembic and sqlalchemy)`,
    );
  }
  if (result.code !== 0) {
    throw new RunnerUnavailableError(
      `the alembic runner needs Alembic and SQLAlchemy, but "${python}" cannot import them: install them (pip install alembic sqlalchemy psycopg2-binary) or set FLOW_MIGRATE_PYTHON`,
    );
  }
}

/**
 * The backend's alembic.ini with the migrations folder and database replaced; `%(here)s`
 * keeps meaning the backend's folder although the file now lives elsewhere.
 */
export function temporaryIni(
  text: string,
  values: { here: string; scriptLocation: string; versionLocations: string[] | null; url: string },
): string {
  const replace: Record<string, string> = {
    script_location: values.scriptLocation,
    'sqlalchemy.url': values.url.replaceAll('%', '%%'),
  };
  if (values.versionLocations) {
    replace.version_locations = values.versionLocations.join(' ');
    replace.version_path_separator = 'space';
  }
  const lines = text.replaceAll('%(here)s', values.here.replaceAll('%', '%%')).split(/\r?\n/);
  const out: string[] = [];
  let section = '';
  let skippingContinuation = false;
  const written = new Set<string>();
  const addMissing = () => {
    for (const [key, value] of Object.entries(replace)) if (!written.has(key)) out.push(`${key} = ${value}`);
  };
  for (const line of lines) {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      if (section === 'alembic') addMissing();
      section = header[1]!.trim();
      skippingContinuation = false;
      out.push(line);
      continue;
    }
    if (skippingContinuation && /^\s+\S/.test(line)) continue;
    skippingContinuation = false;
    const entry = section === 'alembic' ? /^([\w.]+)\s*[=:]/.exec(line) : null;
    if (entry && entry[1]! in replace) {
      out.push(`${entry[1]} = ${replace[entry[1]!]}`);
      written.add(entry[1]!);
      skippingContinuation = true;
      continue;
    }
    out.push(line);
  }
  if (section === 'alembic') addMissing();
  return `${out.join('\n')}\n`;
}

async function copyFolder(tree: SourceTree, from: string, to: string): Promise<void> {
  for (const file of await tree.list(from)) {
    const relative = posix.relative(from, file);
    if (relative.split('/').includes('__pycache__')) continue;
    const text = await tree.read(file);
    if (text === null) continue;
    const target = path.join(to, ...relative.split('/'));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, text);
  }
  await fs.mkdir(to, { recursive: true });
}

async function isDirectory(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isDirectory(), () => false);
}

interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError: boolean;
}

function runProcess(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, timeout: ALEMBIC_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const err = error as (NodeJS.ErrnoException & { code?: string | number }) | null;
      const spawnError = typeof err?.code === 'string';
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : spawnError ? null : 1) : 0, stdout, stderr, spawnError });
    });
  });
}

/**
 * A failed Alembic command in one sentence: the exception Python raised last, without its
 * traceback. A database error is worded as PostgreSQL words it: SQLAlchemy's and the driver's
 * class names, the `[SQL: …]` and `(Background on this error at: …)` lines and DETAIL left out
 * (the failing statement is the step's subject).
 */
export function alembicErrorSentence(text: string): string {
  const lines = text.trimEnd().split('\n');
  const lastFrame = lines.findLastIndex((l) => /^\s+File "/.test(l) || l.startsWith('Traceback (most recent call last)'));
  const after = lines.slice(lastFrame + 1);
  const exception = (lastFrame < 0 ? after : after.filter((l) => !/^\s/.test(l))).find((l) => l.trim() !== '') ?? 'no error message';
  const match = /^([A-Za-z_][\w.]*): (.*)$/.exec(exception.trim());
  if (!match) return exception.trim();
  const [, name, message] = match as unknown as [string, string, string];
  // SQLAlchemy wraps the driver's error: `(psycopg2.errors.CheckViolation) check constraint …`.
  const wrapped = /^\([\w.]+\) (.*)$/.exec(message);
  if (wrapped) return wrapped[1]!;
  return /^(sqlalchemy|psycopg2?|asyncpg|pg8000)\./.test(name) ? message : `${name}: ${message}`;
}

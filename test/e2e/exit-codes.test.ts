/**
 * The exit-code contract (the README's table under Commands), held by the built bin run as a
 * child process, as a CI job runs it: every command × {a server (DATABASE_URL), the embedded
 * default (no DATABASE_URL)} × {success, verification failed or drift, bad input, refused,
 * Python missing}, where the cell means something (commands without a database have one
 * column). Every output is checked for a stack trace and for a password as well.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliRun } from '../adapters/cli/run-cli.js';
import { ADD_NOTES, DROP_STATUS, workspace } from '../adapters/cli/hook-fixtures.js';
import { backendDir, STAGING_AT_001, stagingDatabase } from '../adapters/cli/staging-fixtures.js';
import { GIT_ENV, tempRepo } from '../adapters/git/temp-repo.js';
import { databaseServerUrl } from '../support/database.js';
import { detectPython } from '../support/python.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/flow-migrate.js');
const binSkip = existsSync(path.join(ROOT, 'dist/bundle/cli/main.js')) ? null : 'dist/ is not built (npm run build; npm test builds it first)';
const BACKEND = path.join(ROOT, 'test/fixtures/backends/flow-py-backend');
const CHANGES = path.join(ROOT, 'test/fixtures/backends/flow-py-backend-changes');
const head = (variant: string) => path.join(CHANGES, variant, 'app/models');

const python = detectPython();
const noAlembic = python.ok ? null : python.reason;
const NO_PYTHON = '/nonexistent/python3';
const PASSWORD = 's3cret';
/** Nothing listens on port 1. */
const UNREACHABLE = `postgresql://postgres:${PASSWORD}@127.0.0.1:1/flow`;

type Database = 'server' | 'embedded';
const BOTH: Database[] = ['server', 'embedded'];

/** Nothing of the test run's environment but what finds programs and caches, the tests' Python, and the database. */
function childEnv(database: Database | null, more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'XDG_CACHE_HOME']) if (process.env[key]) env[key] = process.env[key];
  if (python.ok) Object.assign(env, { FLOW_MIGRATE_PYTHON: python.python, PYTHONPATH: python.env.PYTHONPATH });
  if (database === 'server') env.DATABASE_URL = databaseServerUrl();
  return { ...env, ...more };
}

/** `node bin/flow-migrate.js <args>` in `cwd`; `options` are spawn's (a uid, say). */
function bin(args: string[], cwd: string, env: NodeJS.ProcessEnv, options: SpawnOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { ...options, cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : -2), stdout, stderr }));
  });
}

/** `    at connect (file:///…/chunk.js:143:11)`, `    at process.processTicksAndRejections (node:internal/…)` */
const STACK_FRAME = /^\s+at \S.*(:\d+:\d+\)?|\(native\)|node:internal\S*\)?)$/m;
/** What a raw error prints as itself: `Error: …`, `TypeError: …`, `flow-migrate verify: Error: …`. */
const RAW_ERROR = /(^|: )[A-Za-z]*Error: /m;

/** Every secret a run may know: our made-up password, and the test server's, if it has one. */
function secrets(): string[] {
  const server = new URL(databaseServerUrl()).password;
  return [PASSWORD, ...(server ? [server, decodeURIComponent(server)] : [])];
}

function expectClean(run: CliRun): void {
  const out = `${run.stdout}${run.stderr}`;
  expect(out, 'a stack trace').not.toMatch(STACK_FRAME);
  expect(out, 'a raw error').not.toMatch(RAW_ERROR);
  for (const secret of secrets()) expect(out, 'a password').not.toContain(secret);
}

const temporary: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.map((c) => c()));
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** A private copy of flow-py-backend to write into. */
function backendCopy(): string {
  const dir = tempDir('flow-migrate-exit-');
  cpSync(BACKEND, dir, { recursive: true });
  return dir;
}

/**
 * Head models whose upgrade cannot pass whatever rows are seeded: a new column whose server
 * default calls a function PostgreSQL does not have (a typo a person makes).
 */
function failingHead(): string {
  const models = path.join(tempDir('flow-migrate-exit-failing-'), 'app/models');
  cpSync(path.join(BACKEND, 'app/models'), models, { recursive: true });
  const user = path.join(models, 'user.py');
  const source = readFileSync(user, 'utf8').replace('from sqlalchemy import DateTime, String, func', 'from sqlalchemy import DateTime, String, func, text');
  if (!source.includes(', text')) throw new Error('the user model changed: update failingHead()');
  writeFileSync(user, `${source}    nickname: Mapped[Optional[str]] = mapped_column(String(40), server_default=text("no_such_function()"))\n`);
  return models;
}

/** A models repository with a staged change, for `hook run`. */
function hookRun(staged: string, ...flags: string[]) {
  const ws = workspace();
  cleanups.push(async () => ws.remove());
  ws.models.write('flowbot_commons/models.py', staged);
  ws.models.git('add', 'flowbot_commons/models.py');
  return bin(['hook', 'run', ...flags], ws.models.root, childEnv(null));
}

/** `hook install` in a new repository, which has `existing` as its pre-commit hook when given. */
function hookInstall(existing: string | null, ...flags: string[]) {
  const repo = tempRepo();
  cleanups.push(async () => repo.remove());
  if (existing !== null) writeFileSync(path.join(repo.root, '.git/hooks/pre-commit'), existing, { mode: 0o755 });
  return bin(['hook', 'install', ...flags], repo.root, childEnv(null, GIT_ENV));
}

/** A staging database at revision 001 (on the test server) and a backend pointing at it; `drift` adds a column by hand. */
async function stagingRun(database: Database | null, options: { drift?: boolean; pgUrl?: string; env?: NodeJS.ProcessEnv }, ...args: string[]) {
  const backend = backendDir();
  cleanups.push(async () => backend.remove());
  let pgUrl = options.pgUrl;
  if (!pgUrl) {
    const staging = await stagingDatabase(databaseServerUrl());
    cleanups.push(() => staging.remove());
    await staging.query(STAGING_AT_001);
    if (options.drift) await staging.query('ALTER TABLE tasks ADD COLUMN hotfix INTEGER');
    pgUrl = staging.url;
  }
  writeFileSync(path.join(backend.dir, '.env.staging'), `PG_URL=${pgUrl}\n`);
  return bin(['staging', '--backend', backend.dir, ...args], backend.dir, childEnv(database, options.env));
}

interface Cell {
  command: string;
  outcome: string;
  expected: 0 | 1 | 2 | 3;
  /** The databases it runs on; null: the command needs none. */
  databases: Database[] | null;
  /** It needs Python with SQLAlchemy and Alembic. */
  alembic?: boolean;
  run(database: Database | null): Promise<CliRun>;
}

const diff = (variant: string) => bin(['diff', '--base', 'app/models', '--head', head(variant)], BACKEND, childEnv(null));
const generate = (variant: string, ...more: string[]) =>
  bin(['generate', '--base', 'app/models', '--head', head(variant), '--backend', '.', ...more], BACKEND, childEnv(null));
const generateVerify = (database: Database | null, models: string, more: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  bin(['generate', '--base', 'app/models', '--head', models, '--backend', '.', '--verify', '--write', ...more], backendCopy(), childEnv(database, env));
const verify = (database: Database | null, models: string, more: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  bin(['verify', '--base', 'app/models', '--head', models, '--backend', '.', ...more], BACKEND, childEnv(database, env));
const check = (database: Database | null, models: string, more: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  bin(['check', '--models', models, '--backend', '.', ...more], BACKEND, childEnv(database, env));

const CELLS: Cell[] = [
  { command: 'schema', outcome: 'success', expected: 0, databases: null, run: () => bin(['schema', 'app/models'], BACKEND, childEnv(null)) },
  { command: 'schema', outcome: 'bad input (syntax error)', expected: 2, databases: null, run: () => bin(['schema', head('syntax-error')], BACKEND, childEnv(null)) },

  { command: 'diff', outcome: 'success', expected: 0, databases: null, run: () => diff('add-last-login') },
  { command: 'diff', outcome: 'refused (data loss not confirmed)', expected: 3, databases: null, run: () => diff('drop-user-name') },
  { command: 'diff', outcome: 'bad input (syntax error)', expected: 2, databases: null, run: () => diff('syntax-error') },

  { command: 'generate', outcome: 'success', expected: 0, databases: null, run: () => generate('add-last-login') },
  { command: 'generate', outcome: 'refused', expected: 3, databases: null, run: () => generate('drop-user-name') },
  { command: 'generate', outcome: 'bad input (syntax error)', expected: 2, databases: null, run: () => generate('syntax-error') },
  { command: 'generate', outcome: 'bad input (bad flag)', expected: 2, databases: null, run: () => generate('add-last-login', '--frobnicate') },

  { command: 'generate --verify --write', outcome: 'success', expected: 0, databases: BOTH, run: (db) => generateVerify(db, head('add-last-login')) },
  { command: 'generate --verify --write', outcome: 'verification failed', expected: 1, databases: BOTH, run: (db) => generateVerify(db, failingHead()) },
  { command: 'generate --verify --write', outcome: 'refused', expected: 3, databases: null, run: (db) => generateVerify(db, head('drop-user-name')) },
  { command: 'generate --verify --write', outcome: 'bad input (syntax error)', expected: 2, databases: null, run: (db) => generateVerify(db, head('syntax-error')) },
  {
    command: 'generate --verify --write',
    outcome: 'Python missing (alembic runner)',
    expected: 2,
    databases: BOTH,
    run: (db) => generateVerify(db, head('add-last-login'), ['--runner', 'alembic'], { FLOW_MIGRATE_PYTHON: NO_PYTHON }),
  },
  {
    command: 'generate --verify --write',
    outcome: 'database unreachable',
    expected: 1,
    databases: null,
    run: (db) => generateVerify(db, head('add-last-login'), ['--database-url', UNREACHABLE]),
  },

  { command: 'verify', outcome: 'success', expected: 0, databases: BOTH, run: (db) => verify(db, head('add-last-login')) },
  { command: 'verify', outcome: 'verification failed', expected: 1, databases: BOTH, run: (db) => verify(db, failingHead()) },
  { command: 'verify', outcome: 'refused', expected: 3, databases: null, run: (db) => verify(db, head('drop-user-name')) },
  { command: 'verify', outcome: 'bad input (syntax error)', expected: 2, databases: null, run: (db) => verify(db, head('syntax-error')) },
  {
    command: 'verify',
    outcome: 'Python missing (alembic runner)',
    expected: 2,
    databases: BOTH,
    run: (db) => verify(db, head('add-last-login'), ['--runner', 'alembic'], { FLOW_MIGRATE_PYTHON: NO_PYTHON }),
  },
  { command: 'verify', outcome: 'database unreachable', expected: 1, databases: null, run: (db) => verify(db, head('add-last-login'), ['--database-url', UNREACHABLE]) },
  { command: 'verify', outcome: 'bad input (malformed --database-url)', expected: 2, databases: null, run: (db) => verify(db, head('add-last-login'), ['--database-url', 'not a url']) },
  { command: 'verify', outcome: 'bad input (malformed DATABASE_URL)', expected: 2, databases: null, run: (db) => verify(db, head('add-last-login'), [], { DATABASE_URL: 'not a url' }) },

  { command: 'check', outcome: 'in sync', expected: 0, databases: BOTH, alembic: true, run: (db) => check(db, 'app/models') },
  { command: 'check', outcome: 'drift', expected: 1, databases: BOTH, alembic: true, run: (db) => check(db, head('add-last-login')) },
  { command: 'check', outcome: 'bad input (syntax error)', expected: 2, databases: null, run: (db) => check(db, head('syntax-error')) },
  { command: 'check', outcome: 'Python missing', expected: 2, databases: BOTH, run: (db) => check(db, 'app/models', [], { FLOW_MIGRATE_PYTHON: NO_PYTHON }) },
  { command: 'check', outcome: 'database unreachable', expected: 1, databases: null, alembic: true, run: (db) => check(db, 'app/models', ['--database-url', UNREACHABLE]) },
  { command: 'check', outcome: 'bad input (malformed --database-url)', expected: 2, databases: null, run: (db) => check(db, 'app/models', ['--database-url', 'not a url']) },

  { command: 'hook run', outcome: 'success (warn-only)', expected: 0, databases: null, run: () => hookRun(ADD_NOTES) },
  { command: 'hook run', outcome: 'refused (strict, data loss)', expected: 3, databases: null, run: () => hookRun(DROP_STATUS, '--strict') },
  { command: 'hook run', outcome: 'bad input (strict, syntax error)', expected: 2, databases: null, run: () => hookRun('class Task(:\n', '--strict') },
  { command: 'hook run', outcome: 'bad input (bad flag)', expected: 2, databases: null, run: () => hookRun(ADD_NOTES, '--frobnicate') },

  { command: 'hook install', outcome: 'success', expected: 0, databases: null, run: () => hookInstall(null) },
  { command: 'hook install', outcome: "another tool's hook, left alone", expected: 1, databases: null, run: () => hookInstall('#!/bin/sh\nexit 0\n') },
  { command: 'hook install', outcome: 'bad input (bad flag)', expected: 2, databases: null, run: () => hookInstall(null, '--frobnicate') },

  { command: 'staging', outcome: 'no drift', expected: 0, databases: BOTH, alembic: true, run: (db) => stagingRun(db, {}) },
  { command: 'staging', outcome: 'drift', expected: 1, databases: BOTH, alembic: true, run: (db) => stagingRun(db, { drift: true }) },
  {
    command: 'staging',
    outcome: 'refused (dry run of a statement outside a transaction)',
    expected: 3,
    databases: null,
    alembic: true,
    run: (db) => stagingRun(db, {}, '--dry-run', 'migrations/versions/003_index_title.py'),
  },
  {
    command: 'staging',
    outcome: 'the dry run failed (NOT NULL on a column holding NULLs)',
    expected: 1,
    databases: null,
    alembic: true,
    run: (db) => stagingRun(db, {}, '--dry-run', 'migrations/versions/002_status_not_null.py'),
  },
  {
    command: 'staging',
    outcome: 'Python missing (dry run)',
    expected: 2,
    databases: null,
    run: (db) => stagingRun(db, { env: { FLOW_MIGRATE_PYTHON: NO_PYTHON } }, '--dry-run', 'migrations/versions/002_status_not_null.py'),
  },
  { command: 'staging', outcome: 'bad input (bad flag)', expected: 2, databases: null, run: (db) => stagingRun(db, {}, '--frobnicate') },
  { command: 'staging', outcome: 'staging unreachable', expected: 1, databases: null, run: (db) => stagingRun(db, { pgUrl: UNREACHABLE }, '--no-drift') },
  {
    command: 'staging',
    outcome: 'scratch database unreachable',
    expected: 1,
    databases: null,
    alembic: true,
    run: (db) => stagingRun(db, {}, '--database-url', UNREACHABLE),
  },
];

describe.skipIf(binSkip !== null)(`exit codes of the built bin${binSkip ? ` (skipped: ${binSkip})` : ''}`, () => {
  describe.concurrent('every command × database × outcome', () => {
    for (const cell of CELLS) {
      for (const database of cell.databases ?? [null]) {
        const skip = cell.alembic && noAlembic ? ` (skipped: ${noAlembic})` : '';
        const where = database ? ` [${database}]` : '';
        it.skipIf(skip !== '')(`${cell.command}: ${cell.outcome}${where} → ${cell.expected}${skip}`, async () => {
          const run = await cell.run(database);
          expect(run.code, `${run.stdout}${run.stderr}`).toBe(cell.expected);
          expectClean(run);
        }, 180_000);
      }
    }
  });
});

/**
 * Spawn options that run the bin as a user who cannot read a file mode 000 or write a folder
 * mode 555: ourselves unless we are root (root reads and writes anything), else `nobody`,
 * when that user can run the bin from where it lies (a private clone's it cannot).
 */
function unprivileged(): { options: SpawnOptions; skip: string | null } {
  if (process.getuid?.() !== 0) return { options: {}, skip: null };
  const options = { uid: 65534, gid: 65534 };
  const probe = spawnSync(process.execPath, [BIN, '--version'], { ...options, cwd: '/', encoding: 'utf8' });
  return { options, skip: probe.status === 0 ? null : `user nobody cannot run ${BIN} (${probe.error?.message ?? probe.stderr.trim().split('\n')[0]})` };
}

/** A folder `nobody` may read (mkdtemp's are private to us). */
function sharedDir(prefix: string): string {
  const dir = tempDir(prefix);
  chmodSync(dir, 0o755);
  return dir;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

function onDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

describe.skipIf(binSkip !== null)(`one sentence, not a stack trace${binSkip ? ` (skipped: ${binSkip})` : ''}`, () => {
  const low = unprivileged();

  it('an unreachable --database-url: exit 1, host and port named, the password never shown', async () => {
    for (const args of [
      ['verify', '--base', 'app/models', '--head', head('add-last-login')],
      ['generate', '--base', 'app/models', '--head', head('add-last-login'), '--backend', '.', '--verify'],
    ]) {
      const run = await bin([...args, '--database-url', UNREACHABLE], BACKEND, childEnv(null));
      expect(run).toEqual({ code: 1, stdout: '', stderr: `flow-migrate ${args[0]}: cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED)\n` });
    }
  });

  it('a server that refuses the role: exit 1, one sentence naming host and port, the password never shown', async () => {
    const url = new URL(databaseServerUrl());
    url.username = `fm_no_such_role_${process.pid}`;
    url.password = PASSWORD;
    const run = await bin(['verify', '--base', 'app/models', '--head', head('add-last-login'), '--database-url', url.toString()], BACKEND, childEnv(null));
    const where = `${url.hostname}:${url.port || '5432'}`;
    expect(run).toMatchObject({ code: 1, stdout: '' });
    // Trust authentication says the role does not exist; password authentication refuses the password.
    expect(run.stderr).toMatch(
      new RegExp(`^flow-migrate verify: (cannot connect to PostgreSQL at ${where}: role "${url.username}" does not exist|PostgreSQL at ${where} refused the password of user ${url.username})\\n$`),
    );
    expectClean(run);
  });

  it('an error nobody foresaw (a role that may not create databases): exit 1, one line, no stack, no password', async () => {
    const server = databaseServerUrl();
    const role = `fm_no_createdb_${process.pid}`;
    await query(server, `CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`);
    try {
      const url = new URL(server);
      url.username = role;
      url.password = PASSWORD;
      url.pathname = '/postgres';
      const run = await bin(['verify', '--base', 'app/models', '--head', head('add-last-login'), '--database-url', url.toString()], BACKEND, childEnv(null));
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^flow-migrate verify: [^\n]*needs CREATEDB[^\n]*\n$/);
      expectClean(run);
    } finally {
      await query(server, `DROP ROLE IF EXISTS ${role}`);
    }
  });

  it.skipIf(low.skip !== null)(`an unreadable model file: exit 2 naming it${low.skip ? ` (skipped: ${low.skip})` : ''}`, async () => {
    const dir = sharedDir('flow-migrate-unreadable-');
    cpSync(path.join(BACKEND, 'app/models'), path.join(dir, 'base'), { recursive: true });
    cpSync(path.join(BACKEND, 'app/models'), path.join(dir, 'head'), { recursive: true });
    chmodSync(path.join(dir, 'head/user.py'), 0o000);
    const run = await bin(['diff', '--base', 'base', '--head', 'head'], dir, childEnv(null), low.options);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `cannot read ${path.join(dir, 'head/user.py')}: permission denied (EACCES)\n` });
  });

  it.skipIf(low.skip !== null)(`a versions folder that cannot be written: exit 2 naming it, nothing written${low.skip ? ` (skipped: ${low.skip})` : ''}`, async () => {
    const backend = sharedDir('flow-migrate-unwritable-');
    cpSync(BACKEND, backend, { recursive: true });
    const versions = path.join(backend, 'migrations/versions');
    chmodSync(versions, 0o555);
    const before = readdirSync(versions);
    const run = await bin(['generate', '--base', 'app/models', '--head', head('add-last-login'), '--backend', '.', '--write'], backend, childEnv(null), low.options);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cannot write the revision into migrations/versions: permission denied (EACCES); nothing was written\n',
    });
    expect(readdirSync(versions)).toEqual(before);
  });

  it('SIGINT in the middle of a run on a server: exit 130, no stack trace, its database dropped', async () => {
    const server = databaseServerUrl();
    // The run is held in its middle by a lock on one of its tables, so the signal lands while
    // a statement of it is in flight; should it finish first after all, it is tried again.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const child = spawn(process.execPath, [BIN, 'verify', '--base', 'app/models', '--head', head('add-last-login')], {
        cwd: BACKEND,
        env: childEnv('server'),
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let exited = false;
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))).finally(() => (exited = true));
      // Its database's name carries its pid.
      const ofRun = `flow\\_migrate\\_%\\_${child.pid}\\_%`;
      let name: string | undefined;
      while (!exited && !name) {
        name = (await query<{ datname: string }>(server, 'SELECT datname FROM pg_database WHERE datname LIKE $1', [ofRun]))[0]?.datname;
        if (!name) await sleep(5);
      }
      const blocker = name ? new pg.Client({ connectionString: onDatabase(server, name) }) : null;
      let held = false;
      try {
        if (blocker) {
          blocker.on('error', () => undefined);
          await blocker.connect();
          while (!exited && !(await blocker.query("SELECT to_regclass('public.users') AS t")).rows[0].t) await sleep(5);
          await blocker.query('BEGIN');
          await blocker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
          const waiting = "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'";
          while (!exited && !held) {
            held = (await query(server, waiting, [name])).length > 0;
            if (!held) await sleep(5);
          }
        }
      } catch {
        // The run ended first and dropped its database, ending this session too.
      }
      if (held && !exited) child.kill('SIGINT');
      const code = await closed;
      await blocker?.end().catch(() => undefined);
      if (!held) continue;
      expect(code, output).toBe(130);
      expect(output).toBe('flow-migrate verify: interrupted (SIGINT); cleaning up\n');
      expectClean({ code: code ?? -1, stdout: output, stderr: '' });
      expect(await query(server, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).toEqual([]);
      return;
    }
    throw new Error('three runs ended before one waited on the lock');
  }, 120_000);
});

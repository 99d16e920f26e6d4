import { stat } from 'node:fs/promises';
import path from 'node:path';
import pc from 'picocolors';
import { z } from 'zod';
import { readBackend, type Backend } from '../../../core/backend/index.js';
import { InputError } from '../../../core/errors.js';
import { RunnerUnavailableError } from '../../../core/verify/runners.js';
import { fileSystemTree } from '../../fs/file-system-tree.js';
import { toPosix } from '../../git/repository.js';
import { ancestors, chainStatus, stagingRevisions } from '../../staging/chain.js';
import { connectStaging, READ_ONLY_LIMITS, StagingConnectionError } from '../../staging/connect.js';
import { findDrift } from '../../staging/drift.js';
import { dryRun, type DryRunResult } from '../../staging/dry-run.js';
import { readStagingUrl, scrub, STAGING_ENV_FILE, type StagingUrl } from '../../staging/env-file.js';
import { renderUpgradeSql } from '../../staging/offline-sql.js';
import { requiredBackendOption } from '../backend-option.js';
import { parseOptions, UsageError, type Command } from '../command.js';
import { databaseUrl, databaseUrlSchema } from '../database-url.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';

const HELP = `Usage: flow-migrate staging --backend DIR [--dry-run REVISION_FILE] [options]

Checks the staging database against the backend's migration chain. The connection URL is
PG_URL in <backend>/${STAGING_ENV_FILE}; its password is never printed.

Without --dry-run (read-only: the session has default_transaction_read_only, a short
statement_timeout and lock_timeout) it reports:
  - the revision staging is at (alembic_version),
  - the revisions of the chain not applied there yet,
  - drift: how staging's tables differ from what the chain builds up to that revision
    (built on a scratch database: --database-url, DATABASE_URL or an embedded PostgreSQL;
    needs Python with Alembic, FLOW_MIGRATE_PYTHON).

--dry-run REVISION_FILE runs the upgrade from staging's revision to that revision on
staging inside a transaction that is always rolled back, to prove it applies to the real
rows (a NOT NULL on a column holding NULLs fails here, not in production). It reports the
time and the table locks taken, and refuses statements that cannot run in a transaction.
The SQL comes from \`alembic upgrade --sql\` (needs Python with Alembic).

Options:
  --backend DIR              the flow-py-backend checkout (default: \`backend\` in flow-migrate.yml)
  --dry-run REVISION_FILE    a revision file of the backend's versions folder
  --lock-timeout DURATION    for the dry run (default 2s): wait no longer for a busy table
  --statement-timeout DURATION  for the dry run (default 5min)
  --database-url URL         a server for the scratch database of the drift check
  --no-drift                 skip the drift check

Exit codes: 0 checked, no drift (or the dry run applied), 1 failure (drift found, unreachable,
the dry run failed), 2 bad input (no ${STAGING_ENV_FILE}, no PG_URL, unknown revision, Python or
Alembic missing for the dry run), 3 refused (statements that cannot run in a transaction).
`;

const DURATION = /^\d+(ms|s|min)?$/;

const optionsSchema = z.object({
  backend: z.string().min(1).optional(),
  'dry-run': z.string().min(1).optional(),
  'lock-timeout': z.string().regex(DURATION, 'a duration such as 2s or 500ms').default('2s'),
  'statement-timeout': z.string().regex(DURATION, 'a duration such as 5min or 30s').default('5min'),
  'database-url': databaseUrlSchema.optional(),
  'no-drift': z.boolean().default(false),
});
type Options = z.infer<typeof optionsSchema>;

export const stagingCommand: Command = {
  name: 'staging',
  help: HELP,
  async run(args, io) {
    const { options, positionals } = parseOptions(
      args,
      {
        backend: { type: 'string' },
        'dry-run': { type: 'string' },
        'lock-timeout': { type: 'string' },
        'statement-timeout': { type: 'string' },
        'database-url': { type: 'string' },
        'no-drift': { type: 'boolean' },
      },
      optionsSchema,
    );
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const backendDir = await backendFolder(options, io);
    const staging = await readStagingUrl(backendDir);
    const backend = await readBackend(toPosix(backendDir), fileSystemTree());
    try {
      return options['dry-run']
        ? await dryRunCommand(options['dry-run'], backend, staging, options, io)
        : await report(backend, staging, options, io);
    } catch (err) {
      if (err instanceof StagingConnectionError || err instanceof RunnerUnavailableError) {
        io.stderr(`flow-migrate staging: ${scrub(err.message, staging.password)}\n`);
        // Python missing is the set-up's fault, as it is for every command: exit 2.
        return err instanceof RunnerUnavailableError ? ExitCode.badInput : ExitCode.failure;
      }
      // Whatever else fails is printed by main as its message, which must not carry the password.
      if (err instanceof Error) {
        err.message = scrub(err.message, staging.password);
        if (err.stack) err.stack = scrub(err.stack, staging.password);
      }
      throw err;
    }
  },
};

async function backendFolder(options: Options, io: CliIO): Promise<string> {
  const dir = await requiredBackendOption(options, io);
  if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) throw new InputError(`--backend ${dir}: no such folder`);
  return dir;
}

async function report(backend: Backend, staging: StagingUrl, options: Options, io: CliIO): Promise<number> {
  const color = pc.createColors(io.color);
  const out = (line: string) => io.stdout(`${line}\n`);
  out(`staging: ${staging.display}`);
  const client = await connectStaging(staging, { readOnly: true, limits: READ_ONLY_LIMITS });
  try {
    const applied = await stagingRevisions(client);
    if (applied === null) {
      out(color.yellow('revision: none — staging has no alembic_version table (never migrated with Alembic)'));
      return ExitCode.ok;
    }
    const status = chainStatus(backend, applied);
    const where = (id: string) => backend.revisions.find((r) => r.id === id)?.path;
    out(`revision: ${applied.length ? applied.map((id) => (where(id) ? `${id} (${shown(where(id)!, io)})` : id)).join(', ') : 'none (empty alembic_version)'}`);
    for (const id of status.unknown) {
      out(color.red(`  ${id} is applied on staging but no revision file declares it (a branch not merged here, or a removed file)`));
    }
    if (!status.ahead.length) out(color.green(`chain: staging is at the head (${status.heads.join(', ')})`));
    else {
      out(color.yellow(`chain: ${status.ahead.length} revision${status.ahead.length === 1 ? '' : 's'} ahead of staging:`));
      for (const revision of status.ahead) out(`  ${revision.id}  ${shown(revision.path, io)}`);
    }
    if (options['no-drift']) return ExitCode.ok;
    if (applied.length !== 1 || status.unknown.length) {
      out(color.dim('drift: not checked (staging is not at one revision the chain knows)'));
      return ExitCode.ok;
    }
    try {
      const differences = await findDrift({
        staging: client,
        backend,
        revision: applied[0]!,
        scratchServerUrl: databaseUrl(options['database-url'], io),
        python: python(io),
        env: io.env,
      });
      if (!differences.length) {
        out(color.green(`drift: none (staging's tables are what the chain builds up to ${applied[0]})`));
        return ExitCode.ok;
      }
      out(color.red(`drift: ${differences.length} difference${differences.length === 1 ? '' : 's'} from what the chain builds up to ${applied[0]}:`));
      for (const d of differences) out(`  ${d.message}`);
      // Drift fails, as it fails `check`: a CI job gating on this must stop.
      return ExitCode.failure;
    } catch (err) {
      if (!(err instanceof RunnerUnavailableError)) throw err;
      out(color.dim(`drift: not checked: ${err.message}`));
    }
    return ExitCode.ok;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dryRunCommand(file: string, backend: Backend, staging: StagingUrl, options: Options, io: CliIO): Promise<number> {
  const color = pc.createColors(io.color);
  const out = (line: string) => io.stdout(`${line}\n`);
  const target = await revisionOfFile(file, backend, io);
  out(`staging: ${staging.display}`);

  const reader = await connectStaging(staging, { readOnly: true, limits: READ_ONLY_LIMITS });
  let applied: string[] | null;
  try {
    applied = await stagingRevisions(reader);
  } finally {
    await reader.end().catch(() => undefined);
  }
  const byId = new Map(backend.revisions.map((r) => [r.id, r]));
  const from = applied?.[0] ?? null;
  if (applied && applied.length > 1) throw new InputError(`staging has several revisions applied (${applied.join(', ')}); dry-run one branch at a time`);
  if (from !== null && ancestors([from], byId).has(target)) {
    out(`staging already has ${target} (it is at ${from}): nothing to dry-run`);
    return ExitCode.ok;
  }
  if (from !== null && !ancestors([target], byId).has(from)) {
    throw new InputError(`${target} does not build on staging's revision ${from}: it cannot be applied there`);
  }

  const statements = await renderUpgradeSql({ backend, from, to: target, python: python(io), env: io.env }).catch((err: unknown) => {
    if (err instanceof RunnerUnavailableError) {
      throw new RunnerUnavailableError(`the dry run needs the revision's SQL, which \`alembic upgrade --sql\` renders: ${err.message}`);
    }
    throw err;
  });
  const outside = statements.filter((s) => s.outsideTransaction !== null);
  if (outside.length) {
    out(color.red('refused: a dry run is one transaction that is rolled back, and these statements cannot run inside one:'));
    for (const s of outside) out(`  ${firstLine(s.sql)}\n    ${s.outsideTransaction}`);
    out('run them on staging by hand in a quiet moment, or dry-run the revision without them');
    return ExitCode.refused;
  }

  out(`dry run: upgrade ${from ?? 'base'} -> ${target} in a transaction that is rolled back (lock_timeout ${options['lock-timeout']})`);
  const client = await connectStaging(staging, {
    readOnly: false,
    limits: { lockTimeout: options['lock-timeout'], statementTimeout: options['statement-timeout'] },
  });
  let result: DryRunResult;
  try {
    result = await dryRun(client, statements, { lockTimeout: options['lock-timeout'], statementTimeout: options['statement-timeout'] });
  } finally {
    await client.end().catch(() => undefined);
  }
  for (const step of result.steps) {
    const mark = step.error ? color.red('FAIL') : color.green('ok  ');
    out(`  ${mark} ${String(step.ms).padStart(6)} ms  ${firstLine(step.statement.sql)}`);
    if (step.error) out(color.red(step.error.replace(/^/gm, '         ')));
  }
  if (result.locks.length) {
    out('table locks held until commit:');
    for (const lock of result.locks) out(`  ${lock.mode} on ${lock.relation}`);
  }
  out(`total ${result.ms} ms; rolled back: staging is unchanged`);
  if (result.failed) {
    const why =
      result.failed.code === '55P03'
        ? `a table it needs stayed locked longer than lock_timeout ${options['lock-timeout']}: retry when staging is quieter`
        : "staging's data does not allow it, and production's may not either";
    out(color.red(color.bold(`the upgrade would fail on staging: ${why}`)));
    return ExitCode.failure;
  }
  out(color.green(`the upgrade applies to staging's data`));
  return ExitCode.ok;
}

/** The id of the revision declared in `file`, which must be one of the backend's revision files. */
async function revisionOfFile(file: string, backend: Backend, io: CliIO): Promise<string> {
  const full = toPosix(path.resolve(io.cwd, file));
  if (!(await stat(full).then((s) => s.isFile(), () => false))) throw new InputError(`--dry-run ${file}: no such file`);
  const revision = backend.revisions.find((r) => toPosix(path.resolve(r.path)) === full);
  if (!revision) {
    throw new InputError(
      `--dry-run ${file}: not a revision file of the backend (its revisions are in ${backend.versionLocations.map((l) => shown(l, io)).join(', ')})`,
    );
  }
  return revision.id;
}

function python(io: CliIO): string {
  return io.env.FLOW_MIGRATE_PYTHON || 'python3';
}

function firstLine(sql: string): string {
  const [first, ...rest] = sql.trim().split('\n');
  return rest.length ? `${first} …` : first!;
}

function shown(file: string, io: CliIO): string {
  return path.relative(io.cwd, file) || '.';
}

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Backend } from '../../core/backend/index.js';
import { checkAlembic } from '../../core/verify/runners.js';

/** One statement of `alembic upgrade --sql`, with the revision it belongs to. */
export interface OfflineStatement {
  sql: string;
  /** The revision being applied (`002` of `-- Running upgrade 001 -> 002`), or null before the first. */
  revision: string | null;
  /** Null when it may run inside a transaction; else why it cannot. */
  outsideTransaction: string | null;
}

/**
 * Our own env.py, in offline mode only: the backend's env.py is not run (it usually imports
 * the application and its models), only the revision files are, as `alembic upgrade` would.
 */
const ENV_PY = `from alembic import context

context.configure(
    url="postgresql://",
    literal_binds=True,
    dialect_opts={"paramstyle": "named"},
    target_metadata=None,
)
with context.begin_transaction():
    context.run_migrations()
`;

const RUN_PY = `import os, sys
from alembic import command
from alembic.config import Config

script, versions, backend, target = sys.argv[1:5]
sys.path.insert(0, backend)
config = Config()
config.set_main_option("script_location", script)
config.set_main_option("version_path_separator", "os")
config.set_main_option("version_locations", versions)
command.upgrade(config, target, sql=True)
`;

const TIMEOUT_MS = 2 * 60 * 1000;

/**
 * The SQL `alembic upgrade <from>:<to> --sql` prints for the backend's revision files
 * (`from` null: from an empty database). Needs Python with Alembic and SQLAlchemy.
 */
export async function renderUpgradeSql(options: {
  backend: Backend;
  from: string | null;
  to: string;
  python: string;
  env: NodeJS.ProcessEnv;
}): Promise<OfflineStatement[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-migrate-offline-'));
  try {
    await mkdir(path.join(dir, 'script'));
    await writeFile(path.join(dir, 'script', 'env.py'), ENV_PY);
    await writeFile(path.join(dir, 'run.py'), RUN_PY);
    const range = options.from ? `${options.from}:${options.to}` : options.to;
    const output = await new Promise<string | Error>((resolve) => {
      execFile(
        options.python,
        [
          path.join(dir, 'run.py'),
          path.join(dir, 'script'),
          options.backend.versionLocations.map((l) => path.resolve(l)).join(path.delimiter),
          path.resolve(options.backend.dir),
          range,
        ],
        { cwd: path.resolve(options.backend.dir), env: options.env, timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const lastLine = stderr.trim().split('\n').slice(-1)[0] || error?.message;
          resolve(error ? new Error(`alembic upgrade ${range} --sql failed: ${lastLine}`) : stdout);
        },
      );
    });
    if (output instanceof Error) {
      // Python or Alembic missing is said in the verifier's words (RunnerUnavailableError);
      // checked only on failure, to spare a second Python start on every run.
      await checkAlembic(options.python, options.env);
      throw output;
    }
    return parseOfflineSql(output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Alembic writes each statement followed by a blank line, with blank lines inside a
 * statement folded away, so blank lines split statements exactly. Outside the script's own
 * BEGIN/COMMIT (an `autocommit_block()` closes and reopens it) statements run outside any
 * transaction.
 */
export function parseOfflineSql(output: string): OfflineStatement[] {
  const statements: OfflineStatement[] = [];
  let revision: string | null = null;
  let inTransaction = false;
  for (const chunk of output.split(/\n\s*\n/).map((c) => c.trim()).filter(Boolean)) {
    const running = /^-- Running upgrade .*-> (\S+)$/.exec(chunk);
    if (running) {
      revision = running[1]!;
      continue;
    }
    if (/^BEGIN;$/i.test(chunk)) {
      inTransaction = true;
      continue;
    }
    if (/^COMMIT;$/i.test(chunk)) {
      inTransaction = false;
      continue;
    }
    const sql = chunk.replace(/;$/, '');
    statements.push({
      sql,
      revision,
      outsideTransaction: inTransaction
        ? nonTransactional(sql)
        : 'the revision runs it outside the transaction (an autocommit_block)',
    });
  }
  return statements;
}

/** Statements PostgreSQL refuses inside a transaction block. */
function nonTransactional(sql: string): string | null {
  if (/\bCONCURRENTLY\b/i.test(sql)) return 'CONCURRENTLY cannot run inside a transaction block';
  if (/^\s*(VACUUM|ALTER\s+SYSTEM|(CREATE|DROP)\s+(DATABASE|TABLESPACE))\b/i.test(sql)) {
    return `${sql.trim().split(/\s+/).slice(0, 2).join(' ')} cannot run inside a transaction block`;
  }
  return null;
}

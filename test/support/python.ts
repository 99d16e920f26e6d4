/**
 * The Python that tests needing real SQLAlchemy / Alembic run: `FLOW_MIGRATE_PYTHON`
 * (default /usr/bin/python3, else python3 on PATH) with `PYTHONPATH` (default: the
 * site folder ../shared/tools/python-oracle.sh fills, ~/.cache/flow-migrate/python-oracle/site).
 *
 * Detection is synchronous so that a test file can decide at collection time:
 *
 *   const python = detectPython();
 *   describe.skipIf(!python.ok)(`oracle${python.ok ? '' : ` (skipped: ${python.reason})`}`, ...)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type PythonDetection =
  | {
      ok: true;
      /** The interpreter to run. */
      python: string;
      /** The environment to run it with (PYTHONPATH set). */
      env: NodeJS.ProcessEnv;
      sqlalchemy: string;
      alembic: string;
    }
  | { ok: false; reason: string };

const ORACLE_SITE = path.join(os.homedir(), '.cache', 'flow-migrate', 'python-oracle', 'site');

let detected: PythonDetection | undefined;

export function detectPython(): PythonDetection {
  return (detected ??= detect());
}

function detect(): PythonDetection {
  const python = process.env.FLOW_MIGRATE_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const pythonPath = process.env.PYTHONPATH || (existsSync(ORACLE_SITE) ? ORACLE_SITE : '');
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: pythonPath };
  const probe = spawnSync(
    python,
    ['-c', 'import json, sqlalchemy, alembic, psycopg2; print(json.dumps([sqlalchemy.__version__, alembic.__version__]))'],
    { env, encoding: 'utf8', timeout: 30_000 },
  );
  if (probe.error) return { ok: false, reason: `${python} cannot be run (${probe.error.message})` };
  if (probe.status !== 0) {
    const missing = /No module named '([^']+)'/.exec(probe.stderr)?.[1];
    const what = missing ? `Python module ${missing} is not installed` : probe.stderr.trim().split('\n').pop();
    return {
      ok: false,
      reason: `${what} for ${python} (PYTHONPATH=${pythonPath || 'unset'}; run ../shared/tools/python-oracle.sh)`,
    };
  }
  const [sqlalchemy, alembic] = JSON.parse(probe.stdout) as [string, string];
  if (!sqlalchemy.startsWith('2.')) return { ok: false, reason: `SQLAlchemy ${sqlalchemy} found, 2.x needed` };
  return { ok: true, python, env, sqlalchemy, alembic };
}

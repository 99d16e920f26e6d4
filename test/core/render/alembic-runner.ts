/**
 * Runs rendered revisions under real Alembic for the render tests: a throwaway script
 * folder (env.py + versions) and one Python process per folder taking commands on stdin.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Plan } from '../../../src/core/plan/index.js';
import { renderAlembic } from '../../../src/core/render/index.js';
import type { PythonDetection } from '../../support/python.js';

/**
 * Runs Alembic commands read from stdin (`upgrade b2`), one per line, answering `ok` or
 * `error <message>`: one interpreter per scenario, as importing Alembic is the slow part.
 */
const DRIVER = `
import sys, traceback
from alembic import command
from alembic.config import Config
cfg = Config()
cfg.set_main_option("script_location", sys.argv[1])
cfg.set_main_option("sqlalchemy.url", sys.argv[2])
for line in sys.stdin:
    name, target = line.split()
    try:
        getattr(command, name)(cfg, target)
        print("ok", flush=True)
    except Exception:
        print("error " + traceback.format_exc().replace("\\n", "\\\\n"), flush=True)
`;

/** A running driver: `run('upgrade', 'b2')` resolves when Alembic is done, rejects with its traceback. */
export function startAlembic(python: Extract<PythonDetection, { ok: true }>, dir: string, databaseUrl: string) {
  const child = spawn(python.python, ['-c', DRIVER, dir, databaseUrl], { stdio: ['pipe', 'pipe', 'pipe'], env: python.env });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async run(cmd: 'upgrade' | 'downgrade', target: string): Promise<void> {
      child.stdin.write(`${cmd} ${target}\n`);
      const reply = await replies.next();
      if (reply.done) throw new Error(`alembic driver exited: ${stderr}`);
      if (reply.value !== 'ok') throw new Error(`alembic ${cmd} ${target} failed:\n${reply.value.slice(6).replaceAll('\\n', '\n')}`);
    },
    stop(): void {
      child.stdin.end();
    },
  };
}

const ENV = `
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
`;

function revision(rev: string, down: string | null, planned: Plan): string {
  const body = renderAlembic(planned, { wrapNamesInOpF: rev !== 'r1', lockTimeout: null, indent: '    ' });
  return [
    `"""${rev}"""`,
    'from alembic import op',
    'import sqlalchemy as sa',
    ...body.imports,
    '',
    `revision = '${rev}'`,
    `down_revision = ${down ? `'${down}'` : 'None'}`,
    'branch_labels = None',
    'depends_on = None',
    '',
    '',
    'def upgrade():',
    body.upgrade,
    '',
    '',
    'def downgrade():',
    body.downgrade,
    '',
  ].join('\n');
}


/** A script folder holding one revision per plan, each revising the one before (`r1`, `r2`, …). */
export function alembicProject(plans: Plan[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fm-alembic-'));
  mkdirSync(join(dir, 'versions'));
  writeFileSync(join(dir, 'env.py'), ENV);
  plans.forEach((planned, i) => {
    writeFileSync(join(dir, 'versions', `r${i + 1}.py`), revision(`r${i + 1}`, i ? `r${i}` : null, planned));
  });
  return dir;
}

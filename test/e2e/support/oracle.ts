/**
 * Real SQLAlchemy and Alembic for the end-to-end tests (see oracle_driver.py). They need a
 * python3 with alembic, sqlalchemy and psycopg2, named by FLOW_MIGRATE_PYTHON (CI sets it
 * and PYTHONPATH from ../shared/tools/python-oracle.sh); without one the tests skip and say why.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'oracle_driver.py');
const python = process.env['FLOW_MIGRATE_PYTHON'];

function probe(): string | null {
  if (!python) return 'FLOW_MIGRATE_PYTHON is not set (a python3 with alembic, sqlalchemy, psycopg2)';
  const result = spawnSync(python, ['-c', 'import alembic, sqlalchemy, psycopg2'], { encoding: 'utf8' });
  return result.status === 0 ? null : `${python} cannot import alembic, sqlalchemy and psycopg2`;
}

/** Why the oracle tests cannot run here, or null when they can. */
export const oracleSkipReason = probe();

export interface Oracle {
  /** What SQLAlchemy's `create_all` builds from the models package `dir`, on the database `url`. */
  createAll(dir: string, url: string): Promise<void>;
  alembic(cmd: 'upgrade' | 'downgrade' | 'stamp', ini: string, target: string, url: string): Promise<void>;
  close(): void;
}

export function startOracle(): Oracle {
  const child = spawn(python!, [DRIVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  // One request at a time: the driver answers in order.
  let queue: Promise<unknown> = Promise.resolve();
  const send = (request: Record<string, string>): Promise<void> => {
    const next = queue.then(async () => {
      child.stdin.write(`${JSON.stringify(request)}\n`);
      const reply = await replies.next();
      if (reply.done) throw new Error(`the oracle driver exited:\n${stderr}`);
      const answer = JSON.parse(reply.value) as { ok: boolean; error?: string };
      if (!answer.ok) throw new Error(`${request['cmd']} ${request['target'] ?? request['models']} failed:\n${answer.error}\n${stderr}`);
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    createAll: (dir, url) => send({ cmd: 'create_all', models: dir, url }),
    alembic: (cmd, ini, target, url) => send({ cmd, ini, target, url }),
    close: () => child.stdin.end(),
  };
}

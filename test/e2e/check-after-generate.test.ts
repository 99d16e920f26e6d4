/**
 * `generate --write` then `check` on the same models is in sync, on a server and on the
 * embedded default, although the written `add_column` appends a column the models declare in
 * the middle of their table: column order is a note, never drift.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseServerUrl } from '../support/database.js';
import { detectPython } from '../support/python.js';
import { runCli } from '../adapters/cli/run-cli.js';

const BACKEND = path.resolve(import.meta.dirname, '../fixtures/backends/flow-py-backend');
const python = detectPython();

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A copy of flow-py-backend, and head models adding `users.nickname` between `name` and `created_at`. */
function project(): { backend: string; head: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'flow-migrate-check-after-generate-'));
  temporary.push(root);
  const backend = path.join(root, 'backend');
  const head = path.join(root, 'head');
  cpSync(BACKEND, backend, { recursive: true });
  cpSync(path.join(BACKEND, 'app/models'), head, { recursive: true });
  const user = path.join(head, 'user.py');
  const name = '    name: Mapped[Optional[str]] = mapped_column(String(100))\n';
  const text = readFileSync(user, 'utf8');
  expect(text).toContain(name);
  writeFileSync(user, text.replace(name, `${name}    nickname: Mapped[Optional[str]] = mapped_column(String(50))\n`));
  return { backend, head };
}

const databases = [
  { name: 'a server (DATABASE_URL)', env: (): NodeJS.ProcessEnv => ({ DATABASE_URL: databaseServerUrl() }) },
  { name: 'the embedded default (no DATABASE_URL)', env: (): NodeJS.ProcessEnv => ({}) },
];

describe.skipIf(!python.ok)(`generate --write, then check${python.ok ? '' : ` (skipped: ${python.reason})`}`, () => {
  for (const database of databases) {
    it(`is in sync on ${database.name}, with the column order as a note`, async () => {
      if (!python.ok) return;
      const { backend, head } = project();
      const env = { ...database.env(), PATH: process.env.PATH, FLOW_MIGRATE_PYTHON: python.python, PYTHONPATH: python.env.PYTHONPATH };
      const written = await runCli(['generate', '--base', 'app/models', '--head', head, '--backend', '.', '--write'], backend, env);
      expect(written).toMatchObject({ code: 0, stdout: 'migrations/versions/004_add_nickname_to_users.py\n' });

      const check = await runCli(['check', '--models', head, '--backend', '.'], backend, env);
      expect(check.stderr).toBe('');
      expect(check.stdout).toBe(
        'in sync: the migration chain (head 004) builds the schema the models describe (column order aside: see the notes)\n' +
          '  note: table users: columns are in the order id, email, name, created_at, nickname, expected id, email, name, nickname, created_at\n',
      );
      expect(check.code).toBe(0);

      const json = await runCli(['check', '--models', head, '--backend', '.', '--json'], backend, env);
      expect(JSON.parse(json.stdout)).toMatchObject({ inSync: true, heads: ['004'], differences: [], notes: [expect.stringMatching(/^table users: columns are in the order/)] });
      expect(json.code).toBe(0);
    }, 120_000);
  }

  it('verify --from-chain: the base the chain replays, its column appended, passes with a note', async () => {
    if (!python.ok) return;
    const { backend, head } = project();
    const env = { DATABASE_URL: databaseServerUrl(), PATH: process.env.PATH, FLOW_MIGRATE_PYTHON: python.python, PYTHONPATH: python.env.PYTHONPATH };
    expect((await runCli(['generate', '--base', 'app/models', '--head', head, '--backend', '.', '--write'], backend, env)).code).toBe(0);
    const next = path.join(path.dirname(head), 'next');
    cpSync(head, next, { recursive: true });
    const user = path.join(next, 'user.py');
    writeFileSync(user, `${readFileSync(user, 'utf8').trimEnd()}\n    motto: Mapped[Optional[str]] = mapped_column(String(80))\n`);

    const verified = await runCli(['verify', '--base', head, '--head', next, '--backend', '.', '--runner', 'alembic', '--from-chain'], backend, env);
    expect(verified.stdout).toMatch(/^verified on PostgreSQL/);
    expect(verified.stdout).toContain(
      'note: table users: columns are in the order id, email, name, created_at, nickname, expected id, email, name, nickname, created_at',
    );
    expect(verified.code).toBe(0);
  }, 120_000);
});

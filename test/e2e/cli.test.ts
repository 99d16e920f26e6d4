/**
 * `flow-migrate diff` and `generate` as a user runs them, on the flow-py-backend fixture:
 * main() with an in-memory CliIO (fast), one spawn of the real bin, and — when Python and
 * Alembic are available — the written revision run by real Alembic on PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { diffJsonSchema, generateJsonSchema } from '../../src/adapters/cli/plan-output.js';
import { runCli } from '../adapters/cli/run-cli.js';
import { catalog } from '../core/render/catalog.js';
import { connectTo, freshDatabase } from '../support/database.js';
import { oracleSkipReason, startOracle } from './support/oracle.js';
import { FLOW_PY_BACKEND, FLOW_PY_CHANGES } from './support/plan-cases.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A private copy of flow-py-backend to write into; the cwd of the commands. */
function backendCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'flow-migrate-cli-'));
  temporary.push(dir);
  cpSync(FLOW_PY_BACKEND, dir, { recursive: true });
  return dir;
}

function versions(backend: string): string[] {
  return readdirSync(path.join(backend, 'migrations/versions')).filter((f) => f.endsWith('.py')).sort();
}

const head = (variant: string) => path.join(FLOW_PY_CHANGES, variant, 'app/models');
const generate = (variant: string, ...more: string[]) => [
  'generate',
  '--base',
  'app/models',
  '--head',
  head(variant),
  '--backend',
  '.',
  ...more,
];
const ORIGINAL = ['001_create_users.py', '002_create_bots.py', '003_create_tasks.py'];

describe('flow-migrate generate', () => {
  it('prints the revision and writes nothing; --write writes the same file and prints its path', async () => {
    const backend = backendCopy();
    const printed = await runCli(generate('add-last-login', '--message', 'add last_login to users'), backend);
    expect(printed.code).toBe(0);
    // Warnings go to stderr, so the file on stdout can be redirected as it is.
    expect(printed.stderr).toMatch(/user\.py:17:5: warning: create-index \(users\): .*\n {2}fix: /);
    expect(printed.stdout).toMatch(/^"""add last_login to users\n\nRevision ID: 004\nRevises: 003\n/);
    expect(versions(backend)).toEqual(ORIGINAL);

    const written = await runCli(generate('add-last-login', '--write'), backend);
    expect(written).toMatchObject({ code: 0, stdout: 'migrations/versions/004_add_last_login_to_users.py\n' });
    expect(versions(backend)).toEqual([...ORIGINAL, '004_add_last_login_to_users.py']);
    const file = readFileSync(path.join(backend, 'migrations/versions/004_add_last_login_to_users.py'), 'utf8');
    const withoutDate = (text: string) => text.replace(/^Create Date: .*$/m, '');
    expect(withoutDate(file)).toBe(withoutDate(printed.stdout));

    // The new file is now the head: the next revision builds on it.
    const next = await runCli(generate('add-last-login', '--message', 'again'), backend);
    expect(next.stdout).toContain("down_revision: Union[str, None] = '004'");
  });

  it('--sql prints the PostgreSQL statements', async () => {
    const result = await runCli(generate('add-last-login', '--sql'), backendCopy());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^-- upgrade\n/m);
    expect(result.stdout).toMatch(/ALTER TABLE users ADD COLUMN last_login timestamp with time zone;/);
    expect(result.stdout).toMatch(/^-- downgrade\n/m);
  });

  it('--json: the documented shape, with the file it would write', async () => {
    const result = await runCli(generate('add-last-login', '--json'), backendCopy());
    expect(result.code).toBe(0);
    const json = generateJsonSchema.parse(JSON.parse(result.stdout));
    expect(json.status).toBe('ready');
    expect(json.revision).toMatchObject({
      id: '004',
      downRevision: '003',
      message: 'add last_login to users',
      fileName: '004_add_last_login_to_users.py',
      path: 'migrations/versions/004_add_last_login_to_users.py',
      written: false,
    });
    expect(json.operations.map((o) => o.summary)).toContain('add last_login to users');
    expect(json.sql?.upgrade.length).toBeGreaterThan(0);

    const backend = backendCopy();
    const written = generateJsonSchema.parse(JSON.parse((await runCli(generate('add-last-login', '--json', '--write'), backend)).stdout));
    expect(written.revision).toMatchObject({ written: true, path: 'migrations/versions/004_add_last_login_to_users.py' });
    expect(readFileSync(path.join(backend, written.revision!.path), 'utf8')).toBe(written.revision!.content);
  });

  it('refuses data loss: exit 3, nothing written, each finding with the flag that confirms it', async () => {
    const backend = backendCopy();
    const refused = await runCli(generate('drop-user-name', '--write'), backend);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^refused: 1 change needs a confirmation; nothing was written\n/);
    expect(refused.stderr).toMatch(/app\/models\/user\.py:\d+:\d+: error: drop-column \(users\.name\)/);
    expect(refused.stderr).toContain('confirm with: --allow-data-loss');
    expect(versions(backend)).toEqual(ORIGINAL);

    const json = await runCli(generate('drop-user-name', '--json', '--write'), backend);
    expect(json.code).toBe(3);
    const parsed = generateJsonSchema.parse(JSON.parse(json.stdout));
    expect(parsed).toMatchObject({ status: 'refused', refused: true, revision: null });
    expect(parsed.findings.find((f) => f.rule === 'drop-column')).toMatchObject({
      severity: 'error',
      confirmations: ['--allow-data-loss'],
      confirmed: false,
    });
    expect(versions(backend)).toEqual(ORIGINAL);

    const allowed = await runCli(generate('drop-user-name', '--allow-data-loss', '--write'), backend);
    expect(allowed.code).toBe(0);
    expect(versions(backend)).toHaveLength(4);
  });

  it('no schema change: "no schema changes", exit 0, nothing written', async () => {
    const backend = backendCopy();
    const result = await runCli(
      ['generate', '--base', 'app/models', '--head', 'app/models', '--backend', '.', '--write'],
      backend,
    );
    expect(result).toEqual({ code: 0, stdout: 'no schema changes\n', stderr: '' });
    expect(versions(backend)).toEqual(ORIGINAL);
  });

  it('bad input is exit 2, names file:line, and writes nothing', async () => {
    const backend = backendCopy();
    const syntax = await runCli(generate('syntax-error', '--write'), backend);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/flow-py-backend-changes\/syntax-error\/app\/models\/task\.py:16:\d+: syntax error/);

    const noIni = await runCli(generate('add-last-login', '--write').map((a) => (a === '.' ? 'app' : a)), backend);
    expect(noIni.code).toBe(2);
    expect(noIni.stderr).toMatch(/cannot read .*app\/alembic\.ini: no such file/);

    const badRevision = backendCopy();
    writeFileSync(path.join(badRevision, 'migrations/versions/004_broken.py'), "revision = '004'\ndown_revision = '999'\n");
    const broken = await runCli(generate('add-last-login'), badRevision);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/migrations\/versions\/004_broken\.py:2:1: revision 004 revises 999/);

    const typo = await runCli(generate('add-last-login').map((a) => (a === 'app/models' ? 'app/modles' : a)), backend);
    expect(typo).toMatchObject({ code: 2, stdout: '' });
    expect(typo.stderr).toContain('--base app/modles: no such folder');

    for (const args of [
      [...generate('add-last-login'), '--frobnicate'],
      generate('add-last-login').filter((a, i, all) => a !== '--backend' && all[i - 1] !== '--backend'),
      [...generate('add-last-login'), '--rename', 'not a rename'],
    ]) {
      const result = await runCli(args, backend);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
    }
    expect(versions(backend)).toEqual(ORIGINAL);
  });

  it('models that cannot be read fully: exit 2, the diagnostic at its line, nothing written', async () => {
    const backend = backendCopy();
    const user = path.join(backend, 'app/models/user.py');
    cpSync(path.join(backend, 'app'), path.join(backend, 'head'), { recursive: true });
    writeFileSync(
      path.join(backend, 'head/models/user.py'),
      `${readFileSync(user, 'utf8')}    avatar = mapped_column(make_avatar_type())\n`,
    );
    const args = ['generate', '--base', 'app/models', '--head', 'head/models', '--backend', '.', '--write'];
    const text = await runCli(args, backend);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^head\/models\/user\.py:17:\d+: error: .*\[[a-z-]+\]\n/m);
    expect(text.stderr).toContain('nothing was written');
    const json = await runCli([...args, '--json'], backend);
    expect(json.code).toBe(2);
    const parsed = generateJsonSchema.parse(JSON.parse(json.stdout));
    expect(parsed).toMatchObject({ status: 'unreadable', revision: null });
    expect(parsed.diagnostics.find((d) => d.severity === 'error')?.location).toMatchObject({ file: 'head/models/user.py', line: 17 });
    expect(versions(backend)).toEqual(ORIGINAL);
  });

  it('a foreign key to a table no model defines: exit 2 at the ForeignKey, nothing written', async () => {
    const backend = backendCopy();
    const user = path.join(backend, 'app/models/user.py');
    cpSync(path.join(backend, 'app'), path.join(backend, 'head'), { recursive: true });
    writeFileSync(
      path.join(backend, 'head/models/user.py'),
      `${readFileSync(user, 'utf8').replace('from sqlalchemy import', 'from sqlalchemy import ForeignKey, Integer,')}` +
        '    milestone_id: Mapped[int] = mapped_column(Integer, ForeignKey("milestones.id"))\n',
    );
    const run = await runCli(['generate', '--base', 'app/models', '--head', 'head/models', '--backend', '.', '--write'], backend);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^head\/models\/user\.py:17:56: error: the foreign key on users\.milestone_id refers to table milestones, which no model defines \[unknown-foreign-key-target\]\n/m);
    expect(run.stderr).toContain('nothing was written');
    expect(versions(backend)).toEqual(ORIGINAL);
  });

  it('several heads: exit 2 naming them; --down-revision picks one', async () => {
    const backend = backendCopy();
    const branch = readFileSync(path.join(backend, 'migrations/versions/003_create_tasks.py'), 'utf8')
      .replace(/"003"/g, '"003b"')
      .replace('Revision ID: 003', 'Revision ID: 003b');
    writeFileSync(path.join(backend, 'migrations/versions/003b_branch.py'), branch);
    const several = await runCli(generate('add-last-login', '--write'), backend);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain('the backend has several heads: 003, 003b');
    expect(several.stderr).toContain('--down-revision');
    const picked = await runCli(generate('add-last-login', '--down-revision', '003b'), backend);
    expect(picked.code).toBe(0);
    expect(picked.stdout).toContain("down_revision: Union[str, None] = '003b'");
  });
});

describe('flow-migrate diff', () => {
  it('prints the operations and findings; --json has the documented shape', async () => {
    const text = await runCli(['diff', '--base', 'app/models', '--head', head('drop-user-name')], FLOW_PY_BACKEND);
    // Refused until confirmed, as generate would be: exit 3.
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^1 change:\n {2}1\. drop name from users\n/);
    expect(text.stdout).toContain('confirm with: --allow-data-loss');

    const json = await runCli(['diff', '--base', 'app/models', '--head', head('add-last-login'), '--json'], FLOW_PY_BACKEND);
    expect(json.code).toBe(0);
    const parsed = diffJsonSchema.parse(JSON.parse(json.stdout));
    expect(parsed.refused).toBe(false);
    expect(parsed.operations[0]?.upgrade.join('\n')).toContain('last_login');
  });

  it('a removed + added pair is a possible rename until confirmed', async () => {
    const dir = path.join(ROOT, 'test/fixtures/plans/rename-column-unconfirmed');
    const args = ['diff', '--base', 'base/models', '--head', 'head/models'];
    const text = await runCli(args, dir);
    expect(text.stdout).toContain(
      'possible renames (treated as drop + add until confirmed):\n  tasks.status -> tasks.current_status: confirm with --rename tasks.status=current_status\n',
    );
    const json = diffJsonSchema.parse(JSON.parse((await runCli([...args, '--json'], dir)).stdout));
    expect(json.possibleRenames).toEqual([
      { kind: 'column', table: 'tasks', from: 'status', to: 'current_status', confirmation: '--rename tasks.status=current_status' },
    ]);
    expect(json.refused).toBe(true);
    const confirmed = diffJsonSchema.parse(
      JSON.parse((await runCli([...args, '--json', '--rename', 'tasks.status=current_status'], dir)).stdout),
    );
    expect(confirmed).toMatchObject({ possibleRenames: [], refused: false });
    expect(confirmed.operations.map((o) => o.summary)).toEqual(['rename tasks.status to current_status']);
  });

  it('a NOT NULL column with no value for existing rows: refused (no data-loss wording) until --assume-empty names the table', async () => {
    const dir = path.join(ROOT, 'test/fixtures/plans/not-null-no-default');
    const args = ['generate', '--base', 'base/models', '--head', 'head/models', '--backend', '../../backends/plans-backend'];
    const refused = await runCli(args, dir);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^refused: 1 change needs a confirmation; nothing was written\n/);
    expect(refused.stderr).toContain('existing rows need a value');
    expect(refused.stderr).toContain('confirm with: --assume-empty users');
    expect(refused.stderr).not.toMatch(/lose data|no flag confirms/);
    const allowed = await runCli([...args, '--assume-empty', 'users'], dir);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("op.add_column('users', sa.Column('score', sa.Integer(), nullable=False))");
    const diff = await runCli(['diff', '--base', 'base/models', '--head', 'head/models'], dir);
    expect(diff.stdout).toContain('\nrefused: nothing can be generated until the errors above are confirmed\n');
    expect(diff.stdout).not.toMatch(/lose data|would be lost/);
    const unknown = await runCli([...args, '--assume-empty', 'nope'], dir);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('--assume-empty nope: no table "nope" in the head models')]);
  });

  it('a syntax error is exit 2 with file:line', async () => {
    const result = await runCli(['diff', '--base', 'app/models', '--head', head('syntax-error')], FLOW_PY_BACKEND);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/task\.py:16:\d+: syntax error/);
  });
});

const BIN = path.join(ROOT, 'bin/flow-migrate.js');
const BUILT = path.join(ROOT, 'dist/bundle/cli/main.js');
const binSkip = existsSync(BUILT) ? null : 'dist/ is not built (npm run build; npm test builds it first)';

describe.skipIf(binSkip !== null)(`the real bin${binSkip ? ` (skipped: ${binSkip})` : ''}`, () => {
  it('node bin/flow-migrate.js generate: refused change → exit 3 and the confirming flag', () => {
    const result = spawnSync(process.execPath, [BIN, ...generate('drop-user-name')], { cwd: FLOW_PY_BACKEND, encoding: 'utf8' });
    expect(result.stderr).toContain('confirm with: --allow-data-loss');
    expect(result.status).toBe(3);
  });
});

/** Rows seeded after the fixture's own revisions, and what each state must still hold. */
const SEED = [
  "INSERT INTO users (email, name) VALUES ('ada@example.com', 'Ada')",
  "INSERT INTO bots (owner_id, name, status) SELECT id, 'helper', 'PAUSED' FROM users",
  "INSERT INTO tasks (bot_id, title, done) SELECT id, 'write docs', true FROM bots",
];
const VARIANTS: { variant: string; flags: string[]; upgraded: string; downgraded: string }[] = [
  {
    variant: 'add-last-login',
    flags: [],
    upgraded: "SELECT u.email, u.name, u.last_login, b.status::text, t.done FROM users u JOIN bots b ON b.owner_id = u.id JOIN tasks t ON t.bot_id = b.id",
    downgraded: "SELECT u.email, u.name, b.status::text, t.done FROM users u JOIN bots b ON b.owner_id = u.id JOIN tasks t ON t.bot_id = b.id",
  },
  {
    variant: 'combined',
    flags: ['--rename', 'tasks.done=completed', '--allow-data-loss'],
    upgraded: "SELECT u.email, u.last_login, b.status::text, t.completed, t.title FROM users u JOIN flowbots b ON b.owner_id = u.id JOIN tasks t ON t.bot_id = b.id",
    downgraded: "SELECT u.email, b.status::text, t.done, t.title FROM users u JOIN bots b ON b.owner_id = u.id JOIN tasks t ON t.bot_id = b.id",
  },
];

describe.skipIf(oracleSkipReason !== null)(
  `flow-py-backend under real Alembic${oracleSkipReason ? ` (skipped: ${oracleSkipReason})` : ''}`,
  () => {
    for (const { variant, flags, upgraded, downgraded } of VARIANTS) {
      it(`${variant}: the fixture's revisions build the base models; the written 004 goes upgrade → downgrade → upgrade`, async () => {
        const backend = backendCopy();
        const python = startOracle();
        const databases = await Promise.all([freshDatabase(), freshDatabase(), freshDatabase()]);
        const query = async (url: string, sql: string) => {
          const client = await connectTo(url);
          try {
            return (await client.query(sql)).rows as Record<string, unknown>[];
          } finally {
            await client.end();
          }
        };
        const catalogOf = async (url: string) => {
          const client = await connectTo(url);
          try {
            return await catalog(client);
          } finally {
            await client.end();
          }
        };
        try {
          const [baseUrl, headUrl, url] = databases.map((d) => d.url) as [string, string, string];
          await python.createAll(path.join(FLOW_PY_BACKEND, 'app/models'), baseUrl);
          await python.createAll(head(variant), headUrl);
          const ini = path.join(backend, 'alembic.ini');

          await python.alembic('upgrade', ini, 'head', url);
          expect(await catalogOf(url), 'the fixture’s own revisions').toEqual(await catalogOf(baseUrl));
          for (const sql of SEED) await query(url, sql);
          const before = await query(url, downgraded);
          expect(before).toHaveLength(1);

          const written = await runCli(generate(variant, '--write', ...flags), backend);
          expect(written.code, written.stderr).toBe(0);
          await python.alembic('upgrade', ini, 'head', url);
          expect(await catalogOf(url), 'after upgrade').toEqual(await catalogOf(headUrl));
          const after = await query(url, upgraded);
          expect(after).toHaveLength(1);
          await python.alembic('downgrade', ini, '-1', url);
          expect(await catalogOf(url), 'after downgrade').toEqual(await catalogOf(baseUrl));
          // The queries leave out a dropped column: its values cannot come back.
          expect(await query(url, downgraded)).toEqual(before);
          await python.alembic('upgrade', ini, 'head', url);
          expect(await catalogOf(url), 'after the second upgrade').toEqual(await catalogOf(headUrl));
          expect(await query(url, upgraded)).toEqual(after);
        } finally {
          python.close();
          await Promise.all(databases.map((d) => d.close()));
        }
      }, 180_000);
    }
  },
);

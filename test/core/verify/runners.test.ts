import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemTree } from '../../../src/adapters/fs/file-system-tree.js';
import { readBackend, renderRevisionFile } from '../../../src/core/backend/index.js';
import { plan } from '../../../src/core/plan/index.js';
import { renderAlembic } from '../../../src/core/render/index.js';
import { buildRevisionReport } from '../../../src/core/report/index.js';
import { roundTrip } from '../../../src/core/verify/round-trip.js';
import { alembicErrorSentence, alembicRunner, applyStatements, checkAlembic, RunnerUnavailableError, temporaryIni } from '../../../src/core/verify/runners.js';
import { baseStatements, checkDrift, verifyChange, verifyRevision } from '../../../src/core/verify/verify.js';
import { scenarios } from '../render/scenarios.js';
import { connectTo, databaseServerUrl, freshDatabase, type EphemeralDatabase } from '../../support/database.js';

describe('the sql runner', () => {
  let db: EphemeralDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db.close());

  it('runs statements that cannot be in a transaction outside one, and times each', async () => {
    const result = await applyStatements(db.url, [
      { sql: "SET LOCAL lock_timeout = '5s'", transactional: true, lock: 'none' },
      { sql: 'CREATE TABLE t (id integer, v text)', transactional: true, lock: 'none' },
      { sql: 'CREATE INDEX CONCURRENTLY ix_t_v ON t (v)', transactional: false, lock: 'SHARE UPDATE EXCLUSIVE on t' },
      { sql: 'ALTER TABLE t ADD COLUMN w text', transactional: true, lock: 'ACCESS EXCLUSIVE on t' },
    ]);
    expect(result.error).toBeNull();
    expect(result.statements.map((s) => s.lock)).toEqual(['none', 'none', 'SHARE UPDATE EXCLUSIVE on t', 'ACCESS EXCLUSIVE on t']);
    expect(result.statements.every((s) => typeof s.ms === 'number' && s.error === null)).toBe(true);
  });

  it('stops at the first error and rolls back the open transaction', async () => {
    const result = await applyStatements(db.url, [
      { sql: 'CREATE TABLE kept (id integer)', transactional: true, lock: 'none' },
      { sql: 'CREATE INDEX CONCURRENTLY ix_kept ON kept (id)', transactional: false, lock: 'none' },
      { sql: 'CREATE TABLE lost (id integer)', transactional: true, lock: 'none' },
      { sql: 'ALTER TABLE nowhere ADD COLUMN x integer', transactional: true, lock: 'none' },
      { sql: 'CREATE TABLE never (id integer)', transactional: true, lock: 'none' },
    ]);
    expect(result.error).toMatch(/relation "nowhere" does not exist/);
    expect(result.statements.map((s) => s.error === null)).toEqual([true, true, true, false]);
    const client = await connectTo(db.url);
    const { rows } = await client.query("SELECT relname FROM pg_class WHERE relname IN ('kept', 'lost', 'never') ORDER BY 1");
    await client.end();
    expect(rows.map((r) => r.relname)).toEqual(['kept']);
  });

  it('gives each statement of a transaction sent as one query its own time, whatever it ends with', async () => {
    const result = await applyStatements(db.url, [
      { sql: 'CREATE TABLE timed (id integer) -- a trailing comment', transactional: true, lock: 'none' },
      { sql: 'SELECT pg_sleep(0.05);', transactional: true, lock: 'none' },
      { sql: 'INSERT INTO timed VALUES (1); INSERT INTO timed VALUES (2)', transactional: true, lock: 'none' },
    ]);
    expect(result.error).toBeNull();
    expect(result.statements.map((s) => s.sql)).toEqual([
      'CREATE TABLE timed (id integer) -- a trailing comment',
      'SELECT pg_sleep(0.05);',
      'INSERT INTO timed VALUES (1); INSERT INTO timed VALUES (2)',
    ]);
    // The sleep is the second statement's, not spread over the query.
    expect(result.statements[1]!.ms).toBeGreaterThanOrEqual(49);
    const client = await connectTo(db.url);
    const { rows } = await client.query('SELECT count(*)::int AS n FROM timed');
    await client.end();
    expect(rows[0].n).toBe(2);
  });
});

describe('temporaryIni', () => {
  const ini = [
    '[alembic]',
    'script_location = migrations',
    'prepend_sys_path = %(here)s/src',
    'version_locations = %(here)s/a',
    '    %(here)s/b',
    'sqlalchemy.url = postgresql://prod/flow',
    '',
    '[logger_root]',
    'level = WARN',
  ].join('\n');

  it('points script_location and sqlalchemy.url at the copies, keeping everything else', () => {
    const out = temporaryIni(ini, { here: '/srv/backend', scriptLocation: '/tmp/x/script', versionLocations: ['/tmp/x/v0', '/tmp/x/v1'], url: 'postgresql://u:p%40ss@h/db' });
    expect(out.split('\n')).toEqual([
      '[alembic]',
      'script_location = /tmp/x/script',
      'prepend_sys_path = /srv/backend/src',
      'version_locations = /tmp/x/v0 /tmp/x/v1',
      'sqlalchemy.url = postgresql://u:p%%40ss@h/db',
      '',
      'version_path_separator = space',
      '[logger_root]',
      'level = WARN',
      '',
    ]);
  });

  it('adds the options an ini leaves out', () => {
    expect(temporaryIni('[alembic]\n', { here: '/b', scriptLocation: '/s', versionLocations: null, url: 'postgresql://h/d' })).toBe(
      '[alembic]\n\nscript_location = /s\nsqlalchemy.url = postgresql://h/d\n',
    );
  });
});

describe('alembicErrorSentence', () => {
  const traceback = [
    'Traceback (most recent call last):',
    '  File "/site/sqlalchemy/engine/base.py", line 1967, in _exec_single_context',
    '    self.dialect.do_execute(',
    '  File "/site/sqlalchemy/engine/default.py", line 941, in do_execute',
    '    cursor.execute(statement, parameters)',
    'psycopg2.errors.CheckViolation: check constraint "ck_users_email" of relation "users" is violated by some row',
    '',
    '',
    'The above exception was the direct cause of the following exception:',
    '',
    'Traceback (most recent call last):',
    '  File "<string>", line 9, in <module>',
    '  File "/tmp/script/versions/004.py", line 12, in upgrade',
    '    op.create_check_constraint("ck_users_email", "users", "email = \'x\'")',
    '  File "/site/sqlalchemy/engine/base.py", line 2355, in _handle_dbapi_exception',
    '    raise sqlalchemy_exception.with_traceback(exc_info[2]) from e',
    'sqlalchemy.exc.IntegrityError: (psycopg2.errors.CheckViolation) check constraint "ck_users_email" of relation "users" is violated by some row',
    '',
    '[SQL: ALTER TABLE users ADD CONSTRAINT ck_users_email CHECK (email = \'x\')]',
    '(Background on this error at: https://sqlalche.me/e/20/gkpj)',
    '',
  ].join('\n');

  it("is PostgreSQL's error line, without the traceback, the classes, the SQL and the background link", () => {
    expect(alembicErrorSentence(traceback)).toBe('check constraint "ck_users_email" of relation "users" is violated by some row');
    expect(alembicErrorSentence('psycopg2.errors.UndefinedTable: relation "nowhere" does not exist\n')).toBe('relation "nowhere" does not exist');
  });

  it('keeps the class of an error that is not the database\'s, and a message that is no exception', () => {
    const nameError = ['Traceback (most recent call last):', '  File "/tmp/script/versions/004.py", line 3, in upgrade', '    x()', "NameError: name 'x' is not defined", ''].join('\n');
    expect(alembicErrorSentence(nameError)).toBe("NameError: name 'x' is not defined");
    expect(alembicErrorSentence('could not run python3: spawn ENOENT\n')).toBe('could not run python3: spawn ENOENT');
  });
});

const python = process.env.FLOW_MIGRATE_PYTHON ?? 'python3';
const skipReason = (() => {
  const probe = spawnSync(python, ['-c', 'import alembic, sqlalchemy, psycopg2'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${python} cannot import alembic, sqlalchemy and psycopg2 (set FLOW_MIGRATE_PYTHON and PYTHONPATH)`;
})();

describe('checkAlembic', () => {
  it('says plainly when the python cannot run or cannot import Alembic', async () => {
    await expect(checkAlembic('/no/such/python3', process.env)).rejects.toThrow(RunnerUnavailableError);
    await expect(checkAlembic('/no/such/python3', process.env)).rejects.toThrow(/could not be run/);
    const bare = spawnSync('/usr/bin/python3', ['-c', 'pass']).status === 0;
    if (bare) await expect(checkAlembic('/usr/bin/python3', { PATH: process.env.PATH })).rejects.toThrow(/cannot import them/);
  });
});

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/backends/flow-py-backend');

describe.skipIf(skipReason !== null)(`the alembic runner${skipReason ? ` — SKIPPED: ${skipReason}` : ''}`, () => {
  let dir: string;
  const environment = () => ({ databaseUrl: databaseServerUrl(), python, env: process.env });
  const local = (p: string) => ({ tree: fileSystemTree(), dir: path.join(dir, p) });
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'flow-migrate-runner-test-'));
    cpSync(FIXTURE, path.join(dir, 'backend'), { recursive: true });
    cpSync(path.join(FIXTURE, 'app/models'), path.join(dir, 'head'), { recursive: true });
    const task = path.join(dir, 'head/task.py');
    writeFileSync(task, `${readFileSync(task, 'utf8').trimEnd()}\n    notes: Mapped[Optional[str]] = mapped_column(String(500))\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies a generated revision with Alembic, from the models and from the chain', async () => {
    for (const fromChain of [false, true]) {
      const result = await verifyChange({
        ...environment(),
        base: local('backend/app/models'),
        head: local('head'),
        backend: local('backend'),
        renames: [],
        allowDataLoss: false,
        runner: 'alembic',
        fromChain,
      });
      if (result.status !== 'done') throw new Error('unreadable');
      const v = result.verification!;
      expect(v.steps.flatMap((s) => s.differences)).toEqual([]);
      expect(v.passed).toBe(true);
      expect(v.base).toBe(fromChain ? 'chain' : 'models');
      // The command, then each statement Alembic ran (timed by our env.py).
      expect(v.steps.find((s) => s.name === 'upgrade')!.statements.map((s) => s.sql)).toEqual([
        'alembic upgrade 004',
        "SET LOCAL lock_timeout = '5s'",
        'ALTER TABLE tasks ADD COLUMN notes VARCHAR(500)',
      ]);
      expect(v.steps.find((s) => s.name === 'downgrade')!.statements.map((s) => s.sql)).toEqual([
        'alembic downgrade 003',
        "SET LOCAL lock_timeout = '5s'",
        'ALTER TABLE tasks DROP COLUMN notes',
      ]);
      expect(result.report.status).toBe('verified');
    }
  });

  it('catches a hand-written revision whose downgrade forgets a column (verify --revision)', async () => {
    const file = path.join(dir, 'backend/migrations/versions/004_add_notes.py');
    writeFileSync(
      file,
      [
        '"""add notes"""',
        'from alembic import op',
        'import sqlalchemy as sa',
        '',
        'revision = "004"',
        'down_revision = "003"',
        'branch_labels = None',
        'depends_on = None',
        '',
        'def upgrade():',
        '    op.add_column("tasks", sa.Column("notes", sa.String(500), nullable=True))',
        '    op.add_column("tasks", sa.Column("estimate", sa.Integer(), nullable=True))',
        '',
        'def downgrade():',
        '    op.drop_column("tasks", "notes")',
        '',
      ].join('\n'),
    );
    try {
      const result = await verifyRevision({ ...environment(), backend: local('backend'), revisionPath: file, head: null });
      const steps = result.verification.steps;
      expect(steps.map((s) => `${s.name}:${s.status}`)).toEqual(['base:passed', 'seed:passed', 'upgrade:passed', 'downgrade:failed', 'upgrade-again:failed']);
      expect(steps[3]!.differences.map((d) => d.message)).toEqual([expect.stringMatching(/tasks.*estimate/)]);
      expect(result.revision).toMatchObject({ id: '004', downRevisions: ['003'] });
    } finally {
      rmSync(file);
    }
  });

  it('reports a statement Alembic could not run in one sentence, naming the statement (no traceback)', async () => {
    const file = path.join(dir, 'backend/migrations/versions/004_check_email.py');
    const revision = ['from alembic import op', '', 'revision = "004"', 'down_revision = "003"', '', 'def upgrade():'];
    writeFileSync(file, [...revision, '    op.create_check_constraint("ck_users_email_x", "users", "email = \'x\'")', '', 'def downgrade():', '    op.drop_constraint("ck_users_email_x", "users")', ''].join('\n'));
    try {
      const { verification } = await verifyRevision({ ...environment(), backend: local('backend'), revisionPath: file, head: null });
      const upgrade = verification.steps.find((s) => s.name === 'upgrade')!;
      expect(upgrade.differences).toEqual([
        {
          kind: 'error',
          subject: "ALTER TABLE users ADD CONSTRAINT ck_users_email_x CHECK (email = 'x')",
          message: 'alembic upgrade 004 failed: check constraint "ck_users_email_x" of relation "users" is violated by some row',
        },
      ]);
      expect(JSON.stringify(verification)).not.toMatch(/Traceback|File "|sqlalche\.me/);
    } finally {
      rmSync(file);
    }
  });

  describe('a revision that renames users.name to display_name, by hand', () => {
    const rename = '    op.alter_column("users", "name", new_column_name="display_name")';
    const dropAdd = (from: string, to: string) => [`    op.drop_column("users", "${from}")`, `    op.add_column("users", sa.Column("${to}", sa.String(100), nullable=True))`];
    const verifyWith = async (upgrade: string[], downgrade: string[]) => {
      const file = path.join(dir, 'backend/migrations/versions/004_display_name.py');
      const head = ['"""display name"""', 'from alembic import op', 'import sqlalchemy as sa', '', 'revision = "004"', 'down_revision = "003"', ''];
      writeFileSync(file, [...head, 'def upgrade():', ...upgrade, '', 'def downgrade():', ...downgrade, ''].join('\n'));
      try {
        return (await verifyRevision({ ...environment(), backend: local('backend'), revisionPath: file, head: null })).verification;
      } finally {
        rmSync(file);
      }
    };
    const statuses = (v: { steps: { name: string; status: string }[] }) => v.steps.map((s) => `${s.name}:${s.status}`);

    it('passes as a rename both ways: the values moved, nothing is lost', async () => {
      const v = await verifyWith([rename], ['    op.alter_column("users", "display_name", new_column_name="name")']);
      expect(statuses(v)).toEqual(['base:passed', 'seed:passed', 'upgrade:passed', 'downgrade:passed', 'upgrade-again:passed']);
      expect(v.lost).toEqual([]);
    });

    it('names the values an upgrade that drops and adds loses', async () => {
      const v = await verifyWith(dropAdd('name', 'display_name'), dropAdd('display_name', 'name'));
      expect(v.lost).toEqual([expect.stringMatching(/^column users\.name with its \d+ seeded values$/)]);
      expect(buildRevisionReport({ revision: { path: 'x', id: '004', downRevisions: ['003'], content: '' }, verification: v, allowDataLoss: false }).status).toBe('refused');
    });

    it('fails a downgrade that drops and adds: the base values the upgrade kept are gone', async () => {
      const v = await verifyWith([rename], dropAdd('display_name', 'name'));
      expect(v.lost).toEqual([]);
      expect(statuses(v).slice(2, 4)).toEqual(['upgrade:passed', 'downgrade:failed']);
      expect(v.steps[3]!.differences[0]!.message).toMatch(/^users\.name of row id=\d+ is NULL, expected /);
    });
  });

  it('with --from-chain, reports drift between the chain and the base models first', async () => {
    cpSync(path.join(dir, 'head'), path.join(dir, 'head2'), { recursive: true });
    const user = path.join(dir, 'head2/user.py');
    writeFileSync(user, `${readFileSync(user, 'utf8').trimEnd()}\n    nickname: Mapped[Optional[str]] = mapped_column(String(40))\n`);
    const result = await verifyChange({ ...environment(), base: local('head'), head: local('head2'), backend: local('backend'), renames: [], allowDataLoss: false, runner: 'alembic', fromChain: true });
    if (result.status !== 'done') throw new Error('unreadable');
    const [base] = result.verification!.steps;
    expect(base!.status).toBe('failed');
    expect(base!.differences.map((d) => d.message)).toEqual([expect.stringMatching(/^column tasks.notes: missing/)]);
    expect(result.report.status).toBe('verification-failed');
  });

  it('checks drift between the chain and the models in both directions', async () => {
    const inSync = await checkDrift({ ...environment(), models: local('backend/app/models'), backend: local('backend') });
    expect(inSync).toEqual({ heads: ['003'], differences: [], notes: [], error: null });
    const ahead = await checkDrift({ ...environment(), models: local('head'), backend: local('backend') });
    expect(ahead.differences.map((d) => [d.direction, d.table, d.object])).toEqual([['models ahead of migrations', 'tasks', 'notes']]);
  });
});

describe('ephemeral databases', () => {
  it('leaves no database behind after a verification, also a failed one', async () => {
    const list = async () => {
      const client = await connectTo(databaseServerUrl());
      const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'flow\\_migrate\\_%' AND datname LIKE $1", [`%\\_${process.pid}\\_%`]);
      await client.end();
      return rows.map((r) => r.datname as string).sort();
    };
    const before = await list();
    const models = path.resolve(import.meta.dirname, '../../fixtures/github/repositories/flowbot-commons');
    const tree = fileSystemTree();
    const run = (head: string) =>
      verifyChange({
        databaseUrl: databaseServerUrl(),
        base: { tree, dir: path.join(models, 'base') },
        head: { tree, dir: path.join(models, head) },
        backend: null,
        renames: [],
        allowDataLoss: true,
        runner: 'sql',
        fromChain: false,
      });
    const passed = await run('add-notes');
    expect(passed.status === 'done' && passed.report.status).toBe('verified');
    await expect(run('syntax-error')).rejects.toThrow(/syntax error/);
    expect(await list()).toEqual(before);
  });
});

describe.skipIf(skipReason !== null).concurrent(`every planner scenario verifies with the alembic runner${skipReason ? ` — SKIPPED: ${skipReason}` : ''}`, () => {
  it.each(scenarios.filter((s) => !s.outsideModels).map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flow-migrate-scenario-'));
    const db = await freshDatabase();
    try {
      writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = migrations\n');
      mkdirSync(path.join(dir, 'migrations/versions'), { recursive: true });
      const tree = fileSystemTree();
      const backend = await readBackend(dir, tree);
      const planned = plan(scenario.base, scenario.head, scenario.options);
      const revision = renderRevisionFile({ backend, body: renderAlembic(planned, backend.style), message: 'change', downRevision: null, now: new Date(0), randomId: () => 'a1b2c3d4e5f6' });
      const runner = await alembicRunner({
        backend,
        tree,
        extraRevision: { fileName: path.basename(revision.path), content: revision.content },
        upgradeTo: revision.id,
        downgradeTo: 'base',
        python,
      });
      try {
        const v = await roundTrip({
          url: db.url,
          base: scenario.base,
          head: scenario.head,
          buildBase: async (url) => {
            const setup = await applyStatements(url, (scenario.setup ?? []).map((sql) => ({ sql, transactional: true, lock: 'none' })));
            return setup.error ? setup : applyStatements(url, baseStatements(scenario.base));
          },
          baseSource: 'models',
          runner,
          plan: planned,
        });
        expect(v.steps.filter((s) => s.status !== 'passed').map((s) => ({ step: s.name, differences: s.differences }))).toEqual([]);
      } finally {
        await runner.close();
      }
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

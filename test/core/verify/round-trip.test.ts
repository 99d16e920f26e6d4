import { afterEach, describe, expect, it } from 'vitest';
import { plan } from '../../../src/core/plan/index.js';
import { renderSql, type SqlStatement } from '../../../src/core/render/index.js';
import type { Schema } from '../../../src/core/schema/model.js';
import { ExtensionUnavailableError, roundTrip, type Verification } from '../../../src/core/verify/round-trip.js';
import { sqlRunner } from '../../../src/core/verify/runners.js';
import { baseStatements } from '../../../src/core/verify/verify.js';
import { applyStatements } from '../../../src/core/verify/runners.js';
import { freshDatabase, runSql, type EphemeralDatabase } from '../../support/database.js';
import { check, col, enumCol, enumType, fk, index, schema, table, unique } from '../../support/schema-builder.js';
import { scenarios } from '../render/scenarios.js';

const status = enumType('taskstatus', ['TODO', 'DOING', 'DONE']);
const users = table(
  'users',
  [col('id', 'integer', { serial: true }), col('email', 'varchar', { length: 255, nullable: false }), col('name', 'varchar', { length: 100 })],
  { uniqueConstraints: [unique('uq_users_email', ['email'])] },
);
const tasks = (extra: ReturnType<typeof col>[] = [], statusName = 'status') =>
  table(
    'tasks',
    [
      col('id', 'integer', { serial: true }),
      col('owner_id', 'integer', { nullable: false }),
      col('title', 'varchar', { length: 200, nullable: false }),
      enumCol(statusName, 'taskstatus', { nullable: false }),
      col('priority', 'integer', { nullable: false }),
      ...extra,
    ],
    {
      foreignKeys: [fk('fk_tasks_owner_id_users', ['owner_id'], 'users', ['id'])],
      checkConstraints: [check('ck_tasks_priority', 'priority > 0')],
    },
  );
const base = schema([users, tasks()], [status]);
const head = schema([users, tasks([col('done', 'boolean', { nullable: false, serverDefault: 'false' })], 'state')], [status]);
const options = { renames: [{ kind: 'column' as const, table: 'tasks', from: 'status', to: 'state' }], allowDataLoss: false };

let db: EphemeralDatabase | null = null;
afterEach(async () => {
  await db?.close();
  db = null;
});

async function verify(baseSchema: Schema, headSchema: Schema, edit?: (script: { upgrade: SqlStatement[]; downgrade: SqlStatement[] }) => void): Promise<Verification> {
  db = await freshDatabase();
  const planned = plan(baseSchema, headSchema, options);
  const script = renderSql(planned);
  edit?.(script);
  return roundTrip({
    url: db.url,
    base: baseSchema,
    head: headSchema,
    buildBase: (url) => applyStatements(url, baseStatements(baseSchema)),
    baseSource: 'models',
    runner: sqlRunner(script),
    plan: planned,
  });
}

const summary = (v: Verification) => v.steps.map((s) => `${s.name}:${s.status}`);
const differences = (v: Verification, step: string) => v.steps.find((s) => s.name === step)!.differences;

describe('round trip with the sql runner', () => {
  it('passes a sound migration: every step, every statement timed, rows seeded', async () => {
    const v = await verify(base, head);
    expect(v.steps.flatMap((s) => s.differences)).toEqual([]);
    expect(summary(v)).toEqual(['base:passed', 'seed:passed', 'upgrade:passed', 'downgrade:passed', 'upgrade-again:passed']);
    expect(v.passed).toBe(true);
    expect(v.seeded.every((t) => t.rows > 0)).toBe(true);
    const upgrade = v.steps.find((s) => s.name === 'upgrade')!;
    expect(upgrade.statements.map((s) => s.sql).join('\n')).toContain('RENAME COLUMN status TO state');
    expect(upgrade.statements.every((s) => s.ms >= 0 && s.error === null)).toBe(true);
  });

  it('catches a downgrade that forgets a column', async () => {
    const v = await verify(base, head, (script) => {
      script.downgrade = script.downgrade.filter((s) => !/DROP COLUMN done/.test(s.sql));
    });
    expect(summary(v)).toEqual(['base:passed', 'seed:passed', 'upgrade:passed', 'downgrade:failed', 'upgrade-again:failed']);
    expect(differences(v, 'downgrade').map((d) => d.message)).toEqual([expect.stringMatching(/tasks.*done/)]);
  });

  it('catches an upgrade that loses a renamed column\'s data', async () => {
    const v = await verify(base, head, (script) => {
      script.upgrade = script.upgrade.flatMap((s) =>
        /RENAME COLUMN status TO state/.test(s.sql)
          ? [
              { ...s, sql: 'ALTER TABLE tasks DROP COLUMN status' },
              { ...s, sql: "ALTER TABLE tasks ADD COLUMN state taskstatus NOT NULL DEFAULT 'TODO'" },
              { ...s, sql: 'ALTER TABLE tasks ALTER COLUMN state DROP DEFAULT' },
            ]
          : [s],
      );
    });
    expect(v.steps.find((s) => s.name === 'upgrade')!.status).toBe('failed');
    const rows = differences(v, 'upgrade').filter((d) => d.kind === 'row');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]!.subject).toMatch(/^tasks\.state \(id=\d+\)$/);
    expect(v.passed).toBe(false);
  });

  it('catches a type cast that fails on seeded rows, at the upgrade, with the statement', async () => {
    const widenedUsers = { ...users, columns: users.columns.map((c) => (c.name === 'name' ? col('name', 'text') : c)) };
    const widened = schema([widenedUsers, tasks([col('done', 'boolean', { nullable: false, serverDefault: 'false' })], 'state')], [status]);
    const v = await verify(base, widened, (script) => {
      // A hand edit: the models widen users.name to text, the migration casts it to integer.
      script.upgrade = script.upgrade.map((s) =>
        /ALTER COLUMN name TYPE text/.test(s.sql) ? { ...s, sql: 'ALTER TABLE users ALTER COLUMN name TYPE integer USING name::integer' } : s,
      );
    });
    expect(summary(v)).toEqual(['base:passed', 'seed:passed', 'upgrade:failed', 'downgrade:skipped', 'upgrade-again:skipped']);
    const [failure] = differences(v, 'upgrade');
    expect(failure).toEqual({
      kind: 'error',
      subject: 'ALTER TABLE users ALTER COLUMN name TYPE integer USING name::integer',
      message: expect.stringMatching(/invalid input syntax for type integer/),
    });
  });

  it('seeds values that survive a conversion the plan makes, and checks them converted', async () => {
    const codes = (type: string) => schema([table('items', [col('id', 'integer', { serial: true }), col('code', type, { nullable: false })])]);
    db = await freshDatabase();
    const planned = plan(codes('text'), codes('integer'), { renames: [], allowDataLoss: true });
    const v = await roundTrip({
      url: db.url,
      base: codes('text'),
      head: codes('integer'),
      buildBase: (url) => applyStatements(url, baseStatements(codes('text'))),
      baseSource: 'models',
      runner: sqlRunner(renderSql(planned)),
      plan: planned,
    });
    expect(v.steps.flatMap((s) => s.differences)).toEqual([]);
    expect(v.passed).toBe(true);
  });

  it('catches a schema that differs from the models', async () => {
    const headTasks = tasks([col('done', 'boolean', { nullable: false, serverDefault: 'false' })], 'state');
    const wanted = schema([users, { ...headTasks, indexes: [index('ix_tasks_title', ['title'])] }], [status]);
    db = await freshDatabase();
    const planned = plan(base, head, options);
    const v = await roundTrip({
      url: db.url,
      base,
      head: wanted,
      buildBase: (url) => applyStatements(url, baseStatements(base)),
      baseSource: 'models',
      runner: sqlRunner(renderSql(planned)),
      plan: planned,
    });
    expect(differences(v, 'upgrade').map((d) => d.subject)).toEqual(['tasks.ix_tasks_title']);
    expect(differences(v, 'upgrade-again').map((d) => d.subject)).toEqual(['tasks.ix_tasks_title']);
    expect(v.passed).toBe(false);
  });

  it('checks that a backfill holds on every seeded row', async () => {
    const v = await verify(base, head, (script) => {
      // The column arrives with a different default than the models say: seeded rows get true.
      script.upgrade = script.upgrade.map((s) => (/ADD COLUMN done/.test(s.sql) ? { ...s, sql: s.sql.replace('DEFAULT false', 'DEFAULT true') } : s));
    });
    const rows = differences(v, 'upgrade').filter((d) => d.kind === 'row');
    expect(rows.length).toBe(v.seeded.find((t) => t.table === 'tasks')!.rows);
    expect(rows[0]!.message).toMatch(/tasks\.done of row id=\d+ is "true", expected "false"/);
  });
});

describe('round trip on a server without an extension the revision needs', () => {
  const missing = 'flow_migrate_no_such_extension';

  it("stops before anything runs, naming the extension, when the plan's is missing", async () => {
    db = await freshDatabase();
    const planned = plan(base, head, options);
    const required = {
      ...planned,
      operations: [{ summary: `require extension ${missing}`, table: null, upgrade: [{ kind: 'createExtension' as const, name: missing }], downgrade: [] }, ...planned.operations],
    };
    const run = roundTrip({
      url: db.url,
      base,
      head,
      buildBase: (url) => applyStatements(url, baseStatements(base)),
      baseSource: 'models',
      runner: sqlRunner(renderSql(required)),
      plan: required,
    });
    await expect(run).rejects.toThrow(ExtensionUnavailableError);
    await expect(run).rejects.toThrow(`extension ${missing}, which the revision needs, is not available on this PostgreSQL server`);
    expect((await runSql(db.url, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows).toEqual([{ n: 0 }]);
  });

  it('checks the extensions it is given (the base\'s too), listing only the missing ones', async () => {
    db = await freshDatabase();
    const planned = plan(base, head, options);
    const error = await roundTrip({
      url: db.url,
      base,
      head,
      buildBase: (url) => applyStatements(url, baseStatements(base)),
      baseSource: 'models',
      runner: sqlRunner(renderSql(planned)),
      plan: planned,
      extensions: ['plpgsql', missing],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtensionUnavailableError);
    expect((error as ExtensionUnavailableError).extensions).toEqual([missing]);
  });
});

describe('every planner scenario verifies with the sql runner', () => {
  it.each(scenarios.filter((s) => !s.outsideModels).map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    db = await freshDatabase();
    const planned = plan(scenario.base, scenario.head, scenario.options);
    const v = await roundTrip({
      url: db.url,
      base: scenario.base,
      head: scenario.head,
      buildBase: async (url) => {
        const setup = await applyStatements(url, (scenario.setup ?? []).map((sql) => ({ sql, transactional: true, lock: 'none' })));
        return setup.error ? setup : applyStatements(url, baseStatements(scenario.base));
      },
      baseSource: 'models',
      runner: sqlRunner(renderSql(planned)),
      plan: planned,
    });
    expect(v.steps.filter((s) => s.status !== 'passed').map((s) => ({ step: s.name, differences: s.differences }))).toEqual([]);
    expect(v.seeded.reduce((n, t) => n + t.rows, 0)).toBeGreaterThan(0);
  });
});

describe('round trip of a change that adds or tightens a CHECK', () => {
  const withChecks = (tableChecks: ReturnType<typeof check>[]) => ({ ...tasks(), checkConstraints: tableChecks });
  const people = (expression: string) =>
    table('people', [col('id', 'integer', { serial: true }), col('age', 'integer', { nullable: false })], {
      checkConstraints: [check('ck_people_age', expression)],
    });
  const verifyChange = async (from: Schema, to: Schema, renames: Parameters<typeof plan>[2]['renames'] = []) => {
    db = await freshDatabase();
    const planned = plan(from, to, { renames, allowDataLoss: false });
    return roundTrip({
      url: db.url,
      base: from,
      head: to,
      buildBase: (url) => applyStatements(url, baseStatements(from)),
      baseSource: 'models',
      runner: sqlRunner(renderSql(planned)),
      plan: planned,
    });
  };

  it('seeds rows the BETWEEN the head adds accepts, so the upgrade passes', async () => {
    const from = schema([users, tasks()], [status]);
    const to = schema([users, withChecks([check('ck_tasks_priority', 'priority > 0'), check('ck_tasks_priority_range', 'priority BETWEEN 0 AND 5')])], [status]);
    const v = await verifyChange(from, to);
    expect(v.steps.flatMap((s) => s.differences)).toEqual([]);
    expect(summary(v)).toEqual(['base:passed', 'seed:passed', 'upgrade:passed', 'downgrade:passed', 'upgrade-again:passed']);
    expect(v.seeded.find((t) => t.table === 'tasks')!.rows).toBeGreaterThan(0);
  });

  it('seeds rows a CHECK the head changes (>= 0 to >= 1) accepts', async () => {
    const v = await verifyChange(schema([people('age >= 0')]), schema([people('age >= 1')]));
    expect(v.steps.flatMap((s) => s.differences)).toEqual([]);
    expect(v.passed).toBe(true);
    expect(v.seeded).toEqual([{ table: 'people', rows: 6 }]);
  });

  it('reads the head\'s CHECK on a renamed column by its base name', async () => {
    const renamed = (name: string, expression: string) =>
      table('people', [col('id', 'integer', { serial: true }), col(name, 'integer', { nullable: false })], {
        checkConstraints: [check('ck_people_age', expression)],
      });
    const v = await verifyChange(schema([renamed('age', 'age >= 0')]), schema([renamed('years', 'years >= 1')]), [
      { kind: 'column', table: 'people', from: 'age', to: 'years' },
    ]);
    expect(v.steps.flatMap((s) => s.differences)).toEqual([]);
    expect(v.passed).toBe(true);
  });

  it('notes a head CHECK no row can meet, and still seeds the rows the base accepts', async () => {
    const v = await verifyChange(schema([people('age >= 0')]), schema([people('age >= 0 AND age < 0')]));
    expect(v.seedNotes).toEqual(["people: no row meets the head's ck_people_age as well as the base's checks: rows fit the base's alone"]);
    expect(v.seeded).toEqual([{ table: 'people', rows: 6 }]);
    // Such a CHECK fails on any data: the upgrade shows it.
    expect(summary(v)).toEqual(['base:passed', 'seed:passed', 'upgrade:failed', 'downgrade:skipped', 'upgrade-again:skipped']);
  });
});

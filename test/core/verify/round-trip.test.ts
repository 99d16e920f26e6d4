import { afterEach, describe, expect, it } from 'vitest';
import { plan } from '../../../src/core/plan/index.js';
import { renderSql, type SqlStatement } from '../../../src/core/render/index.js';
import type { Schema } from '../../../src/core/schema/model.js';
import { roundTrip, type Verification } from '../../../src/core/verify/round-trip.js';
import { sqlRunner } from '../../../src/core/verify/runners.js';
import { baseStatements } from '../../../src/core/verify/verify.js';
import { applyStatements } from '../../../src/core/verify/runners.js';
import { freshDatabase, type EphemeralDatabase } from '../../support/database.js';
import { check, col, enumCol, enumType, fk, index, schema, table, unique } from '../../support/schema-builder.js';

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
    const narrowed = schema([table('users', [col('id', 'integer', { serial: true }), col('email', 'varchar', { length: 255, nullable: false }), col('name', 'integer')])]);
    const plainBase = schema([users]);
    db = await freshDatabase();
    const planned = plan(plainBase, narrowed, { renames: [], allowDataLoss: true });
    const v = await roundTrip({
      url: db.url,
      base: plainBase,
      head: narrowed,
      buildBase: (url) => applyStatements(url, baseStatements(plainBase)),
      baseSource: 'models',
      runner: sqlRunner(renderSql(planned)),
      plan: planned,
    });
    expect(summary(v)).toEqual(['base:passed', 'seed:passed', 'upgrade:failed', 'downgrade:skipped', 'upgrade-again:skipped']);
    const [failure] = differences(v, 'upgrade');
    expect(failure!.kind).toBe('error');
    expect(failure!.message).toMatch(/invalid input syntax for type integer/);
  });

  it('catches a schema that differs from the models', async () => {
    const wanted = schema([users, tasks([col('done', 'boolean', { nullable: false, serverDefault: 'false' })], 'state')], [status]);
    wanted.tables[1]!.indexes.push(index('ix_tasks_title', ['title']));
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

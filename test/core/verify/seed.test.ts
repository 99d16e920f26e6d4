import { describe, expect, it } from 'vitest';
import { allowedLiterals, checkConditions, numericBounds, planSeed, scalarValue, seedSession } from '../../../src/core/verify/seed.js';
import type { Table } from '../../../src/core/schema/model.js';
import type { Verification } from '../../../src/core/verify/round-trip.js';
import { check, col, enumCol, enumType, fk, index, schema, table, type, unique } from '../../support/schema-builder.js';

const users = table(
  'users',
  [col('id', 'integer', { serial: true }), col('email', 'varchar', { length: 255, nullable: false }), col('name', 'varchar', { length: 100 })],
  { uniqueConstraints: [unique('uq_users_email', ['email'])] },
);
const bots = table(
  'bots',
  [col('id', 'integer', { serial: true }), col('owner_id', 'integer', { nullable: false }), enumCol('status', 'botstatus', { nullable: false })],
  { foreignKeys: [fk('fk_bots_owner_id_users', ['owner_id'], 'users', ['id'])] },
);
const statusEnum = enumType('botstatus', ['ACTIVE', 'PAUSED']);

function rowsOf(plan: ReturnType<typeof planSeed>, name: string) {
  const t = plan.tables.find((x) => x.table === name)!;
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
}

describe('planSeed', () => {
  it('inserts parents before children and points every foreign key at a seeded parent', () => {
    const plan = planSeed(schema([bots, users], [statusEnum]));
    expect(plan.tables.map((t) => t.table)).toEqual(['users', 'bots']);
    const userIds = new Set(rowsOf(plan, 'users').map((r) => r.id));
    const botRows = rowsOf(plan, 'bots');
    expect(botRows.length).toBeGreaterThan(0);
    for (const row of botRows) expect(userIds.has(row.owner_id!)).toBe(true);
    expect(plan.statements[0]!.sql).toMatch(/^INSERT INTO users \(id, email, name\) VALUES \(\$1, \$2, \$3\)/);
  });

  it('leaves a table said to be empty (--assume-empty) empty, and its NOT NULL children with it', () => {
    const plan = planSeed(schema([bots, users], [statusEnum]), { empty: ['users'] });
    expect([rowsOf(plan, 'users'), rowsOf(plan, 'bots')]).toEqual([[], []]);
    expect(plan.notes).toContainEqual({ table: 'users', message: 'left empty: the change assumes it holds no rows (--assume-empty)' });
  });

  it('is deterministic', () => {
    const s = schema([users, table('tokens', [col('id', 'uuid', { nullable: false })])]);
    expect(planSeed(s)).toEqual(planSeed(s));
    expect(planSeed(s, { seed: 2 })).not.toEqual(planSeed(s));
  });

  it('uses enum labels, leaves some nullable values NULL and never a NOT NULL one', () => {
    const plan = planSeed(schema([users, bots], [statusEnum]));
    const botRows = rowsOf(plan, 'bots');
    expect(new Set(botRows.map((r) => r.status))).toEqual(new Set(['ACTIVE', 'PAUSED']));
    const userRows = rowsOf(plan, 'users');
    expect(userRows.some((r) => r.name === null)).toBe(true);
    expect(userRows.every((r) => r.email !== null && r.id !== null)).toBe(true);
  });

  it('keeps unique tuples unique, trimming rows when the value space is small', () => {
    const flags = table('flags', [col('id', 'integer', { serial: true }), col('on', 'boolean', { nullable: false })], {
      indexes: [index('ix_flags_on', ['on'], { unique: true })],
    });
    expect(rowsOf(planSeed(schema([flags])), 'flags').map((r) => r.on)).toEqual(['true', 'false']);
  });

  it('gives an association table distinct pairs of parents', () => {
    const members = table('members', [col('user_id', 'integer', { nullable: false }), col('bot_id', 'integer', { nullable: false })], {
      pk: ['user_id', 'bot_id'],
      foreignKeys: [fk('fk_u', ['user_id'], 'users', ['id']), fk('fk_b', ['bot_id'], 'bots', ['id'])],
    });
    const rows = rowsOf(planSeed(schema([members, bots, users], [statusEnum]), { rowsPerTable: 6 }), 'members');
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => `${r.user_id}/${r.bot_id}`)).size).toBe(6);
  });

  it('breaks a cycle through a nullable foreign key with an UPDATE after the inserts', () => {
    const a = table('a', [col('id', 'integer', { serial: true }), col('b_id', 'integer')], { foreignKeys: [fk('fk_a_b', ['b_id'], 'b', ['id'])] });
    const b = table('b', [col('id', 'integer', { serial: true }), col('a_id', 'integer', { nullable: false })], {
      foreignKeys: [fk('fk_b_a', ['a_id'], 'a', ['id'])],
    });
    const plan = planSeed(schema([a, b]));
    expect(plan.tables.map((t) => t.table)).toEqual(['a', 'b']);
    const updates = plan.statements.filter((s) => s.sql.startsWith('UPDATE a SET b_id'));
    expect(updates.length).toBeGreaterThan(0);
    expect(rowsOf(plan, 'a').every((r) => r.b_id !== null)).toBe(true);
  });

  it('leaves a cycle of NOT NULL references empty and says why', () => {
    const a = table('a', [col('id', 'integer', { serial: true }), col('b_id', 'integer', { nullable: false })], { foreignKeys: [fk('fk_a_b', ['b_id'], 'b', ['id'])] });
    const b = table('b', [col('id', 'integer', { serial: true }), col('a_id', 'integer', { nullable: false })], { foreignKeys: [fk('fk_b_a', ['a_id'], 'a', ['id'])] });
    const plan = planSeed(schema([a, b]));
    expect(plan.tables.every((t) => t.rows.length === 0)).toBe(true);
    expect(plan.notes.map((n) => n.table).sort()).toEqual(['a', 'b']);
  });

  it('respects simple CHECK constraints', () => {
    const t = table('tasks', [col('id', 'integer', { serial: true }), col('priority', 'integer', { nullable: false }), col('kind', 'text', { nullable: false })], {
      checkConstraints: [check('ck_priority', 'priority >= 10 AND priority <= 12'), check('ck_kind', "kind IN ('bug', 'feature')")],
    });
    const rows = rowsOf(planSeed(schema([t])), 'tasks');
    for (const r of rows) {
      expect(Number(r.priority)).toBeGreaterThanOrEqual(10);
      expect(Number(r.priority)).toBeLessThanOrEqual(12);
      expect(['bug', 'feature']).toContain(r.kind);
    }
  });

  it("fits the CHECKs the head adds or changes too (checksAfter): bounds and literal sets of both at once", () => {
    const t = table('tasks', [col('id', 'integer', { serial: true }), col('priority', 'integer', { nullable: false }), col('kind', 'text', { nullable: false })], {
      checkConstraints: [check('ck_priority', 'priority > 0'), check('ck_kind', "kind IN ('bug', 'feature', 'chore')")],
    });
    const checksAfter = {
      tasks: [check('ck_priority_range', 'priority BETWEEN 0 AND 3'), check('ck_kind', "kind IN ('feature', 'chore', 'epic')")],
    };
    const rows = rowsOf(planSeed(schema([t]), { checksAfter }), 'tasks');
    expect(rows.length).toBe(6);
    for (const r of rows) {
      expect(Number(r.priority)).toBeGreaterThanOrEqual(1);
      expect(Number(r.priority)).toBeLessThanOrEqual(3);
      expect(['feature', 'chore']).toContain(r.kind);
    }
  });

  it('moves serial sequences past the explicit ids', () => {
    const plan = planSeed(schema([users]));
    expect(plan.statements.at(-1)!.sql).toContain('setval(pg_get_serial_sequence');
  });
});

describe('values', () => {
  it('fits varchar lengths and numeric precision', () => {
    expect(scalarValue('email', type('varchar', { length: 3 }), 40, schema([]))!.length).toBeLessThanOrEqual(3);
    expect(scalarValue('amount', type('numeric', { precision: 4, scale: 2 }), 200, schema([]))).toMatch(/^\d{1,2}\.\d{2}$/);
    expect(scalarValue('x', type('no_such_type'), 0, schema([]))).toBeNull();
  });

  it('splits a CHECK into the conditions it ANDs together, so progress towards it shows', () => {
    expect(checkConditions('((expires_at > created_at) AND ((attempts >= 0) AND (attempts <= max_attempts)))')).toEqual([
      'expires_at > created_at',
      'attempts >= 0',
      'attempts <= max_attempts',
    ]);
    expect(checkConditions('x BETWEEN 1 AND 5 AND y > x')).toEqual(['x BETWEEN 1 AND 5', 'y > x']);
    expect(checkConditions("(kind = 'a AND b') AND (\"and\" > 0)")).toEqual(["kind = 'a AND b'", '"and" > 0']);
    expect(checkConditions('(a > 0) AND (b > 0) OR (c > 0)')).toEqual(['(a > 0) AND (b > 0) OR (c > 0)']);
    expect(checkConditions('false')).toEqual(['false']);
  });

  it('varies a rejected row in the named columns, and replays a fitting change on the next row', () => {
    const t = table('slots', [col('id', 'integer', { serial: true }), col('starts_at', 'timestamptz', { nullable: false }), col('ends_at', 'timestamptz'), col('seats', 'numeric', { precision: 6, scale: 2, nullable: false })], {
      checkConstraints: [check('ck_slots_order', 'ends_at > starts_at'), check('ck_slots_seats', 'seats BETWEEN 1 AND 9')],
    });
    const session = seedSession(schema([t]));
    const row = ['1', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00', '3.50'];
    const varied = session.variations(t, row, 0, ['ends_at'], []);
    expect(varied[0]).toEqual(['1', '2024-01-15 09:00:00+00', '2024-01-16 09:00:00+00', '3.50']);
    expect(varied.at(-1)).toEqual(['1', '2024-01-15 09:00:00+00', null, '3.50']);
    expect(varied.every((v) => v[0] === '1' && v[1] === row[1] && v[3] === '3.50')).toBe(true);
    expect(session.variations(t, row, 0, ['seats'], []).map((v) => v[3])).toContain('9');
    expect(session.variations(t, row, 0, ['seats'], []).map((v) => v[3])).not.toContain('10');
    const next = ['2', '2024-02-21 10:08:31+00', '2024-02-21 10:08:31+00', '4.25'];
    expect(session.replay(t, row, varied[0]!, next)).toEqual(['2', '2024-02-21 10:08:31+00', '2024-02-22 10:08:31+00', '4.25']);
  });

  it('reads CHECK shapes as the catalog prints them', () => {
    expect(allowedLiterals('status', ["((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))"])).toEqual(['a', 'b']);
    expect(numericBounds('qty', ['(qty > 0)'])).toEqual({ min: 1, max: null });
    expect(numericBounds('qty', ['qty BETWEEN 3 AND 4'])).toEqual({ min: 3, max: 4 });
  });
});

describe('seeding a real PostgreSQL database', () => {
  it('inserts valid rows for every column type, constraint and a cycle', async () => {
    const { freshDatabase, connectTo } = await import('../../support/database.js');
    const { applyStatements } = await import('../../../src/core/verify/runners.js');
    const { baseStatements } = await import('../../../src/core/verify/verify.js');
    const { runSeed } = await import('../../../src/core/verify/round-trip.js');
    const types: [string, Parameters<typeof col>[2]][] = [
      ['smallint', {}], ['integer', {}], ['bigint', {}], ['numeric', { precision: 6, scale: 2 }], ['numeric', {}], ['real', {}],
      ['double precision', {}], ['boolean', {}], ['text', {}], ['character varying', { length: 4 }], ['character', { length: 3 }],
      ['uuid', {}], ['date', {}], ['timestamp without time zone', {}], ['timestamp with time zone', {}], ['time without time zone', {}],
      ['interval', {}], ['json', {}], ['jsonb', {}], ['bytea', {}], ['inet', {}], ['integer', { arrayDimensions: 1 }],
      ['text', { arrayDimensions: 1 }], ['taskstatus', { isEnum: true }],
    ];
    const everything = table('everything', [
      col('id', 'integer', { serial: true }),
      ...types.map(([name, options], i) => col(`c${i}`, name, { ...options, nullable: i % 2 === 0 })),
      col('slug', 'varchar', { length: 2, nullable: false }),
    ], {
      uniqueConstraints: [unique('uq_everything_c2', ['c2']), unique('uq_everything_slug', ['slug'])],
      checkConstraints: [check('ck_everything_c1', 'c1 >= 100'), check('ck_everything_c8', "c8 IN ('x', 'y', 'z')")],
    });
    const a = table('a', [col('id', 'integer', { serial: true }), col('b_id', 'integer')], { foreignKeys: [fk('fk_a_b', ['b_id'], 'b', ['id'])] });
    const b = table('b', [col('id', 'integer', { serial: true }), col('a_id', 'integer', { nullable: false })], { foreignKeys: [fk('fk_b_a', ['a_id'], 'a', ['id'])] });
    const s = schema([everything, a, b], [enumType('taskstatus', ['TODO', 'DONE'])]);
    const db = await freshDatabase();
    try {
      expect((await applyStatements(db.url, baseStatements(s))).error).toBeNull();
      const client = await connectTo(db.url);
      try {
        const seeded = planSeed(s);
        const result = await runSeed(client, seeded);
        expect(result.error).toBeNull();
        const counts = await client.query("SELECT (SELECT count(*) FROM everything) AS e, (SELECT count(*) FROM a WHERE b_id IS NOT NULL) AS a, (SELECT count(*) FROM b) AS b");
        expect(counts.rows[0]).toEqual({ e: '6', a: '6', b: '6' });
        const nulls = await client.query('SELECT count(*) FROM everything WHERE c0 IS NULL');
        expect(Number(nulls.rows[0].count)).toBeGreaterThan(0);
        // The sequence moved past the explicit ids: a new row gets a fresh one.
        const next = await client.query("INSERT INTO a DEFAULT VALUES RETURNING id");
        expect(next.rows[0].id).toBe(7);
      } finally {
        await client.end();
      }
    } finally {
      await db.close();
    }
  });
});

describe('runSeed', () => {
  it('writes parameters in as literals, leaving quoted names and strings alone', async () => {
    const { withLiterals } = await import('../../../src/core/verify/round-trip.js');
    expect(withLiterals(`INSERT INTO "t$1" ("a", "b$2") VALUES ($1, $2), ($3, '$1')`, ["it's", null, 'back\\slash'])).toBe(
      `INSERT INTO "t$1" ("a", "b$2") VALUES ('it''s', NULL), ( E'back\\\\slash', '$1')`,
    );
  });

  it('names the statement that failed and keeps none of the rows', async () => {
    const { freshDatabase, connectTo } = await import('../../support/database.js');
    const { runSeed } = await import('../../../src/core/verify/round-trip.js');
    const db = await freshDatabase();
    try {
      const client = await connectTo(db.url);
      try {
        await client.query('CREATE TABLE t (id integer PRIMARY KEY, v text)');
        const result = await runSeed(client, {
          tables: [],
          notes: [],
          statements: [
            { sql: 'INSERT INTO t (id, v) VALUES ($1, $2)', params: ['1', "o'k"] },
            { sql: 'INSERT INTO t (id, v) VALUES ($1, $2)', params: ['not a number', null] },
            { sql: 'INSERT INTO t (id, v) VALUES ($1, $2)', params: ['3', null] },
          ],
        });
        expect(result.error).toMatch(/invalid input syntax for type integer: "not a number"/);
        expect(result.statements.map((s) => s.error === null)).toEqual([true, false]);
        const { rows } = await client.query('SELECT count(*)::int AS n FROM t');
        expect(rows[0].n).toBe(0);
      } finally {
        await client.end();
      }
    } finally {
      await db.close();
    }
  });
});

describe('seeding rows PostgreSQL accepts', () => {
  const jobs = (checks: ReturnType<typeof check>[], options: { uniqueConstraints?: ReturnType<typeof unique>[] } = {}) =>
    table(
      'jobs',
      [
        col('id', 'integer', { serial: true }),
        col('created_at', 'timestamp', { nullable: false }),
        col('expires_at', 'timestamp', { nullable: false }),
        col('attempts', 'integer', { nullable: false }),
        col('max_attempts', 'integer', { nullable: false }),
        col('score', 'numeric', { precision: 6, scale: 2, nullable: false }),
        col('low', 'integer', { nullable: false }),
        col('high', 'integer', { nullable: false }),
      ],
      { checkConstraints: checks, ...options },
    );
  const steps = [
    check('ck_jobs_expiry', 'expires_at > created_at'),
    check('ck_jobs_attempts', 'attempts < max_attempts'),
    check('ck_jobs_max_attempts', 'max_attempts BETWEEN 1 AND 5'),
    check('ck_jobs_range', 'low < score AND score < high'),
    check('ck_jobs_order', 'low <= attempts'),
    check('ck_jobs_window', 'attempts BETWEEN low AND max_attempts'),
  ];
  const runs = table(
    'runs',
    [
      col('id', 'integer', { serial: true }),
      col('job_id', 'integer', { nullable: false }),
      col('started_at', 'timestamptz', { nullable: false }),
      col('finished_at', 'timestamptz'),
      col('starts_on', 'date', { nullable: false }),
      col('ends_on', 'date', { nullable: false }),
    ],
    {
      foreignKeys: [fk('fk_runs_job_id_jobs', ['job_id'], 'jobs', ['id'])],
      uniqueConstraints: [unique('uq_runs_job_id_started_at', ['job_id', 'started_at'])],
      checkConstraints: [check('ck_runs_finished', 'finished_at > started_at'), check('ck_runs_days', 'ends_on >= starts_on + 1')],
    },
  );

  /** Verifies adding a nullable column to `jobs`: the seed is the only part that can go wrong. */
  async function verifyAddColumn(before: Table, others: Table[] = []): Promise<Verification> {
    const { plan } = await import('../../../src/core/plan/index.js');
    const { renderSql } = await import('../../../src/core/render/index.js');
    const { freshDatabase } = await import('../../support/database.js');
    const { applyStatements, sqlRunner } = await import('../../../src/core/verify/runners.js');
    const { baseStatements } = await import('../../../src/core/verify/verify.js');
    const { roundTrip } = await import('../../../src/core/verify/round-trip.js');
    const base = schema([before, ...others]);
    const head = schema([{ ...before, columns: [...before.columns, col('note', 'text')] }, ...others]);
    const planned = plan(base, head, { renames: [], allowDataLoss: false });
    const db = await freshDatabase();
    try {
      return await roundTrip({
        url: db.url,
        base,
        head,
        buildBase: (url) => applyStatements(url, baseStatements(base)),
        baseSource: 'models',
        runner: sqlRunner(renderSql(planned)),
        plan: planned,
      });
    } finally {
      await db.close();
    }
  }

  const failures = (v: Verification) => v.steps.flatMap((s) => s.differences.map((d) => `${s.name}: ${d.subject}: ${d.message}`));

  it('fills every row of a table whose CHECKs compare two columns: timestamps, integers, BETWEEN, <=', async () => {
    const v = await verifyAddColumn(jobs(steps), [runs]);
    expect(failures(v)).toEqual([]);
    expect(v.passed).toBe(true);
    expect(v.seedNotes).toEqual([]);
    expect(v.seeded).toEqual([{ table: 'jobs', rows: 6 }, { table: 'runs', rows: 6 }]);
  });

  it('inserts exactly the rows it reports, each one PostgreSQL accepted, children pointing at them', async () => {
    const { freshDatabase, connectTo } = await import('../../support/database.js');
    const { applyStatements } = await import('../../../src/core/verify/runners.js');
    const { baseStatements } = await import('../../../src/core/verify/verify.js');
    const { searchSeed } = await import('../../../src/core/verify/seed-search.js');
    const s = schema([jobs(steps), runs]);
    const db = await freshDatabase();
    try {
      expect((await applyStatements(db.url, baseStatements(s))).error).toBeNull();
      const client = await connectTo(db.url);
      try {
        const first = await searchSeed(client, s);
        expect(first.run.error).toBeNull();
        const { rows } = await client.query('SELECT (SELECT count(*)::int FROM jobs) AS jobs, (SELECT count(*)::int FROM runs) AS runs');
        expect(rows[0]).toEqual({ jobs: 6, runs: 6 });
        expect(first.plan.tables.map((t) => t.rows.length)).toEqual([6, 6]);
        expect(first.plan.statements.length).toBe(first.run.statements.length);
        // The same schema gets the same rows.
        await client.query('TRUNCATE runs, jobs');
        const again = await searchSeed(client, s);
        expect(again.plan.tables).toEqual(first.plan.tables);
      } finally {
        await client.end();
      }
    } finally {
      await db.close();
    }
  });

  it('fits a self-reference and a cycle too, leaving a cycle-breaking key NULL where a CHECK rejects it', async () => {
    const { freshDatabase, connectTo } = await import('../../support/database.js');
    const { applyStatements } = await import('../../../src/core/verify/runners.js');
    const { baseStatements } = await import('../../../src/core/verify/verify.js');
    const { searchSeed } = await import('../../../src/core/verify/seed-search.js');
    const nodes = table('nodes', [col('id', 'integer', { serial: true }), col('parent_id', 'integer'), col('depth', 'integer', { nullable: false }), col('max_depth', 'integer', { nullable: false })], {
      foreignKeys: [fk('fk_nodes_parent', ['parent_id'], 'nodes', ['id'])],
      checkConstraints: [check('ck_nodes_depth', 'depth < max_depth')],
    });
    const a = table('a', [col('id', 'integer', { serial: true }), col('b_id', 'integer')], {
      foreignKeys: [fk('fk_a_b', ['b_id'], 'b', ['id'])],
      checkConstraints: [check('ck_a_not_same', 'b_id <> id')],
    });
    const b = table('b', [col('id', 'integer', { serial: true }), col('a_id', 'integer', { nullable: false }), col('low', 'integer', { nullable: false }), col('high', 'integer', { nullable: false })], {
      foreignKeys: [fk('fk_b_a', ['a_id'], 'a', ['id'])],
      checkConstraints: [check('ck_b_range', 'low < high')],
    });
    const s = schema([nodes, a, b]);
    const db = await freshDatabase();
    try {
      expect((await applyStatements(db.url, baseStatements(s))).error).toBeNull();
      const client = await connectTo(db.url);
      try {
        const seeded = await searchSeed(client, s);
        expect(seeded.run.error).toBeNull();
        const { rows } = await client.query(
          'SELECT (SELECT count(*)::int FROM nodes) AS nodes, (SELECT count(parent_id)::int FROM nodes) AS parents, (SELECT count(*)::int FROM a) AS a, (SELECT count(*)::int FROM b) AS b',
        );
        expect(rows[0]).toEqual({ nodes: 6, parents: 5, a: 6, b: 6 });
        expect(seeded.plan.notes).toEqual([{ table: 'a', message: 'fk_a_b left NULL in some rows: ck_a_not_same rejected them' }]);
      } finally {
        await client.end();
      }
    } finally {
      await db.close();
    }
  });

  it('keeps the unique sets the migration adds while it varies rows', async () => {
    const { freshDatabase, connectTo } = await import('../../support/database.js');
    const { applyStatements } = await import('../../../src/core/verify/runners.js');
    const { baseStatements } = await import('../../../src/core/verify/verify.js');
    const { searchSeed } = await import('../../../src/core/verify/seed-search.js');
    const s = schema([jobs(steps)]);
    const db = await freshDatabase();
    try {
      expect((await applyStatements(db.url, baseStatements(s))).error).toBeNull();
      const client = await connectTo(db.url);
      try {
        const seeded = await searchSeed(client, s, { uniqueAfter: { jobs: [['max_attempts']] } });
        expect(seeded.run.error).toBeNull();
        const { rows } = await client.query('SELECT count(*)::int AS n, count(DISTINCT max_attempts)::int AS distinct FROM jobs');
        expect(rows[0].n).toBeGreaterThan(0);
        expect(rows[0].distinct).toBe(rows[0].n);
      } finally {
        await client.end();
      }
    } finally {
      await db.close();
    }
  });

  it("fits rows to a CHECK the head adds that compares two columns, though the database does not judge it yet", async () => {
    const { freshDatabase, connectTo } = await import('../../support/database.js');
    const { applyStatements } = await import('../../../src/core/verify/runners.js');
    const { baseStatements } = await import('../../../src/core/verify/verify.js');
    const { searchSeed } = await import('../../../src/core/verify/seed-search.js');
    const s = schema([jobs([steps[2]!])]);
    const db = await freshDatabase();
    try {
      expect((await applyStatements(db.url, baseStatements(s))).error).toBeNull();
      const client = await connectTo(db.url);
      try {
        const seeded = await searchSeed(client, s, { checksAfter: { jobs: [check('ck_jobs_attempts', 'attempts < max_attempts')] } });
        expect(seeded.run.error).toBeNull();
        expect(seeded.plan.notes).toEqual([]);
        const { rows } = await client.query('SELECT count(*)::int AS n, count(*) FILTER (WHERE attempts >= max_attempts)::int AS against FROM jobs');
        expect(rows[0]).toEqual({ n: 6, against: 0 });
      } finally {
        await client.end();
      }
    } finally {
      await db.close();
    }
  });

  it('keeps a UNIQUE unique while it searches for values a CHECK accepts', async () => {
    const v = await verifyAddColumn(jobs([steps[0]!], { uniqueConstraints: [unique('uq_jobs_expires_at', ['expires_at'])] }));
    expect(failures(v)).toEqual([]);
    expect(v.seeded).toEqual([{ table: 'jobs', rows: 6 }]);
  });

  it('leaves a table no row can enter empty, names the constraint (and its children\'s foreign key), and still verifies the migration', async () => {
    for (const impossible of [check('ck_jobs_never', 'false'), check('ck_jobs_self', 'attempts > attempts')]) {
      const v = await verifyAddColumn(jobs([impossible]), [runs]);
      expect(failures(v)).toEqual([]);
      expect(v.passed).toBe(true);
      expect(v.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
      expect(v.seeded).toEqual([{ table: 'jobs', rows: 0 }, { table: 'runs', rows: 0 }]);
      expect(v.seedNotes).toEqual([
        `jobs: left empty: no row satisfies ${impossible.name}`,
        'runs: left empty: fk_runs_job_id_jobs needs a row in jobs, which has none',
      ]);
    }
  });

  it('leaves a table whose NOT NULL column it has no value for empty, with a note, and verifies the migration', async () => {
    const queries = table('saved_queries', [col('id', 'integer', { serial: true }), col('query', 'tsquery', { nullable: false })]);
    const v = await verifyAddColumn(jobs([]), [queries]);
    expect(failures(v)).toEqual([]);
    expect(v.passed).toBe(true);
    expect(v.seeded).toEqual([{ table: 'jobs', rows: 6 }, { table: 'saved_queries', rows: 0 }]);
    expect(v.seedNotes).toEqual(['saved_queries: left empty: no row satisfies NOT NULL query']);
  });
});

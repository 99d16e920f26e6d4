import { describe, expect, it } from 'vitest';
import { allowedLiterals, numericBounds, planSeed, scalarValue } from '../../../src/core/verify/seed.js';
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

/**
 * A transaction holds a lock on every table, index and sequence it touches until it ends,
 * and the server's lock table is shared and fixed (3000 tables built in one transaction fail
 * with "out of shared memory"). So the steps that are ours to split — the base, the seed,
 * the row snapshots — run in batches, and the migration itself in one transaction. Which
 * transaction wrote a catalog row or a seeded row is its `xmin`: the batches are read back
 * from the database, not assumed.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemTree } from '../../../src/adapters/fs/file-system-tree.js';
import { readBackend } from '../../../src/core/backend/index.js';
import { plan } from '../../../src/core/plan/index.js';
import { renderSql } from '../../../src/core/render/index.js';
import type { Schema } from '../../../src/core/schema/model.js';
import { introspectSchema } from '../../../src/core/verify/introspect.js';
import { buildFromStatements, roundTrip, runSeed } from '../../../src/core/verify/round-trip.js';
import { alembicRunner, batchSize, sqlRunner, transactionGroups } from '../../../src/core/verify/runners.js';
import { planSeed } from '../../../src/core/verify/seed.js';
import { baseStatements } from '../../../src/core/verify/verify.js';
import { connectTo, freshDatabase, type EphemeralDatabase } from '../../support/database.js';
import { detectPython } from '../../support/python.js';
import { col, fk, index, schema, table } from '../../support/schema-builder.js';

const BACKEND = path.resolve(import.meta.dirname, '../../fixtures/backends/flow-py-backend');
const tree = fileSystemTree();
const python = detectPython();

describe('transactionGroups', () => {
  const statement = (transactional: boolean) => ({ transactional });

  it('keeps consecutive transactional statements together, at most perTransaction of them', () => {
    const statements = [true, true, true, true, true, false, true, true].map(statement);
    expect(transactionGroups(statements).map((g) => g.statements.length)).toEqual([5, 1, 2]);
    expect(transactionGroups(statements, 2).map((g) => [g.transactional, g.statements.length])).toEqual([
      [true, 2],
      [true, 2],
      [true, 1],
      [false, 1],
      [true, 2],
    ]);
  });
});

/** `count` tables, each referencing the one before it, with an index. */
function chain(count: number, extra: (i: number) => ReturnType<typeof col>[] = () => []): Schema {
  const name = (i: number) => `item_${String(i).padStart(4, '0')}`;
  return schema(
    Array.from({ length: count }, (_, i) =>
      table(name(i), [col('id', 'integer', { serial: true }), col('parent_id', 'integer'), col('label', 'varchar', { length: 40, nullable: false }), ...extra(i)], {
        foreignKeys: i ? [fk(`fk_${name(i)}_parent_id`, ['parent_id'], name(i - 1), ['id'])] : [],
        indexes: [index(`ix_${name(i)}_label`, ['label'])],
      }),
    ),
  );
}

describe('a schema larger than one transaction of ours', () => {
  let db: EphemeralDatabase;
  let perTransaction: number;
  beforeAll(async () => {
    db = await freshDatabase();
    const client = await connectTo(db.url);
    perTransaction = await batchSize(client);
    await client.end();
  });
  afterAll(() => db?.close());

  it('is built and seeded in batches, the migration in one transaction, and verifies', async () => {
    const tables = perTransaction + 10;
    const base = chain(tables);
    const head = chain(tables, (i) => (i % 50 === 0 ? [col('note', 'text')] : []));
    const planned = plan(base, head, { renames: [], allowDataLoss: false });
    const verification = await roundTrip({
      url: db.url,
      base,
      head,
      buildBase: buildFromStatements(baseStatements(base)),
      baseSource: 'models',
      runner: sqlRunner(renderSql(planned)),
      plan: planned,
    });
    expect(verification.steps.flatMap((s) => s.differences)).toEqual([]);
    expect(verification.passed).toBe(true);
    expect(verification.seeded.every((t) => t.rows > 0)).toBe(true);

    const altered = head.tables.filter((t) => t.columns.some((c) => c.name === 'note')).map((t) => `'${t.name}'`);
    const client = await connectTo(db.url);
    try {
      // Tables the migration did not alter keep the xmin of the transaction that created them.
      const created = await client.query<{ xmin: string; tables: number }>(
        `SELECT xmin::text, count(*)::int AS tables FROM pg_class
          WHERE relkind = 'r' AND relname LIKE 'item\\_%' AND relname NOT IN (${altered.join(', ')}) GROUP BY 1`,
      );
      expect(created.rows.length).toBeGreaterThan(1);
      expect(Math.max(...created.rows.map((r) => r.tables))).toBeLessThanOrEqual(perTransaction);

      const seededBy = await client.query<{ xmin: string }>(
        base.tables.map((t) => `SELECT xmin::text FROM ${t.name}`).join(' UNION ') + ' ORDER BY 1',
      );
      expect(seededBy.rows.length).toBeGreaterThan(1);

      // The upgrade ran again last: every table it altered was altered by one transaction.
      const upgradedBy = await client.query<{ xmin: string }>(`SELECT DISTINCT xmin::text FROM pg_class WHERE relkind = 'r' AND relname IN (${altered.join(', ')})`);
      expect(altered.length).toBeGreaterThan(1);
      expect(upgradedBy.rows).toHaveLength(1);
    } finally {
      await client.end();
    }
  }, 120_000);
});

describe('a seed larger than one transaction of ours', () => {
  it('that fails part way leaves every table empty, as one transaction would', async () => {
    const db = await freshDatabase();
    const client = await connectTo(db.url);
    try {
      const perTransaction = await batchSize(client);
      const base = chain(perTransaction + 10);
      expect((await buildFromStatements(baseStatements(base))(db.url)).error).toBeNull();
      const seed = planSeed(await introspectSchema(client));
      const last = base.tables.at(-1)!.name;
      const failing = { ...seed, statements: [...seed.statements, { sql: `INSERT INTO ${last} (label) VALUES (NULL)`, params: [] }] };
      const run = await runSeed(client, failing);
      expect(run.error).toMatch(/null value in column "label"/);
      const { rows } = await client.query<{ rows: number }>(`SELECT (${base.tables.map((t) => `(SELECT count(*) FROM ${t.name})`).join(' + ')})::int AS rows`);
      expect(rows[0]!.rows).toBe(0);
    } finally {
      await client.end();
      await db.close();
    }
  }, 60_000);
});

describe.skipIf(!python.ok)(`a replayed migration chain${python.ok ? '' : ` (skipped: ${python.reason})`}`, () => {
  it('commits after each revision, so a long chain does not hold every table locked at once', async () => {
    if (!python.ok) return;
    const backend = await readBackend(BACKEND, tree);
    const runner = await alembicRunner({ backend, tree, upgradeTo: 'heads', downgradeTo: 'base', python: python.python, env: python.env });
    const db = await freshDatabase();
    try {
      expect((await runner.upgrade(db.url)).error).toBeNull();
      const client = await connectTo(db.url);
      // A table's row type is written once, by the transaction that creates the table.
      const { rows } = await client.query<{ typname: string; xmin: string }>(
        `SELECT typname, xmin::text FROM pg_type WHERE typname IN ('users', 'bots', 'tasks') ORDER BY xmin::text::bigint`,
      );
      await client.end();
      // 001, 002, 003 each create one of them.
      expect(rows.map((r) => r.typname)).toEqual(['users', 'bots', 'tasks']);
      expect(new Set(rows.map((r) => r.xmin)).size).toBe(3);
    } finally {
      await runner.close();
      await db.close();
    }
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { plan } from '../../../src/core/plan/index.js';
import { checkRestoredRows, checkUpgradedRows, compareRows, rowMappingFromPlan, type RowSnapshot } from '../../../src/core/verify/row-check.js';
import { col, schema, table } from '../../support/schema-builder.js';

const base = schema([
  table('tasks', [col('id', 'integer', { serial: true }), col('status', 'text', { nullable: false }), col('note', 'text'), col('gone', 'text')]),
  table('old', [col('id', 'integer', { serial: true })]),
]);
const head = schema([
  table('tasks', [
    col('id', 'integer', { serial: true }),
    col('state', 'text', { nullable: false }),
    col('note', 'text', { nullable: false, default: { python: "''", sql: "'none'" } }),
    col('flag', 'boolean', { nullable: false, serverDefault: 'true' }),
  ]),
]);
const planned = plan(base, head, { renames: [{ kind: 'column', table: 'tasks', from: 'status', to: 'state' }], allowDataLoss: true });
const seeded: RowSnapshot = {
  tasks: { columns: ['id', 'status', 'note', 'gone'], key: ['id'], rows: [['1', 'todo', null, 'x'], ['2', 'done', 'hi', null]] },
  old: { columns: ['id'], key: ['id'], rows: [['1']] },
};
const expectations = { conversions: {}, fillValues: { 'tasks.note': 'none', 'tasks.flag': 'true' }, restored: {} };

describe('rowMappingFromPlan', () => {
  it('follows renames, drops and fills', () => {
    const mapping = rowMappingFromPlan(planned, base);
    expect(mapping.tables.map((t) => [t.from, t.to])).toEqual([['tasks', 'tasks'], ['old', null]]);
    expect(mapping.tables[0]!.columns).toMatchObject({ status: { kind: 'kept', to: 'state' }, gone: { kind: 'dropped' } });
    expect(mapping.fills.map((f) => [f.table, f.column, f.source, f.value])).toEqual([
      ['tasks', 'note', 'note', "'none'"],
      ['tasks', 'flag', null, 'true'],
    ]);
  });
});

describe('checkUpgradedRows', () => {
  const mapping = rowMappingFromPlan(planned, base);
  const after = (rows: (string | null)[][]): RowSnapshot => ({ tasks: { columns: ['id', 'state', 'note', 'flag'], key: ['id'], rows } });

  it('passes when renamed values moved and fills hold', () => {
    expect(checkUpgradedRows(seeded, after([['1', 'todo', 'none', 'true'], ['2', 'done', 'hi', 'true']]), mapping, expectations)).toEqual([]);
  });

  it('names the row and column of every lost value', () => {
    const diffs = checkUpgradedRows(seeded, after([['1', null, 'none', 'true'], ['2', 'done', 'hi', 'false']]), mapping, expectations);
    expect(diffs.map((d) => d.message)).toEqual([
      'tasks.state of row id=1 is NULL, expected "todo"',
      'tasks.flag of row id=2 is "false", expected "true"',
    ]);
  });

  it('reports a missing row', () => {
    expect(checkUpgradedRows(seeded, after([['1', 'todo', 'none', 'true']]), mapping, expectations).map((d) => d.message)).toEqual([
      'seeded row tasks (id=2) is missing',
    ]);
  });
});

describe('checkRestoredRows', () => {
  const mapping = rowMappingFromPlan(planned, base);
  it('ignores consented drops and keeps backfilled values', () => {
    const restored: RowSnapshot = { tasks: { columns: ['id', 'status', 'note', 'gone'], key: ['id'], rows: [['1', 'todo', 'none', null], ['2', 'done', 'hi', null]] } };
    expect(checkRestoredRows(seeded, restored, mapping, expectations)).toEqual([]);
  });
});

describe('compareRows without a key', () => {
  it('compares rows as a multiset', () => {
    const actual = { columns: ['a'], key: [], rows: [['1'], ['1']] };
    expect(compareRows('t', [{ a: '1' }, { a: '1' }], actual, [])).toEqual([]);
    expect(compareRows('t', [{ a: '1' }, { a: '2' }], actual, []).map((d) => d.message)).toEqual(['a seeded row of t is missing or changed: a="2"']);
  });
});

describe('snapshotRows', () => {
  it('reads every table in one query: values as text, ordered by key, a table without columns as empty rows', async () => {
    const { freshDatabase, connectTo } = await import('../../support/database.js');
    const { snapshotRows } = await import('../../../src/core/verify/row-check.js');
    const db = await freshDatabase();
    try {
      const client = await connectTo(db.url);
      try {
        await client.query(`
          CREATE SCHEMA audit;
          CREATE TABLE a (id integer PRIMARY KEY, at date, tags text[]);
          CREATE TABLE audit.log (note text);
          CREATE TABLE bare ();
          INSERT INTO a VALUES (2, '2026-01-02', '{x,"y z"}'), (1, NULL, NULL);
          INSERT INTO audit.log VALUES ('one'), (NULL);
          INSERT INTO bare DEFAULT VALUES;`);
        const snapshot = await snapshotRows(
          client,
          schema([
            table('a', [col('id', 'integer', { nullable: false }), col('at', 'date'), col('tags', 'text', { arrayDimensions: 1 })], {}),
            { ...table('log', [col('note', 'text')]), schema: 'audit', primaryKey: null },
            { ...table('bare', []), primaryKey: null },
          ]),
        );
        expect(snapshot).toEqual({
          a: { columns: ['id', 'at', 'tags'], key: ['id'], rows: [['1', null, null], ['2', '2026-01-02', '{x,"y z"}']] },
          'audit.log': { columns: ['note'], key: [], rows: [['one'], [null]] },
          bare: { columns: [], key: [], rows: [[]] },
        });
      } finally {
        await client.end();
      }
    } finally {
      await db.close();
    }
  });
});

/**
 * The rendered SQL of representative plans runs on real PostgreSQL: upgrade → downgrade →
 * upgrade, and each state's catalog equals the one built from scratch for that schema.
 */
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { plan, type OperationKind } from '../../../src/core/plan/index.js';
import { renderSql } from '../../../src/core/render/index.js';
import { emptySchema, type Schema } from '../../../src/core/schema/model.js';
import { connectTo, freshDatabase, type EphemeralDatabase } from '../../support/database.js';
import { applySql, catalog } from './catalog.js';
import { scenarios } from './scenarios.js';

/** Every kind, so the compiler says when a new one needs a scenario. */
const KINDS: Record<OperationKind, true> = {
  createExtension: true,
  createEnum: true,
  dropEnum: true,
  addEnumValue: true,
  rebuildEnum: true,
  createTable: true,
  dropTable: true,
  renameTable: true,
  setTableComment: true,
  addColumn: true,
  dropColumn: true,
  alterColumn: true,
  dropExpression: true,
  backfill: true,
  createIndex: true,
  dropIndex: true,
  renameIndex: true,
  addConstraint: true,
  dropConstraint: true,
  renameConstraint: true,
  renameSequence: true,
  setSequenceType: true,
  changeNumbering: true,
};

it('the scenarios exercise every operation kind, both ways', () => {
  const kinds = (side: 'upgrade' | 'downgrade') =>
    new Set(scenarios.flatMap((s) => plan(s.base, s.head, s.options).operations.flatMap((o) => o[side].map((op) => op.kind))));
  expect([...kinds('upgrade')].sort()).toEqual(Object.keys(KINDS).sort());
  // No downgrade adds an enum value (it restores one by a rebuild), makes a column plain or
  // creates an extension (the upgrade's stays).
  const upgradeOnly = ['addEnumValue', 'dropExpression', 'createExtension'];
  expect([...kinds('downgrade')].sort()).toEqual(Object.keys(KINDS).filter((k) => !upgradeOnly.includes(k)).sort());
});

describe('rendered SQL on PostgreSQL', () => {
  const databases: EphemeralDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.close()));
  });

  async function freshClient(): Promise<pg.Client> {
    const db = await freshDatabase();
    databases.push(db);
    return connectTo(db.url);
  }
  /** The catalog of `s` created from nothing. */
  async function builtFromScratch(s: Schema, setup: string[]): Promise<Record<string, unknown>> {
    const client = await freshClient();
    try {
      for (const statement of setup) await client.query(statement);
      await applySql(client, renderSql(plan(emptySchema(), s, { renames: [], allowDataLoss: false })).upgrade);
      return await catalog(client);
    } finally {
      await client.end();
    }
  }

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const planned = plan(scenario.base, scenario.head, scenario.options);
    expect(planned.refused).toBe(false);
    const sql = renderSql(planned);
    const [baseCatalog, headCatalog] = await Promise.all([builtFromScratch(scenario.base, scenario.setup ?? []), builtFromScratch(scenario.head, scenario.setup ?? [])]);

    const client = await freshClient();
    try {
      for (const statement of scenario.setup ?? []) await client.query(statement);
      await applySql(client, renderSql(plan(emptySchema(), scenario.base, { renames: [], allowDataLoss: false })).upgrade);
      for (const statement of scenario.seed) await client.query(statement);
      const before = scenario.probeBase ? (await client.query(scenario.probeBase)).rows : null;

      await applySql(client, sql.upgrade);
      expect(await catalog(client), 'after upgrade').toEqual(headCatalog);
      if (scenario.probeHead) expect((await client.query(scenario.probeHead.sql)).rows).toEqual(scenario.probeHead.rows);

      await applySql(client, sql.downgrade);
      expect(await catalog(client), 'after downgrade').toEqual(baseCatalog);
      if (scenario.probeBase) expect((await client.query(scenario.probeBase)).rows).toEqual(before);

      await applySql(client, sql.upgrade);
      expect(await catalog(client), 'after the second upgrade').toEqual(headCatalog);
    } finally {
      await client.end();
    }
  });
});

/**
 * The rendered SQL of representative plans runs on real PostgreSQL: upgrade → downgrade →
 * upgrade, and each state's catalog equals the one built from scratch for that schema.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan } from '../../../src/core/plan/index.js';
import { renderSql } from '../../../src/core/render/index.js';
import { emptySchema, type Schema } from '../../../src/core/schema/model.js';
import { applySql, catalog } from './catalog.js';
import { scenarios } from './scenarios.js';

const url = process.env['DATABASE_URL'];

describe.skipIf(!url)('rendered SQL on PostgreSQL (DATABASE_URL)', () => {
  const admin = new pg.Client({ connectionString: url });
  const created: string[] = [];

  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  async function freshClient(): Promise<pg.Client> {
    const name = `fm_render_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    created.push(name);
    const u = new URL(url!);
    u.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: u.toString() });
    await client.connect();
    return client;
  }

  /** The catalog of `s` created from nothing. */
  async function builtFromScratch(s: Schema): Promise<Record<string, unknown>> {
    const client = await freshClient();
    try {
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
    const [baseCatalog, headCatalog] = await Promise.all([builtFromScratch(scenario.base), builtFromScratch(scenario.head)]);

    const client = await freshClient();
    try {
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

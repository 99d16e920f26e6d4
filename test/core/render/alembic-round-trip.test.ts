/**
 * The rendered Alembic revisions of representative plans run under real Alembic 1.13 on
 * PostgreSQL: upgrade → downgrade → upgrade, each state's catalog equal to the one the
 * rendered SQL builds from scratch (itself checked in sql-round-trip.test.ts).
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { plan } from '../../../src/core/plan/index.js';
import { renderSql } from '../../../src/core/render/index.js';
import { emptySchema, type Schema } from '../../../src/core/schema/model.js';
import { connectTo, freshDatabase, type EphemeralDatabase } from '../../support/database.js';
import { detectPython } from '../../support/python.js';
import { alembicProject, startAlembic } from './alembic-runner.js';
import { applySql, catalog } from './catalog.js';
import { scenarios } from './scenarios.js';

const python = detectPython();
const skipReason = python.ok ? null : python.reason;

describe.skipIf(skipReason !== null)(
  `rendered Alembic revisions under real Alembic${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    const databases: EphemeralDatabase[] = [];
    const dirs: string[] = [];

    afterAll(async () => {
      await Promise.all(databases.map((d) => d.close()));
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    async function freshUrl(): Promise<string> {
      const db = await freshDatabase();
      databases.push(db);
      return db.url;
    }

    async function catalogOf(databaseUrl: string): Promise<Record<string, unknown>> {
      const client = await connectTo(databaseUrl);
      try {
        return await catalog(client);
      } finally {
        await client.end();
      }
    }

    async function builtFromScratch(s: Schema, setup: string[]): Promise<Record<string, unknown>> {
      const client = await connectTo(await freshUrl());
      try {
        for (const statement of setup) await client.query(statement);
        await applySql(client, renderSql(plan(emptySchema(), s, { renames: [], allowDataLoss: false })).upgrade);
        return await catalog(client);
      } finally {
        await client.end();
      }
    }

    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      if (!python.ok) return;
      const dir = alembicProject([plan(emptySchema(), scenario.base, { renames: [], allowDataLoss: false }), plan(scenario.base, scenario.head, scenario.options)]);
      dirs.push(dir);

      const databaseUrl = await freshUrl();
      const sqlalchemyUrl = databaseUrl.replace(/^postgres(ql)?:/, 'postgresql+psycopg2:');
      const alembic = startAlembic(python, dir, sqlalchemyUrl);
      const [baseCatalog, headCatalog] = await Promise.all([builtFromScratch(scenario.base, scenario.setup ?? []), builtFromScratch(scenario.head, scenario.setup ?? [])]);

      const client = await connectTo(databaseUrl);
      for (const statement of scenario.setup ?? []) await client.query(statement);
      await alembic.run('upgrade', 'r1');
      try {
        for (const statement of scenario.seed) await client.query(statement);
        const before = scenario.probeBase ? (await client.query(scenario.probeBase)).rows : null;
        await alembic.run('upgrade', 'r2');
        expect(await catalogOf(databaseUrl), 'after upgrade').toEqual(headCatalog);
        if (scenario.probeHead) expect((await client.query(scenario.probeHead.sql)).rows).toEqual(scenario.probeHead.rows);
        await alembic.run('downgrade', 'r1');
        expect(await catalogOf(databaseUrl), 'after downgrade').toEqual(baseCatalog);
        if (scenario.probeBase) expect((await client.query(scenario.probeBase)).rows).toEqual(before);
        await alembic.run('upgrade', 'r2');
        expect(await catalogOf(databaseUrl), 'after the second upgrade').toEqual(headCatalog);
      } finally {
        alembic.stop();
        await client.end();
      }
    });
  },
);

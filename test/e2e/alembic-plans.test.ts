/**
 * Acceptance: every ready plan fixture's generated revision runs under real Alembic on
 * PostgreSQL — upgrade → downgrade → upgrade — and each state's catalog equals what
 * SQLAlchemy's `create_all` builds from the head (or base) models; seeded rows survive.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRevision } from '../../src/core/generate.js';
import { catalog } from '../core/render/catalog.js';
import { connectTo, freshDatabase, type EphemeralDatabase } from '../support/database.js';
import { oracleSkipReason, startOracle, type Oracle } from './support/oracle.js';
import { PLANS_BACKEND, PLANS_BACKEND_HEAD, caseRequest, planCases, type PlanCase } from './support/plan-cases.js';

const cases = planCases().filter((c) => c.status === 'ready');

async function catalogOf(url: string): Promise<Record<string, unknown>> {
  const client = await connectTo(url);
  try {
    return await catalog(client);
  } finally {
    await client.end();
  }
}

async function rowsOf(url: string, sql: string): Promise<unknown[][]> {
  const client = await connectTo(url);
  try {
    return (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
  } finally {
    await client.end();
  }
}

async function checkRows(url: string, checks: PlanCase['afterUpgrade'], when: string): Promise<void> {
  for (const check of checks) expect(await rowsOf(url, check.sql), `${when}: ${check.sql}`).toEqual(check.rows);
}

describe.skipIf(oracleSkipReason !== null)(
  `generated revisions under real Alembic${oracleSkipReason ? ` (skipped: ${oracleSkipReason})` : ''}`,
  () => {
    // Importing SQLAlchemy and Alembic is the slow part: two interpreters serve every case.
    const pool: Oracle[] = [];
    afterAll(() => pool.forEach((o) => o.close()));
    let turn = 0;
    const oracle = (): Oracle => {
      if (pool.length < 2) pool.push(startOracle());
      return pool[turn++ % pool.length]!;
    };

    type Cleanups = (() => Promise<void> | void)[];
    const database = async (c: PlanCase, cleanups: Cleanups): Promise<string> => {
      const db: EphemeralDatabase = await freshDatabase();
      cleanups.push(() => db.close());
      for (const sql of c.setup) await rowsOf(db.url, sql);
      return db.url;
    };

    async function roundTrip(c: PlanCase, cleanups: Cleanups): Promise<void> {
      const backend = mkdtempSync(path.join(tmpdir(), `flow-migrate-${c.name}-`));
      cleanups.push(() => rmSync(backend, { recursive: true, force: true }));
      cpSync(PLANS_BACKEND, backend, { recursive: true });
      const result = await generateRevision(caseRequest(c, backend));
      expect(result.status).toBe('ready');
      if (result.status !== 'ready') return;
      writeFileSync(result.revision.path, result.revision.content);

      const python = oracle();
      const [baseUrl, headUrl, url] = await Promise.all([database(c, cleanups), database(c, cleanups), database(c, cleanups)]);
      await python.createAll(c.base, baseUrl);
      await python.createAll(c.head, headUrl);
      const [baseCatalog, headCatalog] = await Promise.all([catalogOf(baseUrl), catalogOf(headUrl)]);

      await python.createAll(c.base, url);
      for (const sql of c.seed) await rowsOf(url, sql);
      const ini = path.join(backend, 'alembic.ini');
      await python.alembic('stamp', ini, PLANS_BACKEND_HEAD, url);

      await python.alembic('upgrade', ini, 'head', url);
      expect(await catalogOf(url), 'after upgrade').toEqual(headCatalog);
      await checkRows(url, c.afterUpgrade, 'after upgrade');

      await python.alembic('downgrade', ini, '-1', url);
      expect(await catalogOf(url), 'after downgrade').toEqual(baseCatalog);
      await checkRows(url, c.afterDowngrade, 'after downgrade');

      await python.alembic('upgrade', ini, 'head', url);
      expect(await catalogOf(url), 'after the second upgrade').toEqual(headCatalog);
      await checkRows(url, c.afterUpgrade, 'after the second upgrade');
    }

    for (const c of cases) {
      it.concurrent(c.name, async () => {
        // Each case cleans up after itself: dropping every database at the end is too slow a hook.
        const cleanups: Cleanups = [];
        try {
          await roundTrip(c, cleanups);
        } finally {
          for (const cleanup of cleanups.reverse()) await cleanup();
        }
        // Cases queue for the two interpreters: a case's time includes its wait.
      }, 300_000);
    }
  },
);

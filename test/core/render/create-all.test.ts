/**
 * The SQL and the Alembic revision rendered for a whole model package (every table created
 * from nothing) build the same catalog as SQLAlchemy's own `create_all`, and their
 * downgrades leave nothing behind.
 * The fixture packages are the reader's (test/fixtures/models): real-world shapes such as
 * naming conventions, identity and generated columns, partial and expression indexes.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSystemTree } from '../../../src/adapters/fs/file-system-tree.js';
import { plan } from '../../../src/core/plan/index.js';
import { readModels } from '../../../src/core/read/index.js';
import { renderSql } from '../../../src/core/render/index.js';
import { emptySchema } from '../../../src/core/schema/model.js';
import { connectTo, freshDatabase, runSql, type EphemeralDatabase } from '../../support/database.js';
import { detectPython } from '../../support/python.js';
import { alembicProject, startAlembic } from './alembic-runner.js';
import { applySql, catalog } from './catalog.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/models');
const CREATE_ALL = path.join(import.meta.dirname, '../../oracle/create_all.py');

const fixtures = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(path.join(FIXTURES, e.name, 'fixture.json')))
  .map((e) => {
    const dir = path.join(FIXTURES, e.name);
    const spec = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as { scan: string; pythonPath: string; module: string; extensions?: string[] };
    return { name: e.name, dir, ...spec };
  });

const python = detectPython();

describe.skipIf(!python.ok)(`rendered SQL and Alembic revision of whole model packages equal create_all${python.ok ? '' : ` (skipped: ${python.reason})`}`, () => {
  const databases: EphemeralDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.close()));
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
    if (!python.ok) return;
    const read = await readModels(path.join(fixture.dir, fixture.scan), fileSystemTree());
    const [oracle, mine, viaAlembic] = await Promise.all([freshDatabase(), freshDatabase(), freshDatabase()]);
    databases.push(oracle, mine, viaAlembic);
    // create_all needs them beforehand; the plan creates them itself.
    for (const extension of fixture.extensions ?? []) await runSql(oracle.url, `CREATE EXTENSION IF NOT EXISTS ${extension}`);
    await promisify(execFile)(
      python.python,
      [CREATE_ALL, '--python-path', path.join(fixture.dir, fixture.pythonPath), '--module', fixture.module, '--url', oracle.url],
      { env: python.env, cwd: fixture.dir, timeout: 60_000 },
    );
    const planned = plan(emptySchema(), read.schema, { renames: [], allowDataLoss: false });
    expect(plan(read.schema, read.schema, { renames: [], allowDataLoss: false }).operations).toEqual([]);
    const sql = renderSql(planned);
    const dir = alembicProject([planned]);
    const clients = await Promise.all([oracle, mine, viaAlembic].map((d) => connectTo(d.url)));
    const [expected, client, alembicClient] = clients as [pg.Client, pg.Client, pg.Client];
    const alembic = startAlembic(python, dir, viaAlembic.url.replace(/^postgres(ql)?:/, 'postgresql+psycopg2:'));
    const isEmpty = (c: Record<string, unknown>) => Object.values(c).every((rows) => Array.isArray(rows) && rows.length === 0);
    try {
      const schemas = (await expected.query(`SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('public', 'information_schema')`)).rows;
      for (const { nspname } of schemas) {
        await client.query(`CREATE SCHEMA "${nspname}"`);
        await alembicClient.query(`CREATE SCHEMA "${nspname}"`);
      }
      const want = await catalog(expected);

      await applySql(client, sql.upgrade);
      expect(await catalog(client), 'SQL upgrade').toEqual(want);
      await applySql(client, sql.downgrade);
      expect(isEmpty(await catalog(client)), 'SQL downgrade leaves nothing').toBe(true);

      await alembic.run('upgrade', 'r1');
      expect(await catalog(alembicClient), 'Alembic upgrade').toEqual(want);
      await alembic.run('downgrade', 'base');
      expect(isEmpty(await catalog(alembicClient)), 'Alembic downgrade leaves nothing').toBe(true);
    } finally {
      alembic.stop();
      rmSync(dir, { recursive: true, force: true });
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});

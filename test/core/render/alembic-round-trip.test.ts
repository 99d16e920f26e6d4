/**
 * The rendered Alembic revisions of representative plans run under real Alembic 1.13 on
 * PostgreSQL: upgrade → downgrade → upgrade, each state's catalog equal to the one the
 * rendered SQL builds from scratch (itself checked in sql-round-trip.test.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { plan, type Plan } from '../../../src/core/plan/index.js';
import { renderAlembic, renderSql } from '../../../src/core/render/index.js';
import { emptySchema, type Schema } from '../../../src/core/schema/model.js';
import { connectTo, freshDatabase, type EphemeralDatabase } from '../../support/database.js';
import { applySql, catalog } from './catalog.js';
import { scenarios } from './scenarios.js';

const python = process.env['FLOW_MIGRATE_PYTHON'];

function missing(): string | null {
  if (!python) return 'FLOW_MIGRATE_PYTHON is not set';
  const probe = spawnSync(python, ['-c', 'import alembic, sqlalchemy, psycopg2'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${python} cannot import alembic, sqlalchemy and psycopg2`;
}
const skipReason = missing();

/**
 * Runs Alembic commands read from stdin (`upgrade b2`), one per line, answering `ok` or
 * `error <message>`: one interpreter per scenario, as importing Alembic is the slow part.
 */
const DRIVER = `
import sys, traceback
from alembic import command
from alembic.config import Config
cfg = Config()
cfg.set_main_option("script_location", sys.argv[1])
cfg.set_main_option("sqlalchemy.url", sys.argv[2])
for line in sys.stdin:
    name, target = line.split()
    try:
        getattr(command, name)(cfg, target)
        print("ok", flush=True)
    except Exception:
        print("error " + traceback.format_exc().replace("\\n", "\\\\n"), flush=True)
`;

/** A running driver: `run('upgrade', 'b2')` resolves when Alembic is done, rejects with its traceback. */
function startAlembic(dir: string, databaseUrl: string) {
  const child = spawn(python!, ['-c', DRIVER, dir, databaseUrl], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async run(cmd: 'upgrade' | 'downgrade', target: string): Promise<void> {
      child.stdin.write(`${cmd} ${target}\n`);
      const reply = await replies.next();
      if (reply.done) throw new Error(`alembic driver exited: ${stderr}`);
      if (reply.value !== 'ok') throw new Error(`alembic ${cmd} ${target} failed:\n${reply.value.slice(6).replaceAll('\\n', '\n')}`);
    },
    stop(): void {
      child.stdin.end();
    },
  };
}

const ENV = `
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
`;

function revision(rev: string, down: string | null, planned: Plan): string {
  const body = renderAlembic(planned, { wrapNamesInOpF: rev === 'b2', lockTimeout: null, indent: '    ' });
  return [
    `"""${rev}"""`,
    'from alembic import op',
    'import sqlalchemy as sa',
    ...body.imports,
    '',
    `revision = '${rev}'`,
    `down_revision = ${down ? `'${down}'` : 'None'}`,
    'branch_labels = None',
    'depends_on = None',
    '',
    '',
    'def upgrade():',
    body.upgrade,
    '',
    '',
    'def downgrade():',
    body.downgrade,
    '',
  ].join('\n');
}

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
      const dir = mkdtempSync(join(tmpdir(), 'fm-alembic-'));
      dirs.push(dir);
      mkdirSync(join(dir, 'versions'));
      writeFileSync(join(dir, 'env.py'), ENV);
      writeFileSync(join(dir, 'versions', 'a1_base.py'), revision('a1', null, plan(emptySchema(), scenario.base, { renames: [], allowDataLoss: false })));
      writeFileSync(join(dir, 'versions', 'b2_head.py'), revision('b2', 'a1', plan(scenario.base, scenario.head, scenario.options)));

      const databaseUrl = await freshUrl();
      const sqlalchemyUrl = databaseUrl.replace(/^postgres(ql)?:/, 'postgresql+psycopg2:');
      const alembic = startAlembic(dir, sqlalchemyUrl);
      const [baseCatalog, headCatalog] = await Promise.all([builtFromScratch(scenario.base, scenario.setup ?? []), builtFromScratch(scenario.head, scenario.setup ?? [])]);

      const client = await connectTo(databaseUrl);
      for (const statement of scenario.setup ?? []) await client.query(statement);
      await alembic.run('upgrade', 'a1');
      try {
        for (const statement of scenario.seed) await client.query(statement);
        const before = scenario.probeBase ? (await client.query(scenario.probeBase)).rows : null;
        await alembic.run('upgrade', 'b2');
        expect(await catalogOf(databaseUrl), 'after upgrade').toEqual(headCatalog);
        if (scenario.probeHead) expect((await client.query(scenario.probeHead.sql)).rows).toEqual(scenario.probeHead.rows);
        await alembic.run('downgrade', 'a1');
        expect(await catalogOf(databaseUrl), 'after downgrade').toEqual(baseCatalog);
        if (scenario.probeBase) expect((await client.query(scenario.probeBase)).rows).toEqual(before);
        await alembic.run('upgrade', 'b2');
        expect(await catalogOf(databaseUrl), 'after the second upgrade').toEqual(headCatalog);
      } finally {
        alembic.stop();
        await client.end();
      }
    });
  },
);

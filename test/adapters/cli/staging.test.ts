import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectStaging, READ_ONLY_LIMITS } from '../../../src/adapters/staging/connect.js';
import { readStagingUrl } from '../../../src/adapters/staging/env-file.js';
import { parseOfflineSql } from '../../../src/adapters/staging/offline-sql.js';
import { backendDir, STAGING_AT_001, stagingDatabase, type StagingDatabase } from './staging-fixtures.js';
import { runCli } from './run-cli.js';

const DATABASE_URL = process.env.DATABASE_URL;
const PYTHON = process.env.FLOW_MIGRATE_PYTHON || 'python3';
const hasAlembic = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import alembic, sqlalchemy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const NO_DATABASE = 'skipped: DATABASE_URL is not set (a PostgreSQL server where roles and databases may be created)';
const NO_ALEMBIC = `skipped: ${PYTHON} cannot import alembic and sqlalchemy (set FLOW_MIGRATE_PYTHON and PYTHONPATH)`;

describe('.env.staging', () => {
  let backend: ReturnType<typeof backendDir>;
  beforeEach(() => {
    backend = backendDir();
  });
  afterEach(() => backend.remove());
  const env = (text: string) => writeFileSync(path.join(backend.dir, '.env.staging'), text);

  it('takes the uncommented PG_URL and never shows the password', async () => {
    env('# PG_URL=postgresql://old:old-secret@old-host/db\nPG_URL=postgresql://flow:s%2Fcret@staging.internal:6543/flow\n');
    const url = await readStagingUrl(backend.dir);
    expect(url.url).toBe('postgresql://flow:s%2Fcret@staging.internal:6543/flow');
    expect(url.password).toBe('s/cret');
    expect(url.display).toBe('postgresql://flow:***@staging.internal:6543/flow');
  });

  it('says clearly when the file or PG_URL is missing', async () => {
    const missing = await runCli(['staging', '--backend', backend.dir], backend.dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no .env.staging in');
    env('# PG_URL=postgresql://flow:secret@host/db\nOTHER=1\n');
    const none = await runCli(['staging', '--backend', backend.dir], backend.dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('has no PG_URL');
    expect(none.stderr).not.toContain('secret');
  });

  it('says when staging cannot be reached', async () => {
    const port = await closedPort();
    env(`PG_URL=postgresql://flow:hunter2@127.0.0.1:${port}/flow\n`);
    const run = await runCli(['staging', '--backend', backend.dir], backend.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach staging at 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(run.stdout + run.stderr).not.toContain('hunter2');
  });

  it('says when staging refuses the password, without printing it', async () => {
    // A server that answers every login as PostgreSQL does a wrong password (SQLSTATE 28P01).
    const server = net.createServer((socket) => {
      socket.once('data', () => socket.end(errorResponse('28P01', 'password authentication failed for user "flow"')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      env(`PG_URL=postgresql://flow:hunter2@127.0.0.1:${port}/flow\n`);
      const run = await runCli(['staging', '--backend', backend.dir], backend.dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('staging refused the password for user flow (postgresql://flow:***@127.0.0.1');
      expect(run.stdout + run.stderr).not.toContain('hunter2');
    } finally {
      server.close();
    }
  });
});

describe('offline SQL', () => {
  it('splits statements and marks those outside the transaction', () => {
    const output = [
      'BEGIN;',
      '-- Running upgrade 001 -> 002',
      'ALTER TABLE tasks ALTER COLUMN status SET NOT NULL;',
      "UPDATE alembic_version SET version_num='002' WHERE alembic_version.version_num = '001';",
      '-- Running upgrade 002 -> 003',
      'COMMIT;',
      'CREATE INDEX CONCURRENTLY ix_tasks_title ON tasks (title);',
      'BEGIN;',
      'CREATE TABLE t (\n    id INTEGER\n);',
      'COMMIT;',
      '',
    ].join('\n\n');
    expect(parseOfflineSql(output)).toEqual([
      { sql: 'ALTER TABLE tasks ALTER COLUMN status SET NOT NULL', revision: '002', outsideTransaction: null },
      { sql: "UPDATE alembic_version SET version_num='002' WHERE alembic_version.version_num = '001'", revision: '002', outsideTransaction: null },
      {
        sql: 'CREATE INDEX CONCURRENTLY ix_tasks_title ON tasks (title)',
        revision: '003',
        outsideTransaction: 'the revision runs it outside the transaction (an autocommit_block)',
      },
      { sql: 'CREATE TABLE t (\n    id INTEGER\n)', revision: '003', outsideTransaction: null },
    ]);
  });
});

describe.skipIf(!DATABASE_URL)(`flow-migrate staging on a real PostgreSQL (${DATABASE_URL ? 'DATABASE_URL' : NO_DATABASE})`, () => {
  let staging: StagingDatabase;
  let backend: ReturnType<typeof backendDir>;
  beforeAll(async () => {
    staging = await stagingDatabase(DATABASE_URL!);
  });
  afterAll(async () => {
    await staging?.remove();
  });
  beforeEach(async () => {
    backend = backendDir();
    writeFileSync(path.join(backend.dir, '.env.staging'), `# PG_URL=postgresql://nobody@127.0.0.1:1/none\nPG_URL=${staging.url}\n`);
    await staging.query('DROP TABLE IF EXISTS tasks, alembic_version');
    await staging.query(STAGING_AT_001);
  });
  afterEach(() => backend.remove());

  const cli = (...args: string[]) =>
    runCli(['staging', '--backend', backend.dir, ...args], backend.dir, {
      ...process.env,
      DATABASE_URL,
      FLOW_MIGRATE_PYTHON: PYTHON,
    });
  const rows = async () => (await staging.query('SELECT id, title, status FROM tasks ORDER BY id')).rows;
  const statusNullable = async () =>
    (await staging.query(`SELECT is_nullable FROM information_schema.columns WHERE table_name = 'tasks' AND column_name = 'status'`)).rows[0]
      .is_nullable;
  const version = async () => (await staging.query('SELECT version_num FROM alembic_version')).rows.map((r) => r.version_num);

  it('connects read-only with short timeouts', async () => {
    const client = await connectStaging(await readStagingUrl(backend.dir), { readOnly: true, limits: READ_ONLY_LIMITS });
    try {
      const settings = await client.query(
        "SELECT current_setting('default_transaction_read_only') AS ro, current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt",
      );
      expect(settings.rows[0]).toEqual({ ro: 'on', st: '10s', lt: '1s' });
      await expect(client.query('CREATE TABLE intruder (id int)')).rejects.toMatchObject({ code: '25006' });
    } finally {
      await client.end();
    }
  });

  it('reports the revision staging is at and the revisions ahead of it, without the password', async () => {
    const run = await cli('--no-drift');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('revision: 001 (migrations/versions/001_create_tasks.py)');
    expect(run.stdout).toContain('chain: 2 revisions ahead of staging:\n  002  migrations/versions/002_status_not_null.py\n  003  migrations/versions/003_index_title.py');
    expect(run.stdout).toMatch(/staging: postgresql:\/\/fm_staging_\w+:\*\*\*@/);
    expect(run.stdout + run.stderr).not.toContain(encodeURIComponent(staging.password));
    expect(run.stdout + run.stderr).not.toContain(staging.password);
  });

  it('says when staging is at the head', async () => {
    await staging.query("UPDATE alembic_version SET version_num = '003'");
    expect((await cli('--no-drift')).stdout).toContain('chain: staging is at the head (003)');
  });

  it('says when staging has a revision no file declares', async () => {
    await staging.query("UPDATE alembic_version SET version_num = 'abc123'");
    expect((await cli('--no-drift')).stdout).toContain('abc123 is applied on staging but no revision file declares it');
  });

  it.skipIf(!hasAlembic)(`reports no drift, then the drift a hand-made change causes ${hasAlembic ? '' : NO_ALEMBIC}`, async () => {
    const clean = await cli();
    expect(clean.stdout).toContain("drift: none (staging's tables are what the chain builds up to 001)");
    expect(clean.code).toBe(0);
    await staging.query('ALTER TABLE tasks ADD COLUMN hotfix INTEGER');
    const drifted = await cli();
    // Drift fails, as it fails `check`.
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toMatch(/drift: 1 difference from what the chain builds up to 001:\n {2}.*tasks\.hotfix/);
  });

  it.skipIf(!hasAlembic)(`dry run: proves a NOT NULL fails on the real rows and leaves them untouched ${hasAlembic ? '' : NO_ALEMBIC}`, async () => {
    const before = await rows();
    const run = await cli('--dry-run', 'migrations/versions/002_status_not_null.py');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('dry run: upgrade 001 -> 002 in a transaction that is rolled back (lock_timeout 2s)');
    expect(run.stdout).toMatch(/FAIL .*ALTER TABLE tasks ALTER COLUMN status SET NOT NULL/);
    expect(run.stdout).toContain('column "status" of relation "tasks" contains null values');
    expect(run.stdout).toContain('the upgrade would fail on staging');
    expect(await rows()).toEqual(before);
    expect(await statusNullable()).toBe('YES');
    expect(await version()).toEqual(['001']);
  });

  it.skipIf(!hasAlembic)(`dry run: applies once the data allows it, reports locks, and rolls back ${hasAlembic ? '' : NO_ALEMBIC}`, async () => {
    await staging.query("UPDATE tasks SET status = 'open' WHERE status IS NULL");
    const run = await cli('--dry-run', path.join(backend.dir, 'migrations/versions/002_status_not_null.py'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ok +\d+ ms {2}ALTER TABLE tasks ALTER COLUMN status SET NOT NULL/);
    expect(run.stdout).toContain('table locks held until commit:\n  ACCESS EXCLUSIVE on public.tasks\n  ROW EXCLUSIVE on public.alembic_version\n');
    expect(run.stdout).toContain("the upgrade applies to staging's data");
    expect(await statusNullable()).toBe('YES');
    expect(await version()).toEqual(['001']);
  });

  it.skipIf(!hasAlembic)(`dry run: refuses statements that cannot run in a transaction ${hasAlembic ? '' : NO_ALEMBIC}`, async () => {
    const run = await cli('--dry-run', 'migrations/versions/003_index_title.py');
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('CREATE INDEX CONCURRENTLY ix_tasks_title ON tasks (title)');
    expect(run.stdout).toContain('outside the transaction');
    expect((await staging.query("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_tasks_title'")).rowCount).toBe(0);
  });

  it('says what is missing when there is no Python to render the SQL with', async () => {
    const env = { ...process.env, DATABASE_URL, FLOW_MIGRATE_PYTHON: '/nonexistent/python3' };
    const report = await runCli(['staging', '--backend', backend.dir], backend.dir, env);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/drift: not checked: .*needs Python.*FLOW_MIGRATE_PYTHON/);
    const dry = await runCli(['staging', '--backend', backend.dir, '--dry-run', 'migrations/versions/002_status_not_null.py'], backend.dir, env);
    // Python missing is exit 2, as for every command.
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(/the dry run needs the revision's SQL, which `alembic upgrade --sql` renders: .*Python/);
    expect(await version()).toEqual(['001']);
  });

  it('dry run: names a missing file or one that is not a revision of the backend', async () => {
    const missing = await cli('--dry-run', 'migrations/versions/999_nope.py');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--dry-run migrations/versions/999_nope.py: no such file');
    writeFileSync(path.join(backend.dir, 'stray.py'), 'x = 1\n');
    const stray = await cli('--dry-run', 'stray.py');
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('not a revision file of the backend');
    rmSync(path.join(backend.dir, 'stray.py'));
  });

  it.skipIf(!hasAlembic)(`dry run: says when staging already has the revision ${hasAlembic ? '' : NO_ALEMBIC}`, async () => {
    const run = await cli('--dry-run', 'migrations/versions/001_create_tasks.py');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('staging already has 001');
  });
});

function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.concat([field('S', 'FATAL'), field('C', code), field('M', message), Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

function field(type: string, value: string): Buffer {
  return Buffer.concat([Buffer.from(type), Buffer.from(value), Buffer.from([0])]);
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

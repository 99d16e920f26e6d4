import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseServerUrl } from '../../support/database.js';
import { exitCodeOf } from '../../../src/adapters/cli/commands/verify.js';
import { plan } from '../../../src/core/plan/index.js';
import { renderSql } from '../../../src/core/render/index.js';
import { buildReport, renderTerminalReport } from '../../../src/core/report/index.js';
import { ExtensionUnavailableError } from '../../../src/core/verify/round-trip.js';
import { col, schema, table } from '../../support/schema-builder.js';
import { runCli } from './run-cli.js';

const MODELS = path.resolve(import.meta.dirname, '../../fixtures/github/repositories/flowbot-commons');
const BACKEND = path.resolve(import.meta.dirname, '../../fixtures/backends/flow-py-backend');
const env = () => ({ DATABASE_URL: databaseServerUrl(), PATH: process.env.PATH });
const verify = (...args: string[]) => runCli(['verify', '--base', 'base', ...args], MODELS, env());

describe('a revision the server cannot run (an extension it lacks)', () => {
  it('is not verified, says which extension, and exits 1: not a wrong migration, and no CI passes it', () => {
    const head = schema([table('docs', [col('id', 'integer', { serial: true }), col('body', 'text')])]);
    const planned = plan(schema([]), head, { renames: [], allowDataLoss: false });
    const report = buildReport({
      plan: planned,
      sql: renderSql(planned),
      revision: null,
      verification: null,
      verificationSkipped: new ExtensionUnavailableError(['pg_trgm']).message,
      lockTimeout: null,
      confirmationStyle: 'cli',
    });
    expect(report.status).toBe('not-verified');
    expect(renderTerminalReport(report, { color: false })).toContain(
      'did not run: extension pg_trgm, which the revision needs, is not available on this PostgreSQL server (pg_available_extensions): install it there, or verify on a server that has it',
    );
    expect(exitCodeOf(report)).toBe(1);
  });
});

describe('flow-migrate verify', () => {
  it('verifies a change with the sql runner and prints the report (exit 0)', async () => {
    const run = await verify('--head', 'add-notes');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^verified on PostgreSQL/);
    expect(run.stdout).toContain('✓ 5. Upgrade again and compare with the head models');
  });

  it('prints the pull-request markdown and the JSON report', async () => {
    const markdown = await verify('--head', 'add-notes', '--format', 'markdown');
    expect(markdown.stdout).toMatch(/^## Database migration\n/);
    const json = await verify('--head', 'add-notes', '--json');
    const report = JSON.parse(json.stdout);
    expect(report.status).toBe('verified');
    expect(report.verification.steps.map((s: { status: string }) => s.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
  });

  it('refuses a change that loses data, naming the confirmation (exit 3)', async () => {
    const run = await verify('--head', 'drop-status');
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('--allow-data-loss');
  });

  it('says plainly that the alembic runner needs Python with Alembic (exit 2)', async () => {
    const run = await runCli(['verify', '--base', 'base', '--head', 'add-notes', '--backend', BACKEND, '--runner', 'alembic'], MODELS, {
      ...env(),
      FLOW_MIGRATE_PYTHON: '/no/such/python3',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^flow-migrate verify: the alembic runner needs Python, but "\/no\/such\/python3" could not be run/);
    const check = await runCli(['check', '--models', path.join(BACKEND, 'app/models'), '--backend', BACKEND], MODELS, { ...env(), FLOW_MIGRATE_PYTHON: '/no/such/python3' });
    expect(check.code).toBe(2);
  });

  it('rejects bad flags (exit 2)', async () => {
    expect((await verify('--head', 'add-notes', '--runner', 'flyway')).code).toBe(2);
    expect((await verify('--head', 'add-notes', '--from-chain')).stderr).toMatch(/--from-chain .* needs --runner alembic/);
    expect((await runCli(['verify', '--revision', 'x.py'], MODELS, env())).stderr).toMatch(/--revision needs --backend/);
  });
});

const python = process.env.FLOW_MIGRATE_PYTHON ?? 'python3';
const noAlembic = spawnSync(python, ['-c', 'import alembic, sqlalchemy, psycopg2']).status === 0 ? null : `${python} cannot import alembic, sqlalchemy and psycopg2 (set FLOW_MIGRATE_PYTHON and PYTHONPATH)`;

describe.skipIf(noAlembic !== null)(`verify --revision of a rename done as drop + add${noAlembic ? ` — SKIPPED: ${noAlembic}` : ''}`, () => {
  let dir: string;
  const alembicEnv = () => ({ ...env(), FLOW_MIGRATE_PYTHON: python, PYTHONPATH: process.env.PYTHONPATH });
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'flow-migrate-cli-revision-'));
    cpSync(BACKEND, dir, { recursive: true });
    const dropAdd = (from: string, to: string) => [`    op.drop_column("users", "${from}")`, `    op.add_column("users", sa.Column("${to}", sa.String(100), nullable=True))`];
    writeFileSync(
      path.join(dir, 'migrations/versions/004_display_name.py'),
      ['from alembic import op', 'import sqlalchemy as sa', '', 'revision = "004"', 'down_revision = "003"', '', 'def upgrade():', ...dropAdd('name', 'display_name'), '', 'def downgrade():', ...dropAdd('display_name', 'name'), ''].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const verifyRevision = (...args: string[]) => runCli(['verify', '--revision', 'migrations/versions/004_display_name.py', '--backend', '.', ...args], dir, alembicEnv());

  it('is refused (exit 3), naming the values lost and the flag', async () => {
    const run = await verifyRevision();
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^refused/);
    expect(run.stdout).toMatch(/column users\.name with its \d+ seeded values/);
    expect(run.stdout).toContain('--allow-data-loss');
  });

  it('verifies with --allow-data-loss, and the rollback says what a downgrade cannot bring back', async () => {
    const run = await verifyRevision('--allow-data-loss', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.status).toBe('verified');
    expect(report.risks.map((r: { what: string; confirmed: boolean }) => [r.what, r.confirmed])).toEqual([[expect.stringMatching(/^column users\.name /), true]]);
    expect(report.rollback.cannotRestore).toEqual([expect.stringMatching(/^the values of column users\.name /)]);
  });
});

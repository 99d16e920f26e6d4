/**
 * `flow-migrate generate --verify` on the flow-py-backend fixture: the revision is proved on
 * PostgreSQL (DATABASE_URL, else the run's embedded server) and written only when it verified.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseServerUrl } from '../../support/database.js';
import { detectPython } from '../../support/python.js';
import { runCli } from './run-cli.js';

const BACKEND = path.resolve(import.meta.dirname, '../../fixtures/backends/flow-py-backend');
const CHANGES = path.resolve(import.meta.dirname, '../../fixtures/backends/flow-py-backend-changes');
const ORIGINAL = ['001_create_users.py', '002_create_bots.py', '003_create_tasks.py'];

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A private copy of flow-py-backend to write into; the cwd of the commands. */
function backendCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'flow-migrate-generate-verify-'));
  temporary.push(dir);
  cpSync(BACKEND, dir, { recursive: true });
  return dir;
}

const versions = (backend: string) => readdirSync(path.join(backend, 'migrations/versions')).filter((f) => f.endsWith('.py')).sort();

/**
 * Head models whose upgrade cannot pass: a new CHECK that no existing row satisfies (every
 * seeded `created_at` lies before 2030), so adding it fails on the seeded rows.
 */
function unsatisfiableCheckHead(backend: string): string {
  const models = path.join(backend, 'head/app/models');
  cpSync(path.join(backend, 'app/models'), models, { recursive: true });
  const user = path.join(models, 'user.py');
  const source = readFileSync(user, 'utf8')
    .replace('from sqlalchemy import DateTime,', 'from sqlalchemy import CheckConstraint, DateTime,')
    .replace(
      '    __tablename__ = "users"\n',
      '    __tablename__ = "users"\n    __table_args__ = (CheckConstraint("created_at >= \'2030-01-01\'", name="created_recently"),)\n',
    );
  expect(source).toContain('CheckConstraint("created_at');
  writeFileSync(user, source);
  return models;
}

const env = (more: NodeJS.ProcessEnv = {}) => ({ DATABASE_URL: databaseServerUrl(), PATH: process.env.PATH, ...more });
const generate = (backend: string, head: string, ...more: string[]) =>
  runCli(['generate', '--base', 'app/models', '--head', head, '--backend', '.', '--verify', ...more], backend, env());

describe('flow-migrate generate --verify', () => {
  it('writes a revision that verified, after the report (exit 0)', async () => {
    const backend = backendCopy();
    const run = await generate(backend, path.join(CHANGES, 'add-last-login/app/models'), '--write');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^verified on PostgreSQL/);
    expect(run.stdout).toContain('✓ 5. Upgrade again and compare with the head models');
    const added = versions(backend).filter((f) => !ORIGINAL.includes(f));
    expect(added).toEqual([expect.stringMatching(/^004_.*\.py$/)]);
    expect(run.stdout).toContain(`migrations/versions/${added[0]} (revision 004, revises 003)`);
    expect(run.stderr).toBe(`wrote migrations/versions/${added[0]}\n`);
    expect(readFileSync(path.join(backend, 'migrations/versions', added[0]!), 'utf8')).toContain('last_login');
  });

  it('run twice on one change, writes it once: the second run names the revision the backend has (exit 0)', async () => {
    const backend = backendCopy();
    const head = path.join(CHANGES, 'add-last-login/app/models');
    expect((await generate(backend, head, '--write')).code).toBe(0);
    const [added] = versions(backend).filter((f) => !ORIGINAL.includes(f));
    for (const run of [
      await generate(backend, head, '--write'),
      await runCli(['generate', '--base', 'app/models', '--head', head, '--backend', '.', '--write'], backend, env()),
    ]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`the backend already has this migration: migrations/versions/${added}; nothing was written\n`);
    }
    expect(versions(backend)).toEqual([...ORIGINAL, added]);
  });

  it('without --write verifies and prints the report, writing nothing', async () => {
    const backend = backendCopy();
    const run = await generate(backend, path.join(CHANGES, 'add-last-login/app/models'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^verified on PostgreSQL/);
    expect(versions(backend)).toEqual(ORIGINAL);
  });

  it('no schema change: the report says so, nothing is verified or written (exit 0)', async () => {
    const backend = backendCopy();
    const run = await generate(backend, 'app/models', '--write');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^no schema changes\n/);
    expect(run.stderr).toBe('');
    expect(versions(backend)).toEqual(ORIGINAL);
  });

  it('writes nothing when verification fails, and exits 1 with the failing step', async () => {
    const backend = backendCopy();
    const run = await generate(backend, unsatisfiableCheckHead(backend), '--write');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED verification on PostgreSQL/);
    expect(run.stdout).toContain('✗ 3. Upgrade');
    expect(run.stdout).toContain('ck_users_created_recently');
    expect(run.stderr).toBe('the revision did not verify; nothing was written\n');
    expect(versions(backend)).toEqual(ORIGINAL);
  });

  it('--json: the verify report plus `written`', async () => {
    const backend = backendCopy();
    const verified = JSON.parse((await generate(backend, path.join(CHANGES, 'add-last-login/app/models'), '--write', '--json')).stdout);
    const file = versions(backend).find((f) => !ORIGINAL.includes(f));
    expect(verified).toMatchObject({
      status: 'verified',
      written: true,
      migration: { path: `migrations/versions/${file}`, revision: '004', downRevision: '003' },
    });
    expect(verified.verification.steps.map((s: { status: string }) => s.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);

    const failedRun = await generate(backend, unsatisfiableCheckHead(backend), '--write', '--format', 'json');
    expect(failedRun.code).toBe(1);
    const failed = JSON.parse(failedRun.stdout);
    expect(failed).toMatchObject({ status: 'verification-failed', written: false });
    expect(failed.verification.steps.find((s: { status: string }) => s.status === 'failed').name).toBe('upgrade');
    expect(versions(backend)).toEqual([...ORIGINAL, file].sort());
  });

  it('prints the pull-request markdown with --format markdown', async () => {
    const run = await generate(backendCopy(), path.join(CHANGES, 'add-last-login/app/models'), '--format', 'markdown');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^## Database migration\n/);
  });

  it('refuses a change that loses data before verifying it (exit 3, nothing written)', async () => {
    const backend = backendCopy();
    const run = await generate(backend, path.join(CHANGES, 'drop-user-name/app/models'), '--write');
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^refused/);
    expect(run.stdout).toContain('--allow-data-loss');
    expect(versions(backend)).toEqual(ORIGINAL);
  });

  it('rejects verify options without --verify, --sql with it, and a bad runner (exit 2)', async () => {
    const add = ['generate', '--base', 'app/models', '--head', path.join(CHANGES, 'add-last-login/app/models'), '--backend', '.'];
    for (const [extra, message] of [
      [['--runner', 'sql'], /--runner: only with --verify/],
      [['--from-chain'], /--from-chain: only with --verify/],
      [['--database-url', 'postgresql://x'], /--database-url: only with --verify/],
      [['--format', 'markdown'], /--format: only with --verify/],
      [['--verify', '--sql'], /--sql: not with --verify/],
      [['--verify', '--runner', 'flyway'], /--runner: /],
      [['--verify', '--from-chain'], /--from-chain .* needs --runner alembic/],
    ] as const) {
      const run = await runCli([...add, ...extra], BACKEND, env());
      expect(run.code, extra.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });

  it('says plainly that the alembic runner needs Python with Alembic (exit 2, nothing written)', async () => {
    const backend = backendCopy();
    const run = await runCli(
      ['generate', '--base', 'app/models', '--head', path.join(CHANGES, 'add-last-login/app/models'), '--backend', '.', '--verify', '--runner', 'alembic', '--write'],
      backend,
      env({ FLOW_MIGRATE_PYTHON: '/no/such/python3' }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^flow-migrate generate: the alembic runner needs Python, but "\/no\/such\/python3" could not be run/);
    expect(versions(backend)).toEqual(ORIGINAL);
  });
});

const python = detectPython();
describe.skipIf(!python.ok)(`flow-migrate generate --verify --runner alembic${python.ok ? '' : ` (skipped: ${python.reason})`}`, () => {
  it('runs the real revision with Alembic, on a base from the models or from the chain, then writes it', async () => {
    if (!python.ok) return;
    const backend = backendCopy();
    const head = path.join(CHANGES, 'add-last-login/app/models');
    const alembic = env({ FLOW_MIGRATE_PYTHON: python.python, PYTHONPATH: python.env.PYTHONPATH });
    const fromChain = await runCli(
      ['generate', '--base', 'app/models', '--head', head, '--backend', '.', '--verify', '--runner', 'alembic', '--from-chain', '--json'],
      backend,
      alembic,
    );
    expect(fromChain.code, fromChain.stderr).toBe(0);
    expect(JSON.parse(fromChain.stdout)).toMatchObject({ status: 'verified', written: false, verification: { runner: 'alembic', base: 'chain' } });

    const run = await runCli(['generate', '--base', 'app/models', '--head', head, '--backend', '.', '--verify', '--runner', 'alembic', '--write'], backend, alembic);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Verification (runner alembic, base from the models)');
    expect(versions(backend)).toHaveLength(ORIGINAL.length + 1);
  }, 120_000);
});

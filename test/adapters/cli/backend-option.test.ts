/**
 * `backend:` of flow-migrate.yml (or `backend` in [tool.flow-migrate] of pyproject.toml) is the
 * default of --backend for every command taking one, relative to the config file's folder.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseServerUrl } from '../../support/database.js';
import { detectPython } from '../../support/python.js';
import { tempRepo, type TempRepo } from '../git/temp-repo.js';
import { runCli } from './run-cli.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/backends');
const ADD_LAST_LOGIN = path.join(FIXTURES, 'flow-py-backend-changes/add-last-login/app/models');
const python = detectPython();

describe('backend: in the project config', () => {
  let dir: string;
  let repo: TempRepo;
  let backend: string;
  beforeEach(() => {
    // Side by side, as developers have them: the models repository and the backend checkout.
    dir = mkdtempSync(path.join(tmpdir(), 'flow-migrate-backend-option-'));
    backend = path.join(dir, 'flow-py-backend');
    cpSync(path.join(FIXTURES, 'flow-py-backend'), backend, { recursive: true });
    repo = tempRepo();
    cpSync(path.join(backend, 'app'), path.join(repo.root, 'app'), { recursive: true });
  });
  afterEach(() => {
    repo.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (file: 'flow-migrate.yml' | 'pyproject.toml') => {
    const relative = path.relative(repo.root, backend);
    const text = file === 'flow-migrate.yml' ? `backend: ${relative}\n` : `[tool.flow-migrate]\nbackend = "${relative}"\n`;
    repo.commit('config', { [file]: text });
  };
  const versions = () => readdirSync(path.join(backend, 'migrations/versions')).filter((f) => f.endsWith('.py')).sort();
  const env = (more: NodeJS.ProcessEnv = {}) => ({ DATABASE_URL: databaseServerUrl(), PATH: process.env.PATH, ...more });

  for (const file of ['flow-migrate.yml', 'pyproject.toml'] as const) {
    it(`generate --write takes it from ${file}, relative to the file's folder, not to the current one`, async () => {
      config(file);
      // From a subfolder of the repository: the path is the config's, so this finds the backend only from the root.
      const run = await runCli(['generate', '--base', 'models', '--head', ADD_LAST_LOGIN, '--write'], path.join(repo.root, 'app'), env());
      expect(run.stderr).not.toContain('--backend');
      expect(run.code).toBe(0);
      expect(versions()).toEqual(['001_create_users.py', '002_create_bots.py', '003_create_tasks.py', '004_add_last_login_to_users.py']);
    });
  }

  it('the flag overrides it', async () => {
    config('flow-migrate.yml');
    const run = await runCli(['generate', '--base', 'app/models', '--head', ADD_LAST_LOGIN, '--backend', 'app'], repo.root, env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot read .*app\/alembic\.ini: no such file/);
  });

  it('without flag or config, --backend is required', async () => {
    const run = await runCli(['generate', '--base', 'app/models', '--head', ADD_LAST_LOGIN], repo.root, env());
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('--backend: is required (or set `backend:` in flow-migrate.yml)');
  });

  it('verify --revision and check take it too (here as far as the missing Python)', async () => {
    config('flow-migrate.yml');
    const noPython = env({ FLOW_MIGRATE_PYTHON: '/nonexistent/python3' });
    const revision = path.join(backend, 'migrations/versions/003_create_tasks.py');
    const verify = await runCli(['verify', '--revision', revision], repo.root, noPython);
    expect(verify.stderr).toMatch(/^flow-migrate verify: the alembic runner needs Python/);
    expect(verify.code).toBe(2);
    const check = await runCli(['check', '--models', 'app/models'], repo.root, noPython);
    expect(check.stderr).toMatch(/^flow-migrate check: the alembic runner needs Python/);
    expect(check.code).toBe(2);
  });

  it.skipIf(!python.ok)(`check replays the configured backend's chain${python.ok ? '' : ` (skipped: ${python.reason})`}`, async () => {
    config('flow-migrate.yml');
    const pythonEnv = python.ok ? { FLOW_MIGRATE_PYTHON: python.python, PYTHONPATH: python.env.PYTHONPATH } : {};
    const run = await runCli(['check', '--models', 'app/models'], repo.root, env(pythonEnv));
    expect(run.stdout).toBe('in sync: the migration chain (head 003) builds exactly the schema the models describe\n');
    expect(run.code).toBe(0);
  });
});

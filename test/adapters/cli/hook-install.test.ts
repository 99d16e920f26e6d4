import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { GIT_ENV } from '../git/temp-repo.js';
import { ADD_NOTES, workspace, type Workspace } from './hook-fixtures.js';
import { runCli } from './run-cli.js';

const PACKAGE_ROOT = path.resolve(import.meta.dirname, '../../..');

describe('flow-migrate hook install / uninstall', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = workspace();
  });
  afterEach(() => ws.remove());
  const hookFile = () => path.join(ws.models.root, '.git/hooks/pre-commit');
  const cli = (...args: string[]) => runCli(['hook', ...args], ws.models.root);

  it('installs the shipped script as an executable hook, and uninstall removes it', async () => {
    const installed = await cli('install');
    expect(installed).toMatchObject({ code: 0, stdout: 'installed .git/hooks/pre-commit\n' });
    expect(readFileSync(hookFile(), 'utf8')).toBe(readFileSync(path.join(PACKAGE_ROOT, 'hooks/pre-commit'), 'utf8'));
    expect(readdirSync(path.dirname(hookFile()))).toContain('pre-commit');
    expect((await cli('install')).stdout).toBe('updated .git/hooks/pre-commit\n');

    expect(await cli('uninstall')).toMatchObject({ code: 0, stdout: 'removed .git/hooks/pre-commit\n' });
    expect(existsSync(hookFile())).toBe(false);
    expect((await cli('uninstall')).stdout).toBe('no pre-commit hook at .git/hooks/pre-commit\n');
  });

  it('refuses to overwrite a foreign hook unless --force, and puts it back on uninstall', async () => {
    const foreign = '#!/bin/sh\necho lint\n';
    writeFileSync(hookFile(), foreign, { mode: 0o755 });
    const refused = await cli('install');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("another tool's hook; nothing was written");
    expect(readFileSync(hookFile(), 'utf8')).toBe(foreign);
    expect((await cli('uninstall')).code).toBe(1);
    expect(readFileSync(hookFile(), 'utf8')).toBe(foreign);

    const forced = await cli('install', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('pre-commit.before-flow-migrate');
    expect(readFileSync(hookFile(), 'utf8')).toContain('# flow-migrate pre-commit hook');
    expect((await cli('uninstall')).stdout).toContain('the previous hook is back');
    expect(readFileSync(hookFile(), 'utf8')).toBe(foreign);
  });

  it('installs where core.hooksPath points', async () => {
    ws.models.git('config', 'core.hooksPath', '.githooks');
    const run = await cli('install');
    expect(run.stdout).toBe('installed .githooks/pre-commit\n');
    expect(existsSync(path.join(ws.models.root, '.githooks/pre-commit'))).toBe(true);
    expect(existsSync(hookFile())).toBe(false);
  });

  it('says what it knows', async () => {
    expect((await cli('explode')).code).toBe(2);
    expect((await cli()).stderr).toContain('run, install or uninstall');
  });
});

describe('the installed hook script in a real git commit', () => {
  let ws: Workspace;
  let bin: string;
  beforeEach(async () => {
    ws = workspace();
    bin = mkdtempSync(path.join(tmpdir(), 'flow-migrate-bin-'));
    await runCli(['hook', 'install'], ws.models.root);
    ws.models.write('flowbot_commons/models.py', ADD_NOTES);
    ws.models.git('add', '-A');
  });
  afterEach(() => {
    ws.remove();
    rmSync(bin, { recursive: true, force: true });
  });

  const commit = (pathDirs: string[], ...args: string[]) =>
    spawnSync('git', ['commit', '-q', '-m', 'add notes', ...args], {
      cwd: ws.models.root,
      env: { ...process.env, ...GIT_ENV, PATH: [...pathDirs, '/usr/bin', '/bin'].join(':') },
      encoding: 'utf8',
    });
  const shim = (body: string) => {
    writeFileSync(path.join(bin, 'flow-migrate'), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(bin, 'flow-migrate'), 0o755);
  };

  it('lets the commit through and says how to install flow-migrate when it is missing', () => {
    const run = commit([]);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('npm install -g flow-migration-manager');
  });

  it('runs `flow-migrate hook run` from PATH, and its exit code decides the commit', () => {
    const log = path.join(bin, 'calls');
    shim(`echo "$@" >> ${log}\nexit 3`);
    const blocked = commit([bin]);
    expect(blocked.status).not.toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('hook run\n');
    shim(`echo "$@" >> ${log}\nexit 0`);
    expect(commit([bin]).status).toBe(0);
  });

  it('does not even start flow-migrate when no Python file is staged', () => {
    const log = path.join(bin, 'calls');
    shim(`echo "$@" >> ${log}\nexit 3`);
    ws.models.git('reset', '-q');
    ws.models.write('README.md', '# changed\n');
    ws.models.git('add', 'README.md');
    expect(commit([bin]).status).toBe(0);
    expect(existsSync(log)).toBe(false);
  });

  const built = existsSync(path.join(PACKAGE_ROOT, 'dist/bundle/cli/main.js'));
  const strictTitle = 'blocks a strict `git commit -a` end to end with the built CLI';
  it.skipIf(!built)(built ? strictTitle : `${strictTitle} (skipped: dist/ not built; \`npm run build\`)`, () => {
    shim(`exec node ${path.join(PACKAGE_ROOT, 'bin/flow-migrate.js')} "$@"`);
    ws.models.git('reset', '-q', '--hard');
    ws.models.commit('strict', { 'flow-migrate.yml': `models: flowbot_commons\nbackend: ${ws.backend.root}\nstrict: true\n` });
    // Not staged: `commit -a` stages it into a temporary index (GIT_INDEX_FILE) that the hook must read.
    ws.models.write('flowbot_commons/models.py', ADD_NOTES);
    const run = commit([bin], '-a');
    expect(run.stderr).toContain('commit blocked (strict)');
    expect(run.status).not.toBe(0);
    expect(ws.models.git('log', '--format=%s', '-1').trim()).toBe('strict');
  });
});

describe('.pre-commit-hooks.yaml', () => {
  it('runs the shipped hook script, which git keeps executable', () => {
    const hooks = parseYaml(readFileSync(path.join(PACKAGE_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Record<string, unknown>[];
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ id: 'flow-migrate', entry: 'hooks/pre-commit', language: 'script', pass_filenames: false });
    const mode = execFileSync('git', ['ls-files', '-s', 'hooks/pre-commit'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).split(' ')[0];
    expect(mode).toBe('100755');
  });
});

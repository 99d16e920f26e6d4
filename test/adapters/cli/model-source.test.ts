import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/adapters/cli/command.js';
import type { CliIO } from '../../../src/adapters/cli/io.js';
import { resolveModelSource, resolveModelSources } from '../../../src/adapters/cli/model-source.js';
import type { SourceDir } from '../../../src/core/generate.js';
import { tempRepo, type TempRepo } from '../git/temp-repo.js';
import { ADD_NOTES, DROP_STATUS, workspace, type Workspace } from './hook-fixtures.js';
import { runCli } from './run-cli.js';

const io = (cwd: string): CliIO => ({ stdout: () => {}, stderr: () => {}, cwd, env: {}, color: false });
const defaults = { staged: false, worktree: false };

/** Every file the source lists below its folder, with its text. */
async function contents(source: SourceDir): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const file of await source.tree.list(source.dir)) out[path.posix.relative(source.dir, file)] = await source.tree.read(file);
  return out;
}

describe('model sources from --base/--head/--models', () => {
  let repo: TempRepo;
  let first: string;
  beforeEach(() => {
    repo = tempRepo();
    first = repo.commit('v1', { 'flow-migrate.yml': 'models: pkg\n', 'pkg/models.py': 'v1\n', 'pkg/notes.md': 'notes\n' });
    repo.commit('v2', { 'pkg/models.py': 'v2\n' });
  });
  afterEach(() => repo.remove());

  it('reads a folder that exists from the file system, and anything else as a revision', async () => {
    repo.write('pkg/models.py', 'on disk\n');
    const { base, head } = await resolveModelSources({ ...defaults, base: first, head: 'pkg' }, io(repo.root));
    expect(await contents(base)).toEqual({ 'models.py': 'v1\n', 'notes.md': 'notes\n' });
    expect(await contents(head)).toEqual({ 'models.py': 'on disk\n', 'notes.md': 'notes\n' });
  });

  it('reads the index with --staged and the work tree with --worktree', async () => {
    repo.write('pkg/models.py', 'staged\n');
    repo.git('add', 'pkg/models.py');
    repo.write('pkg/models.py', 'on disk\n');
    const staged = await resolveModelSources({ ...defaults, staged: true, base: 'HEAD' }, io(repo.root));
    expect((await contents(staged.base))['models.py']).toBe('v2\n');
    expect((await contents(staged.head))['models.py']).toBe('staged\n');
    const worktree = await resolveModelSource({ ...defaults, worktree: true }, io(path.join(repo.root, 'pkg')));
    expect((await contents(worktree))['models.py']).toBe('on disk\n');
  });

  it('takes --models-path (a folder or a glob) over the config', async () => {
    const source = await resolveModelSource({ ...defaults, models: 'HEAD', 'models-path': 'pkg/*.py' }, io(repo.root));
    expect(await contents(source)).toEqual({ 'models.py': 'v2\n' });
  });

  it('reads another repository with --repo', async () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'flow-migrate-cwd-'));
    try {
      const source = await resolveModelSource({ ...defaults, models: 'HEAD~1', repo: repo.root }, io(elsewhere));
      expect((await contents(source))['models.py']).toBe('v1\n');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('explains what is wrong with the flags', async () => {
    const fail = (promise: Promise<unknown>) => expect(promise).rejects.toBeInstanceOf(UsageError);
    await fail(resolveModelSources({ ...defaults, base: 'HEAD' }, io(repo.root)));
    await fail(resolveModelSources({ ...defaults, staged: true, base: 'HEAD', head: 'HEAD' }, io(repo.root)));
    await expect(resolveModelSources({ ...defaults, base: 'nope', head: 'HEAD' }, io(repo.root))).rejects.toThrow(
      /--base nope: neither a folder nor a revision/,
    );
    repo.commit('no config', { 'flow-migrate.yml': '' });
    await expect(resolveModelSource({ ...defaults, models: 'HEAD' }, io(repo.root))).rejects.toThrow(/--models-path PATH/);
    await expect(resolveModelSource({ ...defaults, models: 'HEAD' }, io(tmpdir()))).rejects.toThrow(
      /--models HEAD: no such folder, and no revision can be read either: .* is not inside a git repository/,
    );
    await expect(resolveModelSource({ ...defaults, staged: true }, io(tmpdir()))).rejects.toThrow(/--staged: .* pass --repo DIR/);
  });
});

describe('commands on git sources', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = workspace();
    ws.models.commit('notes', { 'flowbot_commons/models.py': ADD_NOTES });
    ws.models.write('flowbot_commons/models.py', DROP_STATUS);
    ws.models.git('add', '-A');
  });
  afterEach(() => ws.remove());

  it('diff compares two revisions, and a revision with the staged models', async () => {
    const revisions = await runCli(['diff', '--base', 'HEAD~1', '--head', 'HEAD'], ws.models.root);
    expect(revisions.code).toBe(0);
    expect(revisions.stdout).toMatch(/1 change:\n {2}1\. add notes to tasks\n/);
    const staged = await runCli(['diff', '--base', 'HEAD', '--staged', '--json'], ws.models.root);
    expect(JSON.parse(staged.stdout).operations.map((o: { summary: string }) => o.summary).sort()).toEqual([
      'drop notes from tasks',
      'drop status from tasks',
    ]);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    `verify proves the staged change on PostgreSQL${process.env.DATABASE_URL ? '' : ' (skipped: DATABASE_URL is not set)'}`,
    async () => {
      const run = await runCli(['verify', '--base', 'HEAD', '--staged', '--allow-data-loss'], ws.models.root, { DATABASE_URL: process.env.DATABASE_URL });
      expect(run.stdout).toContain('verified on PostgreSQL');
      expect(run.stdout).toMatch(/Upgrade, compare with the head models/);
      expect(run.code).toBe(0);
    },
  );
});

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { gitTree } from '../../../src/adapters/git/git-tree.js';
import { openRepository, type GitRepository } from '../../../src/adapters/git/repository.js';
import { stagedChanges } from '../../../src/adapters/git/staged.js';
import { tempRepo, type TempRepo } from './temp-repo.js';

describe('gitTree', () => {
  let fixture: TempRepo;
  let repo: GitRepository;
  let first: string;

  beforeEach(async () => {
    fixture = tempRepo();
    first = fixture.commit('first', {
      'pkg/models.py': 'v1\n',
      'pkg/sub/more.py': 'sub v1\n',
      'other/x.py': 'other\n',
    });
    fixture.commit('second', { 'pkg/models.py': 'v2\n' });
    repo = await openRepository(path.join(fixture.root, 'pkg'));
  });
  afterEach(() => fixture.remove());

  const at = (p: string) => `${repo.root}/${p}`;

  it('finds the repository root from a folder inside it', () => {
    expect(repo.root).toBe(fixture.root.split(path.sep).join('/'));
  });

  it('reads a revision from the object store, whatever the work tree holds', async () => {
    fixture.write('pkg/models.py', 'edited on disk\n');
    const head = gitTree(repo, { kind: 'revision', ref: 'HEAD' });
    const old = gitTree(repo, { kind: 'revision', ref: first });
    expect(await head.list(at('pkg'))).toEqual([at('pkg/models.py'), at('pkg/sub/more.py')]);
    expect(await head.read(at('pkg/models.py'))).toBe('v2\n');
    expect(await old.read(at('pkg/models.py'))).toBe('v1\n');
    expect(await head.read(at('pkg/missing.py'))).toBeNull();
    expect(await head.read(at('pkg'))).toBeNull();
  });

  it('reads the index: staged content, not the later edit on disk', async () => {
    fixture.write('pkg/models.py', 'staged\n');
    fixture.write('pkg/new.py', 'new\n');
    fixture.git('add', 'pkg/models.py', 'pkg/new.py');
    fixture.write('pkg/models.py', 'edited after staging\n');
    fixture.write('pkg/untracked.py', 'untracked\n');
    const index = gitTree(repo, { kind: 'index' });
    expect(await index.list(at('pkg'))).toEqual([at('pkg/models.py'), at('pkg/new.py'), at('pkg/sub/more.py')]);
    expect(await index.read(at('pkg/models.py'))).toBe('staged\n');
    expect(await index.read(at('pkg/untracked.py'))).toBeNull();
  });

  it('reads the work tree as git sees it: untracked included, ignored and deleted left out', async () => {
    fixture.commit('ignore', { '.gitignore': 'pkg/ignored.py\n' });
    fixture.write('pkg/models.py', 'on disk\n');
    fixture.write('pkg/untracked.py', 'untracked\n');
    fixture.write('pkg/ignored.py', 'ignored\n');
    fixture.git('rm', '-q', '--cached', 'pkg/sub/more.py');
    fixture.git('commit', '-q', '-m', 'untrack');
    fixture.commit('again', { 'pkg/sub/more.py': 'back\n' });
    fixture.git('rm', '-q', '--cached', 'other/x.py');
    const work = gitTree(repo, { kind: 'worktree' });
    expect(await work.list(at('pkg'))).toEqual([at('pkg/models.py'), at('pkg/sub/more.py'), at('pkg/untracked.py')]);
    expect(await work.read(at('pkg/models.py'))).toBe('on disk\n');
    expect(await work.read(at('pkg/ignored.py'))).toBeNull();
  });

  it('never changes the index or the work tree', async () => {
    fixture.write('pkg/models.py', 'staged\n');
    fixture.git('add', 'pkg/models.py');
    fixture.write('pkg/models.py', 'unstaged\n');
    const before = fixture.git('status', '--porcelain=v2');
    const indexBefore = readFileSync(path.join(fixture.root, '.git/index'));
    for (const kind of ['index', 'worktree'] as const) {
      const tree = gitTree(repo, { kind });
      for (const file of await tree.list(repo.root)) await tree.read(file);
    }
    await gitTree(repo, { kind: 'revision', ref: first }).read(at('pkg/models.py'));
    expect(fixture.git('status', '--porcelain=v2')).toBe(before);
    expect(readFileSync(path.join(fixture.root, '.git/index'))).toEqual(indexBefore);
    expect(readFileSync(path.join(fixture.root, 'pkg/models.py'), 'utf8')).toBe('unstaged\n');
  });

  it('reads the index git names in GIT_INDEX_FILE, as `git commit -a` hands it to hooks', async () => {
    const temporary = path.join(fixture.root, '.git', 'index.hook');
    fixture.git('read-tree', `--index-output=${temporary}`, 'HEAD');
    fixture.write('pkg/models.py', 'in the temporary index\n');
    execFileSync('git', ['add', 'pkg/models.py'], { cwd: fixture.root, env: { ...process.env, GIT_INDEX_FILE: temporary } });
    process.env.GIT_INDEX_FILE = temporary;
    try {
      const hooked = await openRepository(fixture.root);
      expect(await gitTree(hooked, { kind: 'index' }).read(at('pkg/models.py'))).toBe('in the temporary index\n');
      expect(await stagedChanges(hooked, 'pkg')).toEqual(['pkg/models.py']);
    } finally {
      delete process.env.GIT_INDEX_FILE;
    }
    expect(await stagedChanges(repo, 'pkg')).toEqual([]);
  });

  it('names a revision that does not exist', async () => {
    const tree = gitTree(repo, { kind: 'revision', ref: 'no-such-branch' });
    await expect(tree.list(repo.root)).rejects.toThrow(/no-such-branch is not a commit/);
  });

  it('refuses to read a file left in a merge conflict', async () => {
    fixture.git('checkout', '-q', '-b', 'side');
    fixture.commit('side', { 'pkg/models.py': 'side\n' });
    fixture.git('checkout', '-q', 'main');
    fixture.commit('main', { 'pkg/models.py': 'main\n' });
    try {
      fixture.git('merge', '-q', 'side');
    } catch {
      // the conflict is the point
    }
    const index = gitTree(repo, { kind: 'index' });
    await expect(index.read(at('pkg/models.py'))).rejects.toThrow(InputError);
  });

  it('lists staged changes below a path against HEAD, and everything before the first commit', async () => {
    fixture.write('pkg/models.py', 'changed\n');
    fixture.write('other/x.py', 'changed\n');
    fixture.git('add', '-A');
    expect(await stagedChanges(repo, 'pkg')).toEqual(['pkg/models.py']);
    expect(await stagedChanges(repo, ':(glob)pkg/sub/**/*.py')).toEqual([]);

    const fresh = tempRepo();
    try {
      fresh.write('pkg/a.py', 'a\n');
      fresh.git('add', '-A');
      expect(await stagedChanges(await openRepository(fresh.root), 'pkg')).toEqual(['pkg/a.py']);
    } finally {
      fresh.remove();
    }
  });

  it('is an InputError outside a repository', async () => {
    await expect(openRepository('/')).rejects.toThrow(/not inside a git repository/);
  });
});

import { access } from 'node:fs/promises';
import posix from 'node:path/posix';
import { InputError } from '../../core/errors.js';
import type { SourceTree } from '../../core/source.js';
import { fileSystemTree } from '../fs/file-system-tree.js';
import { absolute, resolveCommit, type GitRepository } from './repository.js';

/** Which version of the repository's files to read. */
export type GitSource =
  | { kind: 'revision'; ref: string }
  /** The staged files: what `git commit` would record. */
  | { kind: 'index' }
  /** The files on disk that git tracks or would track (untracked but not ignored). */
  | { kind: 'worktree' };

interface Entry {
  /** The blob's object id; null for a file only the work tree has. */
  object: string | null;
  /** Set for a path left in a merge conflict in the index. */
  conflicted: boolean;
}

/**
 * A version of a git repository as a SourceTree. Paths are absolute POSIX paths under the
 * repository root, so diagnostics point at the files people edit. Revisions and the index
 * are read from git's object store (`ls-tree`, `ls-files --stage`, `cat-file`): the work
 * tree and the index are never read for them, nor written for any source.
 */
export function gitTree(repo: GitRepository, source: GitSource): SourceTree {
  let listing: Promise<Map<string, Entry>> | null = null;
  const entries = () => (listing ??= listEntries(repo, source));
  const disk = fileSystemTree();

  return {
    async list(dir) {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      return [...(await entries()).keys()].filter((p) => p.startsWith(prefix)).sort();
    },
    async read(file) {
      const entry = (await entries()).get(posix.normalize(file));
      if (!entry) return null;
      if (entry.conflicted) {
        throw new InputError('the file has unresolved merge conflicts in the index', { file, line: 1, column: 1 });
      }
      if (entry.object === null) return disk.read(file);
      return repo.git.raw(['cat-file', 'blob', entry.object]);
    },
  };
}

async function listEntries(repo: GitRepository, source: GitSource): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  switch (source.kind) {
    case 'revision': {
      const commit = await resolveCommit(repo, source.ref);
      // `<mode> <type> <object>\t<path>`; submodules (commit) and symlinks are not source files.
      for (const record of records(await repo.git.raw(['ls-tree', '-r', '-z', '--full-tree', commit]))) {
        const [meta, file] = splitTab(record);
        const [mode, type, object] = meta.split(' ');
        if (type === 'blob' && mode !== '120000') entries.set(absolute(repo, file), { object: object!, conflicted: false });
      }
      return entries;
    }
    case 'index': {
      // `<mode> <object> <stage>\t<path>`; stages 1-3 are the sides of a merge conflict.
      for (const record of records(await repo.git.raw(['ls-files', '--stage', '-z']))) {
        const [meta, file] = splitTab(record);
        const [mode, object, stage] = meta.split(' ');
        if (mode === '120000' || mode === '160000') continue;
        const key = absolute(repo, file);
        if (stage === '0') entries.set(key, { object: object!, conflicted: false });
        else entries.set(key, { object: null, conflicted: true });
      }
      return entries;
    }
    case 'worktree': {
      const files = records(await repo.git.raw(['ls-files', '-z', '--cached', '--others', '--exclude-standard']));
      // A tracked file deleted on disk is listed by ls-files but is not in the work tree.
      const present = await Promise.all(
        files.map((f) => access(absolute(repo, f)).then(() => true, () => false)),
      );
      files.forEach((f, i) => {
        if (present[i]) entries.set(absolute(repo, f), { object: null, conflicted: false });
      });
      return entries;
    }
  }
}

function records(output: string): string[] {
  return output.split('\0').filter(Boolean);
}

function splitTab(record: string): [string, string] {
  const tab = record.indexOf('\t');
  return [record.slice(0, tab), record.slice(tab + 1)];
}

import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { InputError } from '../../core/errors.js';

/** A local git repository: its top-level folder (POSIX, absolute) and a client bound to it. */
export interface GitRepository {
  root: string;
  git: SimpleGit;
}

/**
 * simple-git drops every ambient `GIT_*` variable unless told otherwise, but git itself
 * honours these, and git sets GIT_INDEX_FILE for hooks: `git commit -a` (or `commit <paths>`)
 * stages into a temporary index, and that is the index the pre-commit hook must read.
 */
const GIT_ENVIRONMENT = ['GIT_INDEX_FILE', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES'];

/**
 * A git command is done when its output streams close. simple-git's default also counts
 * 50 ms after the process exits, with a timer that keeps node alive that long after the last
 * command: a quarter of the pre-commit hook's time on a commit staging no model.
 */
const COMPLETION = { onClose: true, onExit: false } as const;

/** The repository holding `dir`; InputError when `dir` is not inside one. */
export async function openRepository(dir: string): Promise<GitRepository> {
  const options = { allowEnvironment: GIT_ENVIRONMENT, completion: COMPLETION };
  const probe = simpleGit({ baseDir: path.resolve(dir), ...options });
  let root: string;
  try {
    root = (await probe.revparse(['--show-toplevel'])).trim();
  } catch {
    throw new InputError(`${dir} is not inside a git repository`);
  }
  return { root: toPosix(root), git: simpleGit({ baseDir: root, ...options }) };
}

/** The commit a revision names (`HEAD`, a branch, a tag, a sha), or InputError. */
export async function resolveCommit(repo: GitRepository, ref: string): Promise<string> {
  // `--end-of-options` keeps a ref such as `--all` from being read as a flag.
  const sha = await repo.git
    .raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
    .catch(() => '');
  if (!sha.trim()) throw new InputError(`${ref} is not a commit in the repository at ${repo.root}`);
  return sha.trim();
}

/** False on a branch with no commit yet (the very first commit of a repository). */
export async function hasHead(repo: GitRepository): Promise<boolean> {
  const sha = await repo.git.raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).catch(() => '');
  return sha.trim() !== '';
}

/** Paths relative to the repository root, as git prints them, to absolute POSIX ones. */
export function absolute(repo: GitRepository, relative: string): string {
  return path.posix.join(repo.root, relative);
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

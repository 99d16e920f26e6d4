import type { GitRepository } from './repository.js';

/**
 * The paths (relative to the repository root) the next commit changes that match `pathspec`:
 * added, modified, deleted or renamed in the index against HEAD (against nothing before
 * the first commit). Cheap: git compares object ids and reads no file.
 */
export async function stagedChanges(repo: GitRepository, pathspec: string): Promise<string[]> {
  const output = await repo.git.raw(['diff', '--cached', '--name-only', '--no-renames', '-z', '--', pathspec]);
  return output.split('\0').filter(Boolean);
}

/**
 * The staged Python files (relative to the repository root) holding any of `words` as a
 * whole word, as the next commit would record them. Cheap: git searches the index's blobs.
 */
export async function stagedPythonMentioning(repo: GitRepository, words: string[]): Promise<string[]> {
  const output = await repo.git.raw(['grep', '--cached', '-l', '-z', '-w', '-F', ...words.flatMap((w) => ['-e', w]), '--', '*.py']);
  return output.split('\0').filter(Boolean);
}

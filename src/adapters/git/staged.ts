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
 * The Python files of the index (what the next commit records, changed or not; relative to
 * the repository root) holding any of `words` as a whole word. Cheap: git searches blobs.
 */
export async function indexedPythonNaming(repo: GitRepository, words: string[]): Promise<string[]> {
  const output = await repo.git.raw(['grep', '--cached', '-l', '-z', '-w', '-F', ...words.flatMap((w) => ['-e', w]), '--', '*.py']);
  return output.split('\0').filter(Boolean);
}

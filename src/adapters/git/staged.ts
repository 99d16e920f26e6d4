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

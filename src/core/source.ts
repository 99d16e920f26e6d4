/**
 * A read-only tree of source files: the local file system, a git revision, or a
 * repository read through the GitHub API. The core reads models and Alembic trees only
 * through this, so it never knows (or touches) where the files live.
 *
 * Paths are POSIX-style. Each adapter documents what its paths are relative to; the core
 * only joins and splits them with `node:path/posix`.
 */
export interface SourceTree {
  /** Every file below `dir` (recursively), as paths in the same form as `dir`. */
  list(dir: string): Promise<string[]>;
  /** The file's text, or null when there is no such file. */
  read(path: string): Promise<string | null>;
}

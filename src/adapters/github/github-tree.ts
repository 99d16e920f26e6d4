import posix from 'node:path/posix';
import picomatch from 'picomatch';
import type { ProbotOctokit } from 'probot';
import { InputError } from '../../core/errors.js';
import type { SourceTree } from '../../core/source.js';

export interface RepositoryRef {
  owner: string;
  repo: string;
  /** A commit SHA (preferred: it cannot move under a run) or a branch name. */
  ref: string;
}

/**
 * Blob texts by repository and blob SHA. Blobs never change, so trees of the same
 * repository at different commits (a pull request's base and head) can share one: a file
 * neither side changed is fetched once.
 */
export type BlobCache = Map<string, Promise<string>>;

/**
 * How many Python files outside the configured paths one commit's tree serves: far more than
 * a models package's bases, mixins, enums and types, and a bound on what a package whose
 * `__init__.py` imports the whole project can cost in API requests.
 */
export const MAX_IMPORTED_FILES = 250;

/**
 * A repository at one commit, read through the GitHub API: one recursive git-trees call
 * for the listing, then one blob per file actually read (once). Only files matching `paths`
 * (folders, files or globs, relative to the repository root) are listed, so they alone
 * decide what the stages scan (which classes become tables, which revisions exist). Python
 * files elsewhere stay readable, fetched only when read: a models package imports its
 * declarative base, mixins, enums and custom types from wherever the project keeps them,
 * and the reader follows those imports from the package root (at most `maxImported` such
 * files, then an InputError). Paths are relative to the
 * repository root, without a leading `./`, which is also how check-run annotations name
 * files.
 */
export function githubTree(
  octokit: ProbotOctokit,
  at: RepositoryRef,
  paths: string[],
  blobs: BlobCache = new Map(),
  maxImported = MAX_IMPORTED_FILES,
): SourceTree {
  const visible = pathFilter(paths);
  const imported = new Set<string>();
  let listing: Promise<Map<string, string>> | null = null;
  const files = () => (listing ??= listFiles(octokit, at));
  const readable = (file: string) => visible(file) || file.endsWith('.py');
  const fetchBlob = (sha: string) => {
    const key = `${at.owner}/${at.repo}@${sha}`;
    let text = blobs.get(key);
    if (!text) {
      text = octokit.rest.git
        .getBlob({ owner: at.owner, repo: at.repo, file_sha: sha })
        .then(({ data }) => Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8'));
      // A failed fetch is not remembered: the next read (a retried run) asks again.
      text.catch(() => blobs.delete(key));
      blobs.set(key, text);
    }
    return text;
  };

  return {
    async list(dir) {
      const prefix = normalise(dir);
      return [...(await files()).keys()]
        .filter((file) => visible(file) && (prefix === '' || file.startsWith(`${prefix}/`)))
        .sort();
    },
    async read(path) {
      const file = normalise(path);
      if (!readable(file)) return null;
      // The reader probes many candidate modules; the listing answers those that do not exist.
      const sha = (await files()).get(file);
      if (sha === undefined) return null;
      if (!visible(file) && !imported.has(file)) {
        if (imported.size >= maxImported) {
          throw new InputError(
            `the models import more than ${maxImported} Python files from outside ${paths.join(', ')} ` +
              `(${at.owner}/${at.repo} at ${at.ref}); the bot reads no more than that per commit`,
          );
        }
        imported.add(file);
      }
      return fetchBlob(sha);
    },
  };
}

/** Whether a repository path is one of `paths`, lies below one, or matches one as a glob. */
export function pathFilter(paths: string[]): (file: string) => boolean {
  const tests = paths.map(normalise).map((pattern) => {
    if (pattern === '') return () => true;
    const glob = picomatch.scan(pattern).isGlob ? picomatch(pattern, { dot: true }) : null;
    return (file: string) => file === pattern || file.startsWith(`${pattern}/`) || (glob !== null && glob(file));
  });
  return (file) => tests.some((test) => test(normalise(file)));
}

/**
 * The folder a reader should start from for `paths`: the deepest folder holding every one
 * of them (before any glob character), `''` for the repository root.
 */
export function commonFolder(paths: string[]): string {
  const folders = paths.map((path) => {
    const { base, isGlob } = picomatch.scan(normalise(path));
    return isGlob || !posix.extname(base) ? base : posix.dirname(base);
  });
  const parts = folders.map((folder) => (folder === '' || folder === '.' ? [] : folder.split('/')));
  const shared: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0]![i]); i++) shared.push(parts[0]![i]!);
  return shared.join('/');
}

function normalise(path: string): string {
  const clean = posix.normalize(path).replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return clean === '.' ? '' : clean;
}

/** Every file of the repository at `at.ref`, path → blob SHA (submodules and symlinks excluded). */
async function listFiles(octokit: ProbotOctokit, at: RepositoryRef): Promise<Map<string, string>> {
  const { data } = await octokit.rest.git.getTree({
    owner: at.owner,
    repo: at.repo,
    tree_sha: at.ref,
    recursive: 'true',
  });
  if (data.truncated) {
    throw new Error(
      `${at.owner}/${at.repo} at ${at.ref} has more files than GitHub lists in one tree; the bot cannot read it`,
    );
  }
  const files = new Map<string, string>();
  for (const entry of data.tree) {
    if (entry.type === 'blob' && entry.mode !== '120000' && entry.path && entry.sha) files.set(entry.path, entry.sha);
  }
  return files;
}

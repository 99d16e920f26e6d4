import posix from 'node:path/posix';
import picomatch from 'picomatch';
import type { ProbotOctokit } from 'probot';
import type { SourceTree } from '../../core/source.js';

export interface RepositoryRef {
  owner: string;
  repo: string;
  /** A commit SHA (preferred: it cannot move under a run) or a branch name. */
  ref: string;
}

/**
 * A repository at one commit, read through the GitHub API: one recursive git-trees call
 * for the listing, then one blob per file actually read (once). Only files matching `paths`
 * (folders, files or globs, relative to the repository root) are visible, so the bot reads
 * the model and Alembic folders and nothing else. Paths are relative to the repository
 * root, without a leading `./`, which is also how check-run annotations name files.
 */
export function githubTree(octokit: ProbotOctokit, at: RepositoryRef, paths: string[]): SourceTree {
  const visible = pathFilter(paths);
  let listing: Promise<Map<string, string>> | null = null;
  const files = () => (listing ??= listFiles(octokit, at, visible));
  // Each file is fetched once, however often the stages read it.
  const texts = new Map<string, Promise<string | null>>();
  const fetchText = async (path: string) => {
    const sha = (await files()).get(path);
    if (sha === undefined) return null;
    const { data } = await octokit.rest.git.getBlob({ owner: at.owner, repo: at.repo, file_sha: sha });
    return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
  };

  return {
    async list(dir) {
      const prefix = normalise(dir);
      return [...(await files()).keys()].filter((file) => prefix === '' || file.startsWith(`${prefix}/`)).sort();
    },
    read(path) {
      const file = normalise(path);
      let text = texts.get(file);
      if (!text) {
        text = fetchText(file);
        texts.set(file, text);
      }
      return text;
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

async function listFiles(
  octokit: ProbotOctokit,
  at: RepositoryRef,
  visible: (file: string) => boolean,
): Promise<Map<string, string>> {
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
    if (entry.type === 'blob' && entry.path && entry.sha && visible(entry.path)) files.set(entry.path, entry.sha);
  }
  return files;
}

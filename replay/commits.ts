import posix from 'node:path/posix';
import { simpleGit } from 'simple-git';
import type { GitRepository } from '../src/adapters/git/repository.js';
import type { Project } from './corpus.js';

/** A commit that changes the models and adds a revision, with what else it does to the versions folder. */
export interface CandidateCommit {
  sha: string;
  parent: string;
  subject: string;
  /** Repository-relative paths of the revision files it adds. */
  added: string[];
  /** Other files of the versions folder it modifies, deletes or renames. */
  touched: string[];
}

/**
 * A mirror (bare or not) as a GitRepository whose paths are rooted at `/replay/<name>`, a
 * folder that does not exist: files are only ever read from git objects, and Alembic runs
 * with nothing of the project importable but its revision files.
 */
export function mirrorRepository(gitDir: string, name: string): GitRepository {
  return { root: `/replay/${name}`, git: simpleGit({ baseDir: gitDir }) };
}

/** Alembic reads `*.py` in a versions folder except editor lock files and `__init__.py`. */
const isRevisionFile = (p: string) => /^(?!\.#|__init__).*\.py$/.test(posix.basename(p));

/**
 * The most recent `project.limit` commits of `project.range`, oldest first, that change a
 * file under the models path and add at least one revision file (merges are not: their
 * change is the commits merged).
 */
export async function candidateCommits(repo: GitRepository, project: Project): Promise<CandidateCommit[]> {
  const log = await repo.git.raw(['log', '--no-merges', '--format=%H%x09%P%x09%s', project.range, '--', project.models, project.versions]);
  const out: CandidateCommit[] = [];
  for (const line of log.split('\n').filter(Boolean)) {
    if (out.length >= project.limit) break;
    const [sha, parents, subject] = line.split('\t') as [string, string, string];
    const parent = parents.split(' ')[0];
    if (!parent) continue;
    const status = await repo.git.raw(['diff-tree', '-r', '--no-commit-id', '--name-status', '--no-renames', parent, sha, '--', project.models, project.versions]);
    const changes = status
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string]);
    const inVersions = (p: string) => p.startsWith(`${project.versions}/`) && isRevisionFile(p);
    const added = changes.filter(([s, p]) => s === 'A' && inVersions(p)).map(([, p]) => p);
    const modelsChanged = changes.some(([, p]) => p === project.models || p.startsWith(`${project.models}/`));
    if (!modelsChanged || !added.length) continue;
    const touched = changes.filter(([s, p]) => s !== 'A' && inVersions(p)).map(([, p]) => p);
    out.push({ sha, parent, subject, added, touched });
  }
  return out.reverse();
}

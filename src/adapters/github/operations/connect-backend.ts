import type { Probot, ProbotOctokit } from 'probot';
import type { GithubAppConfig } from '../config/schema.js';

export interface BackendConnection {
  /** Authenticated as the app's installation on the backend repository. */
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  branch: string;
  /** The branch's commit when the run started: what is read and what a migration builds on. */
  sha: string;
}

/**
 * A client for the backend repository from Probot itself (so GitHub Enterprise hosts and
 * installation tokens work as everywhere else), via the app's installation there: the
 * models repository's installation cannot write to another account's repository.
 */
export async function connectBackend(app: Probot, backend: GithubAppConfig['backend']): Promise<BackendConnection> {
  const [owner, repo] = backend.repository.split('/') as [string, string];
  const appOctokit = await app.auth();
  let installationId: number;
  try {
    installationId = (await appOctokit.rest.apps.getRepoInstallation({ owner, repo })).data.id;
  } catch (err) {
    if ((err as { status?: number }).status === 404) {
      throw new BackendUnavailableError(
        `the app is not installed on ${backend.repository}; install it there so it can read the Alembic migrations`,
      );
    }
    throw err;
  }
  const octokit = await app.auth(installationId);
  const branch = backend.branch ?? (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
  let sha: string;
  try {
    sha = (await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` })).data.object.sha;
  } catch (err) {
    if ((err as { status?: number }).status === 404) {
      throw new BackendUnavailableError(`${backend.repository} has no branch "${branch}"`);
    }
    throw err;
  }
  return { octokit, owner, repo, branch, sha };
}

/** The configured backend cannot be reached: a problem for the person who set the bot up. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

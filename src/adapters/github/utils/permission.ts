import type { ProbotOctokit } from 'probot';

const WRITERS = new Set(['admin', 'maintain', 'write']);

/**
 * Whether `username` may confirm a migration in `owner/repo`: write access or more. A user
 * who is not a collaborator at all gets `none` (or a 404 for some accounts), never an error.
 */
export async function hasWriteAccess(
  octokit: ProbotOctokit,
  repository: { owner: string; repo: string },
  username: string,
): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repository, username });
    return WRITERS.has(data.permission) || WRITERS.has(data.role_name);
  } catch (err) {
    if ((err as { status?: number }).status === 404) return false;
    throw err;
  }
}

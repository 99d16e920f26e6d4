import type { ProbotOctokit } from 'probot';
import { COMMENT_LIMIT } from '../utils/limits.js';

/** Hidden in the rendered comment; how the bot finds its own comment again. */
export const STICKY_MARKER = '<!-- flow-migrate -->';

export interface IssueComment {
  id: number;
  body?: string | undefined;
  html_url: string;
  user: { login: string; type: string } | null;
}

export interface IssueRef {
  owner: string;
  repo: string;
  issue_number: number;
}

export function findStickyComment(comments: IssueComment[]): IssueComment | undefined {
  return comments.find((c) => c.user?.type === 'Bot' && c.body?.startsWith(STICKY_MARKER));
}

/**
 * Writes the bot's one comment on a pull request: updated in place when it exists, created
 * otherwise, so every push edits the same comment.
 */
export async function upsertStickyComment(
  octokit: ProbotOctokit,
  issue: IssueRef,
  content: string,
  existing: IssueComment | undefined,
): Promise<IssueComment> {
  const body = `${STICKY_MARKER}\n${content}`;
  if (body.length > COMMENT_LIMIT) {
    throw new Error(`the comment is ${body.length} characters; GitHub takes at most ${COMMENT_LIMIT}`);
  }
  const { owner, repo } = issue;
  const { data } = existing
    ? await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body })
    : await octokit.rest.issues.createComment({ ...issue, body });
  return data;
}

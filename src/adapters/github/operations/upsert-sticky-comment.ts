import type { ProbotOctokit } from 'probot';
import { formatDataLossState, type DataLossState } from '../utils/data-loss.js';
import { COMMENT_LIMIT } from '../utils/limits.js';

/** Hidden in the rendered comment; how the bot finds its own comment again. */
export const STICKY_MARKER = '<!-- flow-migrate -->';

export interface IssueComment {
  id: number;
  body?: string | undefined;
  html_url: string;
  user: { login: string; type: string } | null;
  created_at?: string;
  updated_at?: string;
}

export interface IssueRef {
  owner: string;
  repo: string;
  issue_number: number;
}

export function findStickyComment(comments: IssueComment[]): IssueComment | undefined {
  return comments.find((c) => c.user?.type === 'Bot' && c.body?.startsWith(STICKY_MARKER));
}

/** What the marker and the hidden state add to a comment's content, in characters. */
export function stickyOverhead(state: DataLossState): number {
  return STICKY_MARKER.length + formatDataLossState(state).length + 2;
}

/**
 * Writes the bot's one comment on a pull request: updated in place when it exists, created
 * otherwise, so every push edits the same comment. It carries, hidden, when each data-loss
 * finding was first shown: what a later confirmation is measured against.
 */
export async function upsertStickyComment(
  octokit: ProbotOctokit,
  issue: IssueRef,
  content: string,
  existing: IssueComment | undefined,
  state: DataLossState,
): Promise<IssueComment> {
  const body = `${STICKY_MARKER}\n${formatDataLossState(state)}\n${content}`;
  if (body.length > COMMENT_LIMIT) {
    throw new Error(`the comment is ${body.length} characters; GitHub takes at most ${COMMENT_LIMIT}`);
  }
  const { owner, repo } = issue;
  const { data } = existing
    ? await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body })
    : await octokit.rest.issues.createComment({ ...issue, body });
  return data;
}

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

/**
 * The bot's own comment: marked, and written by this app's bot account. Any other app, or a
 * workflow as github-actions[bot], can post a marked comment too, whose hidden state could
 * claim a drop was shown long before a person's confirmation; the login tells them apart.
 * It is asked for only when a marked comment by a bot is there.
 */
export async function findStickyComment(
  comments: IssueComment[],
  ownLogin: () => Promise<string>,
): Promise<IssueComment | undefined> {
  const marked = comments.filter((c) => c.user?.type === 'Bot' && c.body?.startsWith(STICKY_MARKER));
  if (!marked.length) return undefined;
  const login = await ownLogin();
  return marked.find((c) => c.user?.login === login);
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

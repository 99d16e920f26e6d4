import type { ProbotOctokit } from 'probot';
import type { RenameRequest } from '../../../core/plan/types.js';
import { mentionsCommand, parseCommands } from '../utils/commands.js';
import type { WriterCheck } from '../utils/writers.js';
import type { IssueComment } from './upsert-sticky-comment.js';

export interface Confirmations {
  renames: RenameRequest[];
  /**
   * When a person with write access last allowed data loss (a comment or the label), or null.
   * It confirms only the data-loss findings the sticky comment showed before that moment.
   */
  dataLossConfirmedAt: Date | null;
}

/**
 * What people with write access have confirmed on the pull request, read afresh from its
 * comments (and `labelAddedAt`) on every run, so confirmations survive pushes and restarts.
 * Comments by bots (the sticky comment quotes the commands) and by people without write
 * access do not count. A later rename of the same column or table replaces an earlier one.
 * A rename names the one column or table it applies to, so it cannot cover a later drop.
 */
export async function readConfirmations(
  comments: IssueComment[],
  labelAddedAt: Date | null,
  isWriter: WriterCheck,
): Promise<Confirmations> {
  const renames = new Map<string, RenameRequest>();
  let dataLossConfirmedAt = labelAddedAt;
  for (const comment of comments) {
    if (!comment.user || comment.user.type === 'Bot' || !comment.body || !mentionsCommand(comment.body)) continue;
    if (!(await isWriter(comment.user.login))) continue;
    for (const command of parseCommands(comment.body).commands) {
      if (command.kind === 'allow-data-loss') dataLossConfirmedAt = later(dataLossConfirmedAt, timeOf(comment.created_at));
      if (command.kind === 'rename') {
        const { rename } = command;
        renames.set(rename.kind === 'column' ? `${rename.table}.${rename.from}` : rename.from, rename);
      }
    }
  }
  return { renames: [...renames.values()], dataLossConfirmedAt };
}

/**
 * When `label` was last added, if it is on the pull request and that was by someone with
 * write access (the triage role may add labels too, and must not be able to confirm data
 * loss with one); otherwise null.
 */
export async function labelAddedByWriterAt(
  octokit: ProbotOctokit,
  issue: { owner: string; repo: string; issue_number: number },
  labels: string[],
  label: string | undefined,
  isWriter: WriterCheck,
): Promise<Date | null> {
  if (label === undefined || !labels.includes(label)) return null;
  const events = await octokit.paginate(octokit.rest.issues.listEvents, { ...issue, per_page: 100 });
  const added = events.filter((e) => e.event === 'labeled' && 'label' in e && e.label?.name === label).at(-1);
  const actor = added && 'actor' in added ? added.actor?.login : undefined;
  if (actor === undefined || !(await isWriter(actor))) return null;
  return timeOf(added?.created_at);
}

/** A GitHub timestamp; a missing or unreadable one confirms nothing. */
function timeOf(iso: string | undefined): Date | null {
  const time = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(time) ? null : new Date(time);
}

function later(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

import type { ProbotOctokit } from 'probot';
import type { RenameRequest } from '../../../core/plan/types.js';
import { mentionsCommand, parseCommands } from '../utils/commands.js';
import type { WriterCheck } from '../utils/writers.js';
import type { IssueComment } from './upsert-sticky-comment.js';

export interface Confirmations {
  renames: RenameRequest[];
  allowDataLoss: boolean;
}

/**
 * What people with write access have confirmed on the pull request, read afresh from its
 * comments (and `allowDataLossByLabel`) on every run, so confirmations survive pushes and
 * restarts. Comments by bots (the sticky comment quotes the commands) and by people without
 * write access do not count. A later rename of the same column or table replaces an earlier one.
 */
export async function readConfirmations(
  comments: IssueComment[],
  allowDataLossByLabel: boolean,
  isWriter: WriterCheck,
): Promise<Confirmations> {
  const renames = new Map<string, RenameRequest>();
  let allowDataLoss = allowDataLossByLabel;
  for (const comment of comments) {
    if (!comment.user || comment.user.type === 'Bot' || !comment.body || !mentionsCommand(comment.body)) continue;
    if (!(await isWriter(comment.user.login))) continue;
    for (const command of parseCommands(comment.body).commands) {
      if (command.kind === 'allow-data-loss') allowDataLoss = true;
      if (command.kind === 'rename') {
        const { rename } = command;
        renames.set(rename.kind === 'column' ? `${rename.table}.${rename.from}` : rename.from, rename);
      }
    }
  }
  return { renames: [...renames.values()], allowDataLoss };
}

/**
 * Whether `label` is on the pull request and was last added by someone with write access:
 * the triage role may add labels too, and must not be able to confirm data loss with one.
 */
export async function labelAddedByWriter(
  octokit: ProbotOctokit,
  issue: { owner: string; repo: string; issue_number: number },
  labels: string[],
  label: string | undefined,
  isWriter: WriterCheck,
): Promise<boolean> {
  if (label === undefined || !labels.includes(label)) return false;
  const events = await octokit.paginate(octokit.rest.issues.listEvents, { ...issue, per_page: 100 });
  const added = events.filter((e) => e.event === 'labeled' && 'label' in e && e.label?.name === label).at(-1);
  const actor = added && 'actor' in added ? added.actor?.login : undefined;
  return actor !== undefined && (await isWriter(actor));
}

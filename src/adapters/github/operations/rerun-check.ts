import type { Context } from 'probot';
import { planPullRequest, type BotDependencies } from './plan-pull-request.js';
import { CHECK_NAME } from './set-check-run.js';

/** "Re-run" on the "Database migration" check: plan its pull request again, if still open. */
export async function rerunCheck(context: Context<'check_run.rerequested'>, deps: BotDependencies): Promise<void> {
  const { check_run: checkRun } = context.payload;
  const number = checkRun.pull_requests[0]?.number;
  if (checkRun.name !== CHECK_NAME || number === undefined) return;
  const { data: pull } = await context.octokit.rest.pulls.get({ ...context.repo(), pull_number: number });
  if (pull.state === 'open') await planPullRequest(context, pull, deps);
}

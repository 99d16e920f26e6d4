import type { Context } from 'probot';
import { loadConfig } from '../config/load-config.js';
import { writerCheck } from '../utils/writers.js';
import { refuse } from './handle-command.js';
import { planPullRequest, type BotDependencies } from './plan-pull-request.js';

/**
 * The configured allow-data-loss label added or removed: re-plan. Added by someone without
 * write access, it is refused politely, as a command from them would be (and later runs
 * ignore it, since they check who added it).
 */
export async function handleLabel(
  context: Context<'pull_request.labeled' | 'pull_request.unlabeled'>,
  deps: BotDependencies,
): Promise<void> {
  const config = await loadConfig(context);
  const label = config.kind === 'valid' ? config.config.labels.allow_data_loss : undefined;
  if (label === undefined || context.payload.label?.name !== label) return;
  const isWriter = writerCheck(context.octokit, context.repo());
  const sender = context.payload.sender.login;
  if (context.payload.action === 'labeled' && !(await isWriter(sender))) {
    await refuse(context.octokit, context.issue(), sender, `adding the label "${label}"`);
    return;
  }
  await planPullRequest(context, context.payload.pull_request, deps, { config, isWriter });
}

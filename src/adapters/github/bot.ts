import type { ApplicationFunction, Context } from 'probot';
import { loadConfig } from './config/load-config.js';
import { handleCommand, refuse } from './operations/handle-command.js';
import { planPullRequest, type BotDependencies } from './operations/plan-pull-request.js';
import { CHECK_NAME } from './operations/set-check-run.js';
import type { MigrationPipeline } from './pipeline.js';
import { PullRequestQueue } from './utils/pull-request-queue.js';
import { writerCheck } from './utils/writers.js';

export interface BotOptions {
  pipeline: MigrationPipeline;
  /** A PostgreSQL server for verification databases; null starts an embedded one. */
  databaseUrl: string | null;
}

/** The pull-request bot as a Probot app; this file only routes events to operations. */
export function flowMigrateBot(options: BotOptions): ApplicationFunction {
  return (app) => {
    const deps: BotDependencies = { ...options, app, queue: new PullRequestQueue() };

    app.on(
      ['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.ready_for_review'],
      (context) => planPullRequest(context, context.payload.pull_request, deps),
    );

    app.on(['pull_request.labeled', 'pull_request.unlabeled'], async (context) => {
      const config = await loadConfig(context);
      const label = config.kind === 'valid' ? config.config.labels.allow_data_loss : undefined;
      if (label === undefined || context.payload.label?.name !== label) return;
      const isWriter = writerCheck(context.octokit, context.repo());
      if (context.payload.action === 'labeled' && !(await isWriter(context.payload.sender.login))) {
        await refuse(context.octokit, context.issue(), context.payload.sender.login, `adding the label "${label}"`);
        return;
      }
      await planPullRequest(context, context.payload.pull_request, deps, { config, isWriter });
    });

    app.on('issue_comment.created', (context) => handleCommand(context, deps));

    app.on('check_run.rerequested', (context) => rerunCheck(context, deps));
  };
}

async function rerunCheck(context: Context<'check_run.rerequested'>, deps: BotDependencies): Promise<void> {
  const { check_run: checkRun } = context.payload;
  const number = checkRun.pull_requests[0]?.number;
  if (checkRun.name !== CHECK_NAME || number === undefined) return;
  const { data: pull } = await context.octokit.rest.pulls.get({ ...context.repo(), pull_number: number });
  if (pull.state === 'open') await planPullRequest(context, pull, deps);
}

import type { ApplicationFunction } from 'probot';
import { handleCommand } from './operations/handle-command.js';
import { handleLabel } from './operations/handle-label.js';
import { planPullRequest, type BotDependencies } from './operations/plan-pull-request.js';
import { rerunCheck } from './operations/rerun-check.js';
import type { MigrationPipeline } from './pipeline.js';
import { ownLogin } from './utils/own-login.js';
import { PullRequestQueue } from './utils/pull-request-queue.js';

export interface BotOptions {
  pipeline: MigrationPipeline;
  /** A PostgreSQL server for verification databases; null starts an embedded one. */
  databaseUrl: string | null;
  /** Where runs wait their turn; one per app by default. */
  queue?: PullRequestQueue;
}

/** The pull-request bot as a Probot app; this file only routes events to operations. */
export function flowMigrateBot(options: BotOptions): ApplicationFunction {
  return (app) => {
    const deps: BotDependencies = { ...options, app, ownLogin: ownLogin(app), queue: options.queue ?? new PullRequestQueue() };

    app.on(
      ['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.ready_for_review'],
      (context) => planPullRequest(context, context.payload.pull_request, deps),
    );
    app.on(['pull_request.labeled', 'pull_request.unlabeled'], (context) => handleLabel(context, deps));
    app.on('issue_comment.created', (context) => handleCommand(context, deps));
    app.on('check_run.rerequested', (context) => rerunCheck(context, deps));
  };
}

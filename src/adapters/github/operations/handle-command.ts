import type { Context, ProbotOctokit } from 'probot';
import { COMMAND_USAGE, mentionsCommand, parseCommands } from '../utils/commands.js';
import { writerCheck } from '../utils/writers.js';
import { planPullRequest, type BotDependencies } from './plan-pull-request.js';

/**
 * A `/migration …` comment on a pull request: from someone with write access, re-plan with
 * every confirmation on the pull request (this one included); from anyone else, a polite
 * refusal. Comments by bots, and on issues, are not commands.
 */
export async function handleCommand(context: Context<'issue_comment.created'>, deps: BotDependencies): Promise<void> {
  const { comment, issue } = context.payload;
  if (!issue.pull_request || comment.user?.type === 'Bot' || !mentionsCommand(comment.body)) return;
  const repository = context.repo();
  const author = comment.user?.login ?? 'there';
  const isWriter = writerCheck(context.octokit, repository);
  if (!comment.user || !(await isWriter(comment.user.login))) {
    await refuse(context.octokit, context.issue(), author, 'this command');
    return;
  }
  const { commands, problems } = parseCommands(comment.body);
  if (problems.length || commands.length === 0) {
    await reply(
      context,
      [`@${author}, I did not act on this comment:`, ...problems.map((p) => `- ${p}`), '', 'The commands are:', ...COMMAND_USAGE.map((u) => `- ${u}`)].join('\n'),
    );
    return;
  }
  const { data: pull } = await context.octokit.rest.pulls.get({ ...repository, pull_number: issue.number });
  if (pull.state !== 'open') return;
  await planPullRequest(context, pull, deps, { isWriter });
}

/** The polite answer to a confirmation from someone without write access. */
export async function refuse(
  octokit: ProbotOctokit,
  issue: { owner: string; repo: string; issue_number: number },
  login: string,
  what: string,
): Promise<void> {
  const body =
    `@${login}, thank you, but only people with write access to ${issue.owner}/${issue.repo} can confirm or regenerate a ` +
    `database migration, so I have not acted on ${what}. A maintainer can repeat it if they agree.`;
  await octokit.rest.issues.createComment({ ...issue, body });
}

async function reply(context: Context<'issue_comment.created'>, body: string): Promise<void> {
  await context.octokit.rest.issues.createComment(context.issue({ body }));
}

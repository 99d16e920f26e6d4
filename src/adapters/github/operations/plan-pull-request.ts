import type { Context, Probot } from 'probot';
import { InputError, formatLocated } from '../../../core/errors.js';
import { confirmationCommand } from '../../../core/plan/confirmation.js';
import type { Finding } from '../../../core/plan/types.js';
import type { Diagnostic, SourceLocation } from '../../../core/schema/model.js';
import { loadConfig, type ConfigResult } from '../config/load-config.js';
import type { GithubAppConfig } from '../config/schema.js';
import { commonFolder, githubTree, pathFilter, type BlobCache } from '../github-tree.js';
import type { MigrationPipeline, MigrationPipelineResult } from '../pipeline.js';
import { COMMENT_LIMIT, fitMarkdown } from '../utils/limits.js';
import type { PullRequestQueue } from '../utils/pull-request-queue.js';
import {
  confirmedFingerprints,
  dataLossFingerprint,
  isDataLoss,
  nextDataLossState,
  readDataLossState,
  type DataLossState,
} from '../utils/data-loss.js';
import { redact } from '../utils/redact.js';
import { writerCheck, type WriterCheck } from '../utils/writers.js';
import { BackendUnavailableError, connectBackend } from './connect-backend.js';
import {
  markBackendPullRequestOutdated,
  openBackendPullRequest,
  type BackendPullRequest,
} from './open-backend-pull-request.js';
import { labelAddedByWriterAt, readConfirmations } from './read-confirmations.js';
import {
  completeCheckRun,
  reportCheckRun,
  startCheckRun,
  type Annotation,
  type CheckOutcome,
} from './set-check-run.js';
import { findStickyComment, stickyOverhead, upsertStickyComment, type IssueComment } from './upsert-sticky-comment.js';

export interface BotDependencies {
  app: Probot;
  /** The app's bot login: only its comments are its sticky comment. */
  ownLogin: () => Promise<string>;
  pipeline: MigrationPipeline;
  /** From the app's environment, never from a repository. */
  databaseUrl: string | null;
  queue: PullRequestQueue;
}

/** What the bot needs of a pull request, from a webhook payload or `pulls.get`. */
export interface PullRequestInfo {
  number: number;
  title: string;
  html_url: string;
  head: { sha: string };
  base: { sha: string };
  labels: { name: string }[];
}

export type EventContext = Pick<Context, 'octokit' | 'log' | 'config'> & {
  repo(): { owner: string; repo: string };
};

/** Room left in the comment for what the bot adds around the report. */
const COMMENT_FRAME = 4_000;

/**
 * The bot's whole job for one pull request at one commit: read the configuration; if the
 * pull request touches the models, plan, render and verify the migration, then report it
 * (check run always; sticky comment and backend pull request only while this commit is
 * still the pull request's head and no newer run is queued).
 */
export async function planPullRequest(
  context: EventContext,
  pull: PullRequestInfo,
  deps: BotDependencies,
  options: { config?: ConfigResult; isWriter?: WriterCheck } = {},
): Promise<void> {
  const repository = context.repo();
  const config = options.config ?? (await loadConfig(context));
  if (config.kind === 'absent') return;
  if (config.kind === 'invalid') {
    await reportCheckRun(context.octokit, repository, pull.head.sha, {
      conclusion: 'failure',
      title: 'Invalid flow-migrate configuration',
      summary: config.problem,
      text: null,
      annotations: [],
      detailsUrl: null,
    });
    return;
  }
  const models = modelPaths(config.config);
  const isModel = pathFilter(models);
  const files = await context.octokit.paginate(context.octokit.rest.pulls.listFiles, {
    ...repository,
    pull_number: pull.number,
    per_page: 100,
  });
  if (!files.some((f) => isModel(f.filename) || (f.previous_filename !== undefined && isModel(f.previous_filename)))) {
    context.log.info(`#${pull.number}: no model file changed`);
    return;
  }
  const isWriter = options.isWriter ?? writerCheck(context.octokit, repository);
  await deps.queue.run(`${repository.owner}/${repository.repo}#${pull.number}`, (isSuperseded) =>
    run(context, pull, config.config, deps, isWriter, isSuperseded),
  );
}

async function run(
  context: EventContext,
  pull: PullRequestInfo,
  config: GithubAppConfig,
  deps: BotDependencies,
  isWriter: WriterCheck,
  isSuperseded: () => boolean,
): Promise<void> {
  const { octokit, log } = context;
  const repository = context.repo();
  const models = modelPaths(config);
  const isModel = pathFilter(models);
  if (isSuperseded()) {
    log.info(`#${pull.number}: ${pull.head.sha} superseded before it started`);
    return;
  }
  const secrets = [deps.databaseUrl];
  const checkRunId = await startCheckRun(octokit, repository, pull.head.sha);
  const issue = { ...repository, issue_number: pull.number };
  let sticky: IssueComment | undefined;
  let shown: DataLossState = new Map();
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...issue, per_page: 100 });
    sticky = await findStickyComment(comments, deps.ownLogin);
    shown = readDataLossState(sticky?.body, sticky?.updated_at);
    const confirmations = await readConfirmations(
      comments,
      await labelAddedByWriterAt(octokit, issue, pull.labels.map((l) => l.name), config.labels.allow_data_loss, isWriter),
      isWriter,
    );
    const confirmedDataLoss = confirmedFingerprints(shown, confirmations.dataLossConfirmedAt);
    const base = await mergeBase(context, pull);
    const backend = await connectBackend(deps.app, config.backend);
    const modelsDir = commonFolder(models);
    const backendDir = commonFolder([config.backend.path]);
    const modelBlobs: BlobCache = new Map();
    const result = await deps.pipeline({
      baseModels: { tree: githubTree(octokit, { ...repository, ref: base }, models, modelBlobs), dir: modelsDir },
      headModels: { tree: githubTree(octokit, { ...repository, ref: pull.head.sha }, models, modelBlobs), dir: modelsDir },
      backend: {
        tree: githubTree(backend.octokit, { owner: backend.owner, repo: backend.repo, ref: backend.sha }, [config.backend.path]),
        dir: backendDir,
      },
      renames: confirmations.renames,
      confirmedDataLoss,
      databaseUrl: deps.databaseUrl,
      markdownBudget: COMMENT_LIMIT - COMMENT_FRAME,
      revisionKey: `${repository.owner}/${repository.repo}#${pull.number}`,
    });

    const current = !isSuperseded() && (await isHead(context, pull));
    let backendPull: BackendPullRequest | null = null;
    const modelsPull = { ...repository, number: pull.number, title: pull.title, htmlUrl: pull.html_url };
    if (current && config.pull_request) {
      if (result.status === 'verified') {
        if (result.revisionFile) backendPull = await openBackendPullRequest(backend, result.revisionFile, modelsPull);
      } else {
        await markBackendPullRequestOutdated(backend, modelsPull, OUTDATED_BECAUSE[result.status]);
      }
    }
    if (current) {
      // Unreadable models show no findings: what was shown and confirmed before still stands.
      const state = result.status === 'unreadable' ? shown : nextDataLossState(shown, result.findings);
      const content = commentBody(result, pull, backendPull, config, confirmedDataLoss, stickyOverhead(state));
      sticky = await upsertStickyComment(octokit, issue, redact(content, secrets), sticky, state);
    } else {
      log.info(`#${pull.number}: ${pull.head.sha} is no longer the head; only its check run is updated`);
    }
    await completeCheckRun(octokit, repository, checkRunId, redactOutcome(outcomeOf(result, sticky?.html_url ?? pull.html_url, isModel), secrets));
  } catch (err) {
    await reportFailure(context, pull, issue, checkRunId, sticky, shown, err, secrets, isSuperseded, isModel);
  }
}

async function reportFailure(
  context: EventContext,
  pull: PullRequestInfo,
  issue: { owner: string; repo: string; issue_number: number },
  checkRunId: number,
  sticky: IssueComment | undefined,
  shown: DataLossState,
  err: unknown,
  secrets: (string | null)[],
  isSuperseded: () => boolean,
  isModel: (file: string) => boolean,
): Promise<void> {
  const { octokit, log } = context;
  const repository = context.repo();
  const message = redact(err instanceof Error ? err.message : String(err), secrets);
  try {
    if (err instanceof InputError) {
      const located = formatLocated(message, err.location);
      let comment = sticky;
      if (!isSuperseded() && (await isHead(context, pull))) {
        comment = await upsertStickyComment(
          octokit,
          issue,
          `## Database migration\n\n:x: The models or the backend's migrations cannot be read, so no migration was planned:\n\n\`\`\`\n${located}\n\`\`\`\n\n${commitLine(pull)}`,
          sticky,
          shown,
        );
      }
      await completeCheckRun(octokit, repository, checkRunId, {
        conclusion: 'failure',
        title: 'The models or the migrations cannot be read',
        summary: located,
        text: null,
        annotations:
          err.location && isModel(err.location.file) ? [annotation(err.location, 'failure', 'Cannot read the models', message)] : [],
        detailsUrl: comment?.html_url ?? pull.html_url,
      });
      return;
    }
    log.error(`#${pull.number}: ${message}`);
    const configProblem = err instanceof BackendUnavailableError;
    await completeCheckRun(octokit, repository, checkRunId, {
      conclusion: 'failure',
      title: configProblem ? 'The backend repository cannot be read' : 'The migration could not be checked',
      summary: configProblem
        ? `Check \`backend\` in .github/flow-migrate.yml: ${message}.`
        : `The bot stopped before finishing: ${message}\n\nPush again or comment \`/migration regenerate\` to retry; every step is safe to repeat.`,
      text: null,
      annotations: [],
      detailsUrl: null,
    });
  } catch (reportErr) {
    log.error(`#${pull.number}: could not report a failure: ${redact(String(reportErr), secrets)}`);
  }
}

function modelPaths(config: GithubAppConfig): string[] {
  return typeof config.models === 'string' ? [config.models] : config.models;
}

/**
 * Where the pull request's branch left its base: the models as they were before this change.
 * The base branch's tip would also undo every model change merged there since.
 */
async function mergeBase(context: EventContext, pull: PullRequestInfo): Promise<string> {
  const { data } = await context.octokit.rest.repos.compareCommitsWithBasehead({
    ...context.repo(),
    basehead: `${pull.base.sha}...${pull.head.sha}`,
    per_page: 1,
  });
  return data.merge_base_commit.sha;
}

/** The pull request still points at the commit this run planned. */
async function isHead(context: EventContext, pull: PullRequestInfo): Promise<boolean> {
  const { data } = await context.octokit.rest.pulls.get({ ...context.repo(), pull_number: pull.number });
  return data.head.sha === pull.head.sha;
}

/**
 * The sticky comment: the bot's own lines around the engine's report, the report cut to
 * whatever room those lines (and `overhead`, the marker and hidden state) leave, so the whole
 * always fits GitHub's limit.
 */
function commentBody(
  result: MigrationPipelineResult,
  pull: PullRequestInfo,
  backendPull: BackendPullRequest | null,
  config: GithubAppConfig,
  confirmedDataLoss: ReadonlySet<string>,
  overhead: number,
): string {
  const before: string[] = [];
  if (backendPull) before.push(`> Migration pull request: ${config.backend.repository}#${backendPull.number} (${backendPull.html_url})`);
  else if (result.status === 'verified' && !config.pull_request) {
    before.push('> Comment-only mode (`pull_request: false`): add the migration file below to the backend yourself.');
  }
  const after: string[] = [];
  if (result.status === 'needs-confirmation' && result.confirmations.length) {
    const label = config.labels.allow_data_loss;
    const allowsDataLoss = result.confirmations.some((c) => c.kind === 'allow-data-loss');
    after.push(
      [
        '### Who can confirm',
        'Someone with write access to this repository, by commenting one of the commands above' +
          (label && allowsDataLoss ? ` (or adding the label \`${label}\` to allow data loss).` : '.'),
        'Allowing data loss confirms only the data-loss risks listed when it is given: a later push that adds one needs a new confirmation' +
          (label ? ` (the label: remove it and add it again).` : '.'),
        ...dataLossLists(result.findings, confirmedDataLoss),
      ].join('\n'),
    );
  }
  after.push(commitLine(pull));
  const frame = [...before, ...after].join('\n\n').length + 4;
  const room = COMMENT_LIMIT - overhead - frame;
  return [...before, fitMarkdown(result.markdown, room, 'the check run "Database migration" has the rest'), ...after].join('\n\n');
}

const LISTED_FINDINGS = 20;

/** The data-loss risks still awaiting a confirmation, and those already confirmed. */
function dataLossLists(findings: Finding[], confirmedDataLoss: ReadonlySet<string>): string[] {
  const dataLoss = findings.filter(isDataLoss);
  const confirmed = dataLoss.filter((f) => confirmedDataLoss.has(dataLossFingerprint(f)));
  const open = dataLoss.filter((f) => !confirmedDataLoss.has(dataLossFingerprint(f)));
  const list = (title: string, items: Finding[], how: (f: Finding) => string) => {
    if (!items.length) return [];
    const lines = items.slice(0, LISTED_FINDINGS).map((f) => `- \`${f.rule}\` ${findingSubject(f)}${how(f)}`);
    if (items.length > LISTED_FINDINGS) lines.push(`- …and ${items.length - LISTED_FINDINGS} more`);
    return ['', `**${title}**`, ...lines];
  };
  return [
    ...list('Data loss awaiting confirmation', open, (f) => `: ${f.confirmations.map((c) => `\`${confirmationCommand(c)}\``).join(' or ')}`),
    ...list('Data loss already confirmed', confirmed, () => ''),
  ];
}

function findingSubject(finding: Finding): string {
  const where = finding.location ? ` (\`${finding.location.file}:${finding.location.line}\`)` : '';
  const what = finding.table === null ? finding.message : finding.column === null ? finding.table : `${finding.table}.${finding.column}`;
  return `${what}${where}`;
}

function commitLine(pull: PullRequestInfo): string {
  return `<sub>flow-migrate · commit ${pull.head.sha.slice(0, 7)}</sub>`;
}

const TITLES: Record<MigrationPipelineResult['status'], string> = {
  'no-changes': 'No schema change',
  verified: 'Migration verified on PostgreSQL',
  'not-verified': 'Migration planned; verification did not run',
  unreadable: 'The models cannot be read',
  'needs-confirmation': 'Confirmation needed before the migration can be written',
  'verification-failed': 'Migration failed verification on PostgreSQL',
};

const OUTDATED_BECAUSE: Record<Exclude<MigrationPipelineResult['status'], 'verified'>, string> = {
  'no-changes': 'no longer changes the database schema',
  'not-verified': 'has a migration that could not be verified',
  'needs-confirmation': 'needs a confirmation before a migration can be written',
  'verification-failed': 'has a migration that failed verification',
  unreadable: 'has models that cannot be read',
};

const CONCLUSIONS: Record<MigrationPipelineResult['status'], CheckOutcome['conclusion']> = {
  'no-changes': 'success',
  verified: 'success',
  'not-verified': 'neutral',
  unreadable: 'failure',
  'needs-confirmation': 'action_required',
  'verification-failed': 'failure',
};

/** Annotations go only on files of the models repository: the check run lives there. */
function outcomeOf(
  result: MigrationPipelineResult,
  detailsUrl: string,
  isModel: (file: string) => boolean,
): CheckOutcome {
  return {
    conclusion: CONCLUSIONS[result.status],
    title: TITLES[result.status],
    summary: result.markdown,
    text: result.revisionFile ? `## ${result.revisionFile.path}\n\n\`\`\`python\n${result.revisionFile.content}\n\`\`\`` : null,
    annotations: [...result.findings.flatMap(findingAnnotation), ...result.diagnostics.flatMap(diagnosticAnnotation)].filter(
      (a) => isModel(a.path),
    ),
    detailsUrl,
  };
}

function findingAnnotation(finding: Finding): Annotation[] {
  if (!finding.location) return [];
  const refused = finding.severity === 'error' && !finding.confirmed;
  const level = refused ? 'failure' : finding.severity === 'info' ? 'notice' : 'warning';
  const how = refused && finding.confirmations.length
    ? ` To confirm: ${finding.confirmations.map(confirmationCommand).join(' or ')}.`
    : '';
  return [annotation(finding.location, level, finding.rule, `${finding.message} ${finding.fix}${how}`)];
}

function diagnosticAnnotation(diagnostic: Diagnostic): Annotation[] {
  if (!diagnostic.location) return [];
  const level = diagnostic.severity === 'error' ? 'failure' : diagnostic.severity === 'warning' ? 'warning' : 'notice';
  return [annotation(diagnostic.location, level, diagnostic.code, diagnostic.message)];
}

function annotation(location: SourceLocation, level: Annotation['annotation_level'], title: string, message: string): Annotation {
  return { path: location.file, start_line: location.line, end_line: location.line, annotation_level: level, title, message };
}

function redactOutcome(outcome: CheckOutcome, secrets: (string | null)[]): CheckOutcome {
  return {
    ...outcome,
    summary: redact(outcome.summary, secrets),
    text: outcome.text === null ? null : redact(outcome.text, secrets),
    annotations: outcome.annotations.map((a) => ({ ...a, message: redact(a.message, secrets) })),
  };
}

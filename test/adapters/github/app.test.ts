import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Probot } from 'probot';
import { PullRequestQueue } from '../../../src/adapters/github/utils/pull-request-queue.js';
import { InputError } from '../../../src/core/errors.js';
import { corePipeline } from '../../../src/adapters/github/core-pipeline.js';
import { verifyMigration } from '../../../src/adapters/github/verify-migration.js';
import { databaseServerUrl } from '../../support/database.js';
import type { Finding } from '../../../src/core/plan/types.js';
import { dataLossFingerprint, formatDataLossState } from '../../../src/adapters/github/utils/data-loss.js';
import type {
  MigrationPipeline,
  MigrationPipelineInput,
  MigrationPipelineResult,
} from '../../../src/adapters/github/pipeline.js';
import {
  BACKEND_MAIN_SHA,
  BACKEND_MAIN_TREE,
  BACKEND_INSTALLATION,
  BACKEND_REPO,
  MODELS_INSTALLATION,
  MODELS_REPO,
  github,
  githubEnterprise,
  mockBackendConnection,
  mockConfig,
  mockHead,
  mockInstallationToken,
  mockOwnLogin,
  MERGE_BASE,
  mockMergeBase,
  VALID_CONFIG,
  commentEvent,
  labeledEvent,
  mockPermission,
  mockPullFiles,
  mockBlob,
  mockTree,
  pullRequest,
  recorder,
  repositoryFiles,
  testProbot,
  webhook,
} from './github-api.js';
import { OUTSIDE_IMPORTS, withNotes } from './outside-imports.js';

/**
 * The app driven as Probot documents it (probot.receive + nock), with the engine replaced by
 * a scripted one that still reads the source trees it is given, so every GitHub call the
 * bot makes is asserted. The real engine runs in pipeline.acceptance.test.ts.
 */

const opened = webhook('pull_request.opened');
const HEAD = opened.pull_request.head.sha as string;
const REVISION = {
  path: 'alembic/versions/5b9d0e2f1a33_add_notes_to_tasks.py',
  content: '"""add notes to tasks"""\nrevision = "5b9d0e2f1a33"\n',
};

let models: Record<string, Record<string, string>>;
let backendFiles: Record<string, string>;
beforeAll(async () => {
  models = {
    base: await repositoryFiles('flowbot-commons/base'),
    head: await repositoryFiles('flowbot-commons/add-notes'),
  };
  backendFiles = await repositoryFiles('flow-py-backend');
});

/** Requests no interceptor matched: each would be a call the test did not expect. */
let unmatched: string[] = [];
const recordUnmatched = (req: { method?: string; path?: string; options?: { method?: string; path?: string } }) =>
  unmatched.push(`${req.method ?? req.options?.method} ${req.path ?? req.options?.path}`);
beforeEach(() => {
  nock.disableNetConnect();
  unmatched = [];
  nock.emitter.on('no match', recordUnmatched);
});
afterEach(() => {
  nock.emitter.removeListener('no match', recordUnmatched);
  nock.cleanAll();
  nock.enableNetConnect();
  expect(unmatched).toEqual([]);
});

interface FakeEngine {
  pipeline: MigrationPipeline;
  inputs: MigrationPipelineInput[];
  /** What the engine read through each tree: path → text. */
  read: Record<string, string>[];
}

/** Returns `result` after reading every model file and alembic.ini through the trees. */
function fakeEngine(result: Partial<MigrationPipelineResult> | Error): FakeEngine {
  const inputs: MigrationPipelineInput[] = [];
  const read: Record<string, string>[] = [];
  const pipeline: MigrationPipeline = async (input) => {
    inputs.push(input);
    for (const folder of [input.baseModels, input.headModels]) {
      const files: Record<string, string> = {};
      for (const file of await folder.tree.list(folder.dir)) files[file] = (await folder.tree.read(file))!;
      read.push(files);
    }
    read.push({ 'alembic.ini': (await input.backend.tree.read('alembic.ini'))! });
    if (result instanceof Error) throw result;
    return {
      status: 'verified',
      markdown: '### Summary\nAdd column `notes` to `tasks`.',
      revisionFile: REVISION,
      findings: [],
      diagnostics: [],
      confirmations: [],
      ...result,
    };
  };
  return { pipeline, inputs, read };
}

/** Everything a planning run reads before the engine: config, files, check, comments, backend, trees. */
function mockPlanningStart(
  api: nock.Scope,
  options: { comments?: unknown[]; checkRuns?: ReturnType<typeof recorder>; head?: Record<string, string> } = {},
): void {
  mockConfig(api);
  mockPullFiles(api, 42, ['flowbot_commons/models.py']);
  api.post('/repos/flow/flowbot-commons/check-runs', options.checkRuns?.match ?? (() => true)).reply(201, { id: 555 });
  api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, options.comments ?? []);
  mockMergeBase(api, HEAD);
  mockBackendConnection(api);
  mockTree(api, MODELS_REPO, MERGE_BASE, models.base!, ['flowbot_commons/models.py']);
  mockTree(api, MODELS_REPO, HEAD, options.head ?? models.head!, ['flowbot_commons/models.py']);
  mockTree(api, BACKEND_REPO, BACKEND_MAIN_SHA, backendFiles, ['alembic.ini']);
}

function mockBackendPullRequest(
  api: nock.Scope,
  existing: { branch: boolean; pullNumber: number | null },
  bodies: { tree: ReturnType<typeof recorder>; commit: ReturnType<typeof recorder>; ref: ReturnType<typeof recorder>; pull: ReturnType<typeof recorder> },
): void {
  api.get(`/repos/flow/flow-py-backend/git/commits/${BACKEND_MAIN_SHA}`).reply(200, {
    sha: BACKEND_MAIN_SHA,
    tree: { sha: BACKEND_MAIN_TREE },
  });
  api.post('/repos/flow/flow-py-backend/git/trees', bodies.tree.match).reply(201, { sha: 'tree-with-migration' });
  api.post('/repos/flow/flow-py-backend/git/commits', bodies.commit.match).reply(201, { sha: 'commit-with-migration' });
  const branchRef = '/repos/flow/flow-py-backend/git/ref/flow-migrate%2Fflowbot-commons-pr-42';
  if (existing.branch) {
    api.get(branchRef.replace('/ref/', '/ref/heads%2F')).reply(200, { ref: 'refs/heads/flow-migrate/flowbot-commons-pr-42', object: { sha: 'old' } });
    api.patch('/repos/flow/flow-py-backend/git/refs/heads%2Fflow-migrate%2Fflowbot-commons-pr-42', bodies.ref.match).reply(200, {});
  } else {
    api.get(branchRef.replace('/ref/', '/ref/heads%2F')).reply(404, { message: 'Not Found' });
    api.post('/repos/flow/flow-py-backend/git/refs', bodies.ref.match).reply(201, {});
  }
  api
    .get('/repos/flow/flow-py-backend/pulls')
    .query({ head: 'flow:flow-migrate/flowbot-commons-pr-42', state: 'open' })
    .reply(200, existing.pullNumber ? [{ number: existing.pullNumber }] : []);
  const pullBody = { number: existing.pullNumber ?? 7, html_url: `https://github.com/flow/flow-py-backend/pull/${existing.pullNumber ?? 7}` };
  if (existing.pullNumber) api.patch(`/repos/flow/flow-py-backend/pulls/${existing.pullNumber}`, bodies.pull.match).reply(200, pullBody);
  else api.post('/repos/flow/flow-py-backend/pulls', bodies.pull.match).reply(201, pullBody);
}

function bodies() {
  return { tree: recorder(), commit: recorder(), ref: recorder(), pull: recorder() };
}

function isMarkedByBot(comment: unknown): boolean {
  const { user, body } = comment as { user?: { type?: string }; body?: string };
  return user?.type === 'Bot' && body?.startsWith('<!-- flow-migrate -->') === true;
}

const STICKY = {
  id: 901,
  html_url: 'https://github.com/flow/flowbot-commons/pull/42#issuecomment-901',
  user: { login: 'flow-migrate[bot]', type: 'Bot' },
  body: '<!-- flow-migrate -->\nold report',
};

describe('pull request opened', () => {
  let probot: Probot;
  let engine: FakeEngine;

  it('does nothing when no model file changed', async () => {
    engine = fakeEngine({});
    probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api);
    mockPullFiles(api, 42, ['README.md', 'flowbot_commons_docs/models.md']);

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(engine.inputs).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
    expect(api.isDone()).toBe(true);
  });

  it('does nothing in a repository without a configuration', async () => {
    engine = fakeEngine({});
    probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    api.get('/repos/flow/flowbot-commons/contents/.github%2Fflow-migrate.yml').reply(404, { message: 'Not Found' });
    api.get('/repos/flow/.github/contents/.github%2Fflow-migrate.yml').reply(404, { message: 'Not Found' });

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(engine.inputs).toEqual([]);
    expect(api.isDone()).toBe(true);
  });

  it('plans an additive change: comment, successful check, backend pull request linked both ways', async () => {
    engine = fakeEngine({});
    probot = await testProbot({ pipeline: engine.pipeline, databaseUrl: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    const api = github();
    const checkRuns = recorder();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPlanningStart(api, { checkRuns });
    mockHead(api, 42, HEAD);
    const backend = bodies();
    mockBackendPullRequest(api, { branch: false, pullNumber: null }, backend);
    const comment = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', comment.match).reply(201, { ...STICKY, body: '' });
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);
    expect(checkRuns.bodies).toEqual([expect.objectContaining({ name: 'Database migration', head_sha: HEAD, status: 'in_progress' })]);
    const [input] = engine.inputs;
    expect(input).toMatchObject({
      renames: [],
      confirmedDataLoss: new Set(),
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/postgres',
      baseModels: { dir: 'flowbot_commons' },
      headModels: { dir: 'flowbot_commons' },
      backend: { dir: '' },
    });
    expect(input!.markdownBudget).toBeLessThan(65_536);
    // Only the configured model folder is visible; README.md is in the tree but never read.
    expect(engine.read[0]).toEqual({ 'flowbot_commons/models.py': models.base!['flowbot_commons/models.py'] });
    expect(engine.read[1]).toEqual({ 'flowbot_commons/models.py': models.head!['flowbot_commons/models.py'] });
    expect(engine.read[2]!['alembic.ini']).toContain('script_location = alembic');

    expect(backend.tree.bodies).toEqual([
      { base_tree: BACKEND_MAIN_TREE, tree: [{ path: REVISION.path, mode: '100644', type: 'blob', content: REVISION.content }] },
    ]);
    expect(backend.commit.bodies).toEqual([
      expect.objectContaining({ tree: 'tree-with-migration', parents: [BACKEND_MAIN_SHA], message: expect.stringContaining('flow/flowbot-commons#42') }),
    ]);
    expect(backend.ref.bodies).toEqual([{ ref: 'refs/heads/flow-migrate/flowbot-commons-pr-42', sha: 'commit-with-migration' }]);
    expect(backend.pull.bodies).toEqual([
      expect.objectContaining({
        head: 'flow-migrate/flowbot-commons-pr-42',
        base: 'main',
        body: expect.stringContaining('https://github.com/flow/flowbot-commons/pull/42'),
      }),
    ]);

    const body = comment.bodies[0].body as string;
    expect(body.startsWith('<!-- flow-migrate -->\n')).toBe(true);
    expect(body).toContain('flow/flow-py-backend#7 (https://github.com/flow/flow-py-backend/pull/7)');
    expect(body).toContain('Add column `notes` to `tasks`.');
    expect(body).not.toContain('/migration allow-data-loss');

    expect(update.bodies).toEqual([
      expect.objectContaining({
        conclusion: 'success',
        details_url: STICKY.html_url,
        output: expect.objectContaining({ title: 'Migration verified on PostgreSQL', text: expect.stringContaining(REVISION.content) }),
      }),
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('on a second push updates the same comment and force-moves the same backend branch and pull request', async () => {
    engine = fakeEngine({});
    probot = await testProbot({ pipeline: engine.pipeline });
    const sync = webhook('pull_request.synchronize');
    const newHead = sync.pull_request.head.sha as string;
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api);
    mockPullFiles(api, 42, ['flowbot_commons/models.py']);
    api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: 556 });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, [
      { id: 900, user: { login: 'alice', type: 'User' }, body: 'Looks good', html_url: '' },
      STICKY,
    ]);
    mockOwnLogin(api);
    mockMergeBase(api, newHead);
    mockBackendConnection(api);
    mockTree(api, MODELS_REPO, MERGE_BASE, models.base!, ['flowbot_commons/models.py']);
    mockTree(api, MODELS_REPO, newHead, models.head!, ['flowbot_commons/models.py']);
    mockTree(api, BACKEND_REPO, BACKEND_MAIN_SHA, backendFiles, ['alembic.ini']);
    mockHead(api, 42, newHead);
    const backend = bodies();
    mockBackendPullRequest(api, { branch: true, pullNumber: 7 }, backend);
    const comment = recorder();
    api.patch('/repos/flow/flowbot-commons/issues/comments/901', comment.match).reply(200, STICKY);
    api.patch('/repos/flow/flowbot-commons/check-runs/556').reply(200, {});

    await probot.receive({ name: 'pull_request', payload: sync } as any);

    expect(backend.ref.bodies).toEqual([{ sha: 'commit-with-migration', force: true }]);
    expect(backend.pull.bodies).toEqual([expect.objectContaining({ title: 'Migration: Add notes to tasks' })]);
    expect(comment.bodies[0].body).toContain(`commit ${newHead.slice(0, 7)}`);
    expect(api.isDone()).toBe(true);
  });
});

const COMMENT_ONLY = VALID_CONFIG.replace('pull_request: true', 'pull_request: false');

const DROP_STATUS: Finding = {
  rule: 'drop-column',
  side: 'upgrade',
  severity: 'error',
  table: 'tasks',
  column: 'status',
  location: { file: 'flowbot_commons/models.py', line: 13, column: 5 },
  message: 'Dropping tasks.status deletes its data.',
  fix: 'Remove it from the code first, then confirm.',
  confirmations: [{ kind: 'allow-data-loss' }],
  confirmed: false,
  operation: 0,
};

const DROP_TITLE: Finding = {
  ...DROP_STATUS,
  column: 'title',
  location: { file: 'flowbot_commons/models.py', line: 12, column: 5 },
  message: 'Dropping tasks.title deletes its data.',
};

/** The sticky comment as the run that first showed `findings` left it, at `shownAt`. */
function stickyShowing(findings: Finding[], shownAt: string): typeof STICKY & { updated_at: string } {
  const state = formatDataLossState(new Map(findings.map((f) => [dataLossFingerprint(f), null])));
  return { ...STICKY, body: `<!-- flow-migrate -->\n${state}\nold report`, updated_at: shownAt };
}

/** A run started by a comment or label: the pull request is fetched, then planned as on a push. */
function mockCommandRun(api: nock.Scope, options: { comments: unknown[]; labels?: string[]; config?: string }): void {
  api.get('/repos/flow/flowbot-commons/pulls/42').reply(200, pullRequest(42, HEAD, options.labels));
  mockConfig(api, options.config ?? COMMENT_ONLY);
  mockPullFiles(api, 42, ['flowbot_commons/models.py']);
  api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: 557 });
  api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, options.comments);
  if (options.comments.some(isMarkedByBot)) mockOwnLogin(api);
  mockMergeBase(api, HEAD);
  mockBackendConnection(api);
  mockTree(api, MODELS_REPO, MERGE_BASE, models.base!, ['flowbot_commons/models.py']);
  mockTree(api, MODELS_REPO, HEAD, models.head!, ['flowbot_commons/models.py']);
  mockTree(api, BACKEND_REPO, BACKEND_MAIN_SHA, backendFiles, ['alembic.ini']);
  mockHead(api, 42, HEAD);
}

describe('confirmations', () => {
  it('refuses a data-loss change: action required, annotation on the model line, how to confirm, backend pull request marked outdated', async () => {
    const engine = fakeEngine({
      status: 'needs-confirmation',
      markdown: '### Risks\nDropping `tasks.status` deletes its data.',
      revisionFile: null,
      findings: [DROP_STATUS],
      confirmations: [{ kind: 'allow-data-loss' }],
    });
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPlanningStart(api);
    mockHead(api, 42, HEAD);
    // An earlier push's backend pull request: marked outdated, not updated with a migration.
    api
      .get('/repos/flow/flow-py-backend/pulls')
      .query({ head: 'flow:flow-migrate/flowbot-commons-pr-42', state: 'open' })
      .reply(200, [{ number: 7 }]);
    const outdated = recorder();
    api.patch('/repos/flow/flow-py-backend/pulls/7', outdated.match).reply(200, { number: 7, html_url: '' });
    const comment = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', comment.match).reply(201, STICKY);
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(outdated.bodies).toEqual([
      { body: expect.stringContaining('**Do not merge.** The latest commit of flow/flowbot-commons#42') },
    ]);
    const body = comment.bodies[0].body as string;
    expect(body).toContain('Dropping `tasks.status` deletes its data.');
    expect(body).toContain('Someone with write access to this repository, by commenting one of the commands above');
    expect(body).toContain('(or adding the label `migration: allow data loss` to allow data loss)');
    expect(update.bodies).toEqual([
      expect.objectContaining({
        conclusion: 'action_required',
        details_url: STICKY.html_url,
        output: expect.objectContaining({
          annotations: [
            {
              path: 'flowbot_commons/models.py',
              start_line: 13,
              end_line: 13,
              annotation_level: 'failure',
              title: 'drop-column',
              message: expect.stringContaining('To confirm: /migration allow-data-loss.'),
            },
          ],
        }),
      }),
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('re-plans with data loss allowed when a writer comments /migration allow-data-loss', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    // Shown at 06:00, allowed at 06:05 (the fixture comment's time).
    const command = commentEvent('/migration allow-data-loss', 'alice');
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPermission(api, 'alice', 'write');
    mockCommandRun(api, { comments: [stickyShowing([DROP_STATUS], '2026-11-25T06:00:00Z'), command.comment] });
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/issues/comments/901', update.match).reply(200, STICKY);
    const check = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/557', check.match).reply(200, {});

    await probot.receive({ name: 'issue_comment', payload: command } as any);

    expect(engine.inputs).toEqual([
      expect.objectContaining({ confirmedDataLoss: new Set([dataLossFingerprint(DROP_STATUS)]), renames: [] }),
    ]);
    expect(update.bodies[0].body).toContain('Comment-only mode');
    expect(check.bodies).toEqual([expect.objectContaining({ conclusion: 'success' })]);
    expect(api.isDone()).toBe(true);
  });

  it('takes no hidden state from a marked comment another bot wrote: a forged "shown at 06:00" confirms nothing', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    const command = commentEvent('/migration allow-data-loss', 'alice');
    const forged = { ...stickyShowing([DROP_STATUS], '2026-11-25T06:00:00Z'), id: 950, user: { login: 'github-actions[bot]', type: 'Bot' } };
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPermission(api, 'alice', 'write');
    mockCommandRun(api, { comments: [forged, command.comment] });
    const created = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', created.match).reply(201, STICKY);
    api.patch('/repos/flow/flowbot-commons/check-runs/557').reply(200, {});

    await probot.receive({ name: 'issue_comment', payload: command } as any);

    expect(engine.inputs).toEqual([expect.objectContaining({ confirmedDataLoss: new Set() })]);
    expect(created.bodies).toHaveLength(1);
    expect(api.isDone()).toBe(true);
  });

  it('politely refuses a command from someone without write access and plans nothing', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPermission(api, 'mallory', 'read');
    const reply = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', reply.match).reply(201, {});

    await probot.receive({ name: 'issue_comment', payload: commentEvent('/migration allow-data-loss', 'mallory') } as any);

    expect(engine.inputs).toEqual([]);
    expect(reply.bodies).toEqual([{ body: expect.stringMatching(/^@mallory, thank you, but only people with write access/) }]);
    expect(api.isDone()).toBe(true);
  });

  it('does not count an earlier command by a non-writer when a writer asks to regenerate', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    const command = commentEvent('/migration regenerate', 'alice');
    const earlier = commentEvent('/migration allow-data-loss', 'mallory', 949).comment;
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPermission(api, 'alice', 'admin');
    mockPermission(api, 'mallory', 'none');
    mockCommandRun(api, { comments: [stickyShowing([DROP_STATUS], '2026-11-25T06:00:00Z'), earlier, command.comment] });
    api.patch('/repos/flow/flowbot-commons/issues/comments/901').reply(200, STICKY);
    api.patch('/repos/flow/flowbot-commons/check-runs/557').reply(200, {});

    await probot.receive({ name: 'issue_comment', payload: command } as any);

    expect(engine.inputs).toEqual([expect.objectContaining({ confirmedDataLoss: new Set(), renames: [] })]);
    expect(api.isDone()).toBe(true);
  });

  it('confirms a possible rename with /migration rename', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    const command = commentEvent('Agreed, it is a rename.\n/migration rename tasks.status=current_status', 'alice');
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPermission(api, 'alice', 'maintain');
    mockCommandRun(api, { comments: [STICKY, command.comment] });
    api.patch('/repos/flow/flowbot-commons/issues/comments/901').reply(200, STICKY);
    api.patch('/repos/flow/flowbot-commons/check-runs/557').reply(200, {});

    await probot.receive({ name: 'issue_comment', payload: command } as any);

    expect(engine.inputs).toEqual([
      expect.objectContaining({
        confirmedDataLoss: new Set(),
        renames: [{ kind: 'column', table: 'tasks', from: 'status', to: 'current_status' }],
      }),
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('answers a malformed command with the list of commands', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPermission(api, 'alice', 'write');
    const reply = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', reply.match).reply(201, {});

    await probot.receive({ name: 'issue_comment', payload: commentEvent('/migration rename tasks.status', 'alice') } as any);

    expect(engine.inputs).toEqual([]);
    expect(reply.bodies[0].body).toContain('invalid rename "tasks.status"');
    expect(reply.bodies[0].body).toContain('`/migration allow-data-loss`');
    expect(api.isDone()).toBe(true);
  });

  it('treats the configured label, added by a writer, as allow-data-loss for the risks shown before it was added', async () => {
    const engine = fakeEngine({
      status: 'needs-confirmation',
      markdown: '### Risks\nDropping `tasks.status` and `tasks.title` deletes their data.',
      revisionFile: null,
      findings: [{ ...DROP_STATUS, confirmed: true }, DROP_TITLE],
      confirmations: [{ kind: 'allow-data-loss' }],
    });
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api, COMMENT_ONLY);
    mockPermission(api, 'alice', 'write');
    // Who added the label, found again on every run.
    api
      .get('/repos/flow/flowbot-commons/issues/42/events')
      .query({ per_page: 100 })
      .reply(200, [
        { id: 1, event: 'labeled', actor: { login: 'mallory' }, label: { name: 'migration: allow data loss' }, created_at: '2026-11-25T06:01:00Z' },
        { id: 2, event: 'unlabeled', actor: { login: 'alice' }, label: { name: 'migration: allow data loss' }, created_at: '2026-11-25T06:02:00Z' },
        { id: 3, event: 'labeled', actor: { login: 'alice' }, label: { name: 'migration: allow data loss' }, created_at: '2026-11-25T06:10:00Z' },
      ]);
    // tasks.status shown at 06:00, before the label; tasks.title first shown by the comment's last version, at 06:20.
    const state = formatDataLossState(
      new Map([
        [dataLossFingerprint(DROP_STATUS), new Date('2026-11-25T06:00:00Z')],
        [dataLossFingerprint(DROP_TITLE), null],
      ]),
    );
    const sticky = { ...STICKY, body: `<!-- flow-migrate -->\n${state}\nold report`, updated_at: '2026-11-25T06:20:00Z' };
    mockPullFiles(api, 42, ['flowbot_commons/models.py']);
    api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: 558 });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, [sticky]);
    mockOwnLogin(api);
    mockMergeBase(api, HEAD);
    mockBackendConnection(api);
    mockTree(api, MODELS_REPO, MERGE_BASE, models.base!, ['flowbot_commons/models.py']);
    mockTree(api, MODELS_REPO, HEAD, models.head!, ['flowbot_commons/models.py']);
    mockTree(api, BACKEND_REPO, BACKEND_MAIN_SHA, backendFiles, ['alembic.ini']);
    mockHead(api, 42, HEAD);
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/issues/comments/901', update.match).reply(200, STICKY);
    const check = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/558', check.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: labeledEvent('migration: allow data loss') } as any);

    expect(check.bodies).toEqual([expect.objectContaining({ conclusion: 'action_required' })]);
    expect(engine.inputs).toEqual([expect.objectContaining({ confirmedDataLoss: new Set([dataLossFingerprint(DROP_STATUS)]) })]);
    const body = update.bodies[0].body as string;
    expect(body).toMatch(/\*\*Data loss awaiting confirmation\*\*\n- `drop-column` tasks\.title \(`flowbot_commons\/models\.py:12`\): `\/migration allow-data-loss`/);
    expect(body).toMatch(/\*\*Data loss already confirmed\*\*\n- `drop-column` tasks\.status \(`flowbot_commons\/models\.py:13`\)\n/);
    expect(body).toContain('(the label: remove it and add it again)');
    expect(api.isDone()).toBe(true);
  });

  it('politely refuses the label from someone without write access', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api);
    mockPermission(api, 'tom-triage', 'read');
    const reply = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', reply.match).reply(201, {});
    const event = labeledEvent('migration: allow data loss');

    await probot.receive({ name: 'pull_request', payload: { ...event, sender: { ...event.sender, login: 'tom-triage' } } } as any);

    expect(engine.inputs).toEqual([]);
    expect(reply.bodies).toEqual([
      { body: expect.stringMatching(/^@tom-triage, thank you, but only people with write access .* adding the label "migration: allow data loss"/) },
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('ignores other labels', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api);

    await probot.receive({ name: 'pull_request', payload: labeledEvent('documentation') } as any);

    expect(engine.inputs).toEqual([]);
    expect(api.isDone()).toBe(true);
  });
});

describe('failures', () => {
  it('reports an invalid configuration as a failed check in plain English, without reading anything else', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api, 'models: flowbot_commons\nbackend:\n  repository: flow-py-backend\npull_requests: yes\n');
    const created = recorder();
    api.post('/repos/flow/flowbot-commons/check-runs', created.match).reply(201, { id: 560 });
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/560', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(created.bodies).toEqual([expect.objectContaining({ name: 'Database migration', head_sha: HEAD })]);
    const summary = update.bodies[0].output.summary as string;
    expect(update.bodies[0]).toMatchObject({ conclusion: 'failure', output: { title: 'Invalid flow-migrate configuration' } });
    expect(summary).toContain('.github/flow-migrate.yml is not a valid flow-migrate configuration');
    expect(summary).toContain('`backend.repository`: must be "owner/name"');
    expect(summary).toContain('pull_requests');
    expect(engine.inputs).toEqual([]);
    expect(api.isDone()).toBe(true);
  });

  it('reports configuration that is not YAML as a failed check', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api, 'models: [flowbot_commons\nbackend: {\n');
    api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: 561 });
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/561', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(update.bodies[0]).toMatchObject({ conclusion: 'failure', output: { title: 'Invalid flow-migrate configuration' } });
    expect(update.bodies[0].output.summary).toMatch(/^\.github\/flow-migrate\.yml is not valid YAML: /);
    expect(engine.inputs).toEqual([]);
    expect(api.isDone()).toBe(true);
  });

  it('reads the configured backend branch, and says plainly when it does not exist', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api, VALID_CONFIG.replace('  path: .', '  branch: develop\n  path: .'));
    mockPullFiles(api, 42, ['flowbot_commons/models.py']);
    api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: 562 });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, []);
    mockMergeBase(api, HEAD);
    api.get('/repos/flow/flow-py-backend/installation').reply(200, { id: BACKEND_INSTALLATION });
    mockInstallationToken(api, BACKEND_INSTALLATION);
    // No default-branch lookup: the configured branch is read directly.
    api.get('/repos/flow/flow-py-backend/git/ref/heads%2Fdevelop').reply(404, { message: 'Not Found' });
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/562', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(update.bodies).toEqual([
      expect.objectContaining({
        conclusion: 'failure',
        output: expect.objectContaining({
          title: 'The backend repository cannot be read',
          summary: 'Check `backend` in .github/flow-migrate.yml: flow/flow-py-backend has no branch "develop".',
        }),
      }),
    ]);
    expect(engine.inputs).toEqual([]);
    expect(api.isDone()).toBe(true);
  });

  it('asks for the app to be installed on the backend repository when it is not', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api);
    mockPullFiles(api, 42, ['flowbot_commons/models.py']);
    api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: 563 });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, []);
    mockMergeBase(api, HEAD);
    api.get('/repos/flow/flow-py-backend/installation').reply(404, { message: 'Not Found' });
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/563', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(update.bodies[0]).toMatchObject({ conclusion: 'failure', output: { title: 'The backend repository cannot be read' } });
    expect(update.bodies[0].output.summary).toContain('the app is not installed on flow/flow-py-backend');
    expect(api.isDone()).toBe(true);
  });

  it('never writes the database password into a check', async () => {
    const url = 'postgresql://bot:hunter22@db.internal:5432/postgres';
    const engine = fakeEngine(new Error(`could not connect to ${url}: timeout`));
    const probot = await testProbot({ pipeline: engine.pipeline, databaseUrl: url });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPlanningStart(api);
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(update.bodies[0]).toMatchObject({ conclusion: 'failure', output: { title: 'The migration could not be checked' } });
    expect(update.bodies[0].output.summary).toContain('could not connect to postgresql://bot:***@db.internal:5432/postgres: timeout');
    expect(JSON.stringify(update.bodies)).not.toContain('hunter22');
    expect(api.isDone()).toBe(true);
  });

  it('reports a model syntax error on its line, in the check and the comment', async () => {
    const error = new InputError('invalid syntax: "(" was never closed', { file: 'flowbot_commons/models.py', line: 14, column: 53 });
    const engine = fakeEngine(error);
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPlanningStart(api);
    mockHead(api, 42, HEAD);
    const comment = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', comment.match).reply(201, STICKY);
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(comment.bodies[0].body).toContain('flowbot_commons/models.py:14:53: invalid syntax');
    expect(update.bodies).toEqual([
      expect.objectContaining({
        conclusion: 'failure',
        output: expect.objectContaining({
          annotations: [expect.objectContaining({ path: 'flowbot_commons/models.py', start_line: 14, annotation_level: 'failure' })],
        }),
      }),
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('retries a GitHub 5xx and finishes the run', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline, retry: true });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api, COMMENT_ONLY);
    api.get('/repos/flow/flowbot-commons/pulls/42/files').query({ per_page: 100 }).reply(502, { message: 'Bad Gateway' });
    mockPullFiles(api, 42, ['flowbot_commons/models.py']);
    api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: 555 });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, []);
    mockMergeBase(api, HEAD);
    mockBackendConnection(api);
    mockTree(api, MODELS_REPO, MERGE_BASE, models.base!, ['flowbot_commons/models.py']);
    mockTree(api, MODELS_REPO, HEAD, models.head!, ['flowbot_commons/models.py']);
    mockTree(api, BACKEND_REPO, BACKEND_MAIN_SHA, backendFiles, ['alembic.ini']);
    mockHead(api, 42, HEAD);
    api.post('/repos/flow/flowbot-commons/issues/42/comments').reply(201, STICKY);
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(update.bodies).toEqual([expect.objectContaining({ conclusion: 'success' })]);
    expect(api.isDone()).toBe(true);
  });

  it('on a rate limit while writing the backend branch: a failed check, no comment, no branch, no pull request', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPlanningStart(api);
    mockHead(api, 42, HEAD);
    api.get(`/repos/flow/flow-py-backend/git/commits/${BACKEND_MAIN_SHA}`).reply(200, { sha: BACKEND_MAIN_SHA, tree: { sha: BACKEND_MAIN_TREE } });
    api.post('/repos/flow/flow-py-backend/git/trees').reply(
      403,
      { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
      { 'retry-after': '60' },
    );
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any).catch(() => undefined);

    expect(update.bodies).toEqual([
      expect.objectContaining({
        conclusion: 'failure',
        output: expect.objectContaining({
          title: 'The migration could not be checked',
          summary: expect.stringContaining('secondary rate limit'),
        }),
      }),
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('keeps the comment within 65,536 characters however large the report', async () => {
    const engine = fakeEngine({ markdown: `### Summary\n${'Add a column to a table. '.repeat(10_000)}` });
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api, COMMENT_ONLY);
    mockPullFiles(api, 42, ['flowbot_commons/models.py']);
    api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: 555 });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, []);
    mockMergeBase(api, HEAD);
    mockBackendConnection(api);
    mockTree(api, MODELS_REPO, MERGE_BASE, models.base!, ['flowbot_commons/models.py']);
    mockTree(api, MODELS_REPO, HEAD, models.head!, ['flowbot_commons/models.py']);
    mockTree(api, BACKEND_REPO, BACKEND_MAIN_SHA, backendFiles, ['alembic.ini']);
    mockHead(api, 42, HEAD);
    const comment = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', comment.match).reply(201, STICKY);
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    const body = comment.bodies[0].body as string;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.length).toBeGreaterThan(50_000);
    expect(body).toContain('The report was cut to fit');
    expect(update.bodies[0].output.summary.length).toBeLessThanOrEqual(65_535);
    expect(api.isDone()).toBe(true);
  });
});

describe('re-run from the checks tab', () => {
  it('plans the pull request again when "Database migration" is re-requested', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockCommandRun(api, { comments: [STICKY] });
    api.patch('/repos/flow/flowbot-commons/issues/comments/901').reply(200, STICKY);
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/557', update.match).reply(200, {});
    const payload = {
      action: 'rerequested',
      check_run: { id: 555, name: 'Database migration', head_sha: HEAD, pull_requests: [{ number: 42 }] },
      repository: opened.repository,
      installation: opened.installation,
      sender: opened.sender,
    };

    await probot.receive({ name: 'check_run', payload } as any);

    expect(engine.inputs).toHaveLength(1);
    expect(update.bodies).toEqual([expect.objectContaining({ conclusion: 'success' })]);
    expect(api.isDone()).toBe(true);
  });
});

describe('superseded runs', () => {
  it('never posts an older result over a newer push', async () => {
    const sync = webhook('pull_request.synchronize');
    const newHead = sync.pull_request.head.sha as string;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const inner = fakeEngine({});
    const pipeline: MigrationPipeline = async (input) => {
      const result = await inner.pipeline(input);
      if (inner.inputs.length === 1) {
        started();
        await gate;
      }
      return result;
    };
    // The older run is released once the newer one is queued behind it.
    const queue = new (class extends PullRequestQueue {
      override run(key: string, task: (isSuperseded: () => boolean) => Promise<void>): Promise<void> {
        const queued = super.run(key, task);
        if (inner.inputs.length === 1) release();
        return queued;
      }
    })();
    const probot = await testProbot({ pipeline, queue });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockInstallationToken(api, MODELS_INSTALLATION, true);
    // The older push, up to the engine.
    mockConfig(api, COMMENT_ONLY);
    mockPullFiles(api, 42, ['flowbot_commons/models.py']);
    const created = recorder();
    api.post('/repos/flow/flowbot-commons/check-runs', created.match).reply(201, { id: 555 });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, []);
    mockMergeBase(api, HEAD);
    mockBackendConnection(api);
    mockTree(api, MODELS_REPO, MERGE_BASE, models.base!, ['flowbot_commons/models.py']);
    mockTree(api, MODELS_REPO, HEAD, models.head!, ['flowbot_commons/models.py']);
    mockTree(api, BACKEND_REPO, BACKEND_MAIN_SHA, backendFiles, ['alembic.ini']);
    const olderCheck = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', olderCheck.match).reply(200, {});

    const first = probot.receive({ name: 'pull_request', payload: opened } as any);
    await firstStarted;

    // The newer push arrives while the older one is in the engine.
    mockConfig(api, COMMENT_ONLY);
    mockPullFiles(api, 42, ['flowbot_commons/models.py']);
    api.post('/repos/flow/flowbot-commons/check-runs', created.match).reply(201, { id: 556 });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, []);
    mockMergeBase(api, newHead);
    mockBackendConnection(api, true);
    mockTree(api, MODELS_REPO, MERGE_BASE, models.base!, ['flowbot_commons/models.py']);
    mockTree(api, MODELS_REPO, newHead, models.head!, ['flowbot_commons/models.py']);
    mockTree(api, BACKEND_REPO, BACKEND_MAIN_SHA, backendFiles, ['alembic.ini']);
    mockHead(api, 42, newHead);
    const comment = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', comment.match).reply(201, STICKY);
    const newerCheck = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/556', newerCheck.match).reply(200, {});

    await Promise.all([first, probot.receive({ name: 'pull_request', payload: sync } as any)]);

    expect(created.bodies.map((b) => b.head_sha)).toEqual([HEAD, newHead]);
    expect(comment.bodies).toHaveLength(1);
    expect(comment.bodies[0].body).toContain(`commit ${newHead.slice(0, 7)}`);
    expect(olderCheck.bodies).toEqual([expect.objectContaining({ conclusion: 'success' })]);
    expect(newerCheck.bodies).toEqual([expect.objectContaining({ conclusion: 'success' })]);
    expect(api.isDone()).toBe(true);
  });
});

describe('with the real engine and PostgreSQL', () => {
  const sync = webhook('pull_request.synchronize');
  const NEW_HEAD = sync.pull_request.head.sha as string;

  /** A comment body sent to GitHub, returned as GitHub stores it: edited at `at`. */
  function storedSticky(at: string) {
    return (_uri: string, body: Record<string, any>) => ({ ...STICKY, body: body.body, updated_at: at });
  }

  /**
   * One run of the real engine on #42 at `head`, after a push or (`command`) a writer's
   * comment, with `comments` on the pull request; the backend pull request and the sticky
   * comment's write are left to the test.
   */
  function mockRealRun(
    api: nock.Scope,
    options: {
      head: string;
      headFiles: Record<string, string>;
      comments: unknown[];
      checkRun: number;
      command: boolean;
      cached: boolean;
      /** The first run of this app that meets its sticky comment asks who it is. */
      ownLogin?: boolean;
    },
  ): void {
    mockInstallationToken(api, MODELS_INSTALLATION, options.cached);
    // Asked once per event, whenever alice's commands are read.
    if (options.comments.some((c) => (c as { user?: { login?: string } }).user?.login === 'alice')) mockPermission(api, 'alice', 'write');
    if (options.command) {
      api.get('/repos/flow/flowbot-commons/pulls/42').reply(200, pullRequest(42, options.head));
    }
    mockConfig(api);
    mockPullFiles(api, 42, ['flowbot_commons/models.py']);
    api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: options.checkRun });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, options.comments);
    if (options.ownLogin) mockOwnLogin(api);
    mockMergeBase(api, options.head);
    mockBackendConnection(api, options.cached);
    mockTree(api, MODELS_REPO, MERGE_BASE, models.base!, ['flowbot_commons/models.py']);
    mockTree(api, MODELS_REPO, options.head, options.headFiles, ['flowbot_commons/models.py']);
    mockTree(api, BACKEND_REPO, BACKEND_MAIN_SHA, backendFiles, 'optional');
    mockHead(api, 42, options.head);
  }

  function mockBackendPullRequestOutdated(api: nock.Scope, pullNumber: number | null): ReturnType<typeof recorder> {
    api
      .get('/repos/flow/flow-py-backend/pulls')
      .query({ head: 'flow:flow-migrate/flowbot-commons-pr-42', state: 'open' })
      .reply(200, pullNumber === null ? [] : [{ number: pullNumber }]);
    const outdated = recorder();
    if (pullNumber !== null) api.patch(`/repos/flow/flow-py-backend/pulls/${pullNumber}`, outdated.match).reply(200, { number: pullNumber, html_url: '' });
    return outdated;
  }

  it('refuses a dropped column, then a writer allows data loss: verified migration, backend pull request', async () => {
    const dropStatus = await repositoryFiles('flowbot-commons/drop-status');
    const probot = await testProbot({ pipeline: corePipeline(verifyMigration), databaseUrl: databaseServerUrl() });
    const api = github();

    // The push: refused.
    mockRealRun(api, { head: HEAD, headFiles: dropStatus, comments: [], checkRun: 555, command: false, cached: false });
    mockBackendPullRequestOutdated(api, null);
    const created = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', created.match).reply(201, storedSticky('2026-11-25T06:00:00Z'));
    const refusedCheck = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', refusedCheck.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(refusedCheck.bodies).toEqual([
      expect.objectContaining({
        conclusion: 'action_required',
        output: expect.objectContaining({
          annotations: [
            expect.objectContaining({ path: 'flowbot_commons/models.py', start_line: 14, annotation_level: 'failure', title: 'drop-column' }),
          ],
        }),
      }),
    ]);
    expect(created.bodies[0].body).toContain('`/migration allow-data-loss`');
    expect(api.isDone()).toBe(true);

    // The writer's confirmation, at 06:05: verified, proposed to the backend, the same comment updated.
    const command = commentEvent('/migration allow-data-loss', 'alice');
    const sticky = { ...STICKY, body: created.bodies[0].body, updated_at: '2026-11-25T06:00:00Z' };
    mockRealRun(api, { head: HEAD, headFiles: dropStatus, comments: [sticky, command.comment], checkRun: 556, command: true, cached: true, ownLogin: true });
    const backend = bodies();
    mockBackendPullRequest(api, { branch: false, pullNumber: null }, backend);
    const updated = recorder();
    api.patch('/repos/flow/flowbot-commons/issues/comments/901', updated.match).reply(200, STICKY);
    const verifiedCheck = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/556', verifiedCheck.match).reply(200, {});

    await probot.receive({ name: 'issue_comment', payload: command } as any);

    const [file] = backend.tree.bodies[0].tree;
    expect(file.path).toMatch(/^alembic\/versions\/[0-9a-f]{12}_drop_status_from_tasks\.py$/);
    expect(file.content).toContain("op.drop_column('tasks', 'status')");
    expect(updated.bodies[0].body).toContain('verified on PostgreSQL');
    expect(updated.bodies[0].body).toContain('flow/flow-py-backend#7');
    expect(verifiedCheck.bodies).toEqual([
      expect.objectContaining({ conclusion: 'success', output: expect.objectContaining({ text: expect.stringContaining(file.content) }) }),
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('a confirmation covers only the drops shown when it was given: a later push adding one asks again', async () => {
    const dropStatus = await repositoryFiles('flowbot-commons/drop-status');
    const dropStatusAndTitle = {
      ...dropStatus,
      'flowbot_commons/models.py': dropStatus['flowbot_commons/models.py']!.replace(/^ +title: .*\n/m, ''),
    };
    expect(dropStatusAndTitle['flowbot_commons/models.py']).not.toContain('title');
    const probot = await testProbot({ pipeline: corePipeline(verifyMigration), databaseUrl: databaseServerUrl() });
    const api = github();

    // 06:00, the push dropping tasks.status (A): refused, A shown.
    mockRealRun(api, { head: HEAD, headFiles: dropStatus, comments: [], checkRun: 555, command: false, cached: false });
    mockBackendPullRequestOutdated(api, null);
    const shownA = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', shownA.match).reply(201, storedSticky('2026-11-25T06:00:00Z'));
    api.patch('/repos/flow/flowbot-commons/check-runs/555').reply(200, {});
    await probot.receive({ name: 'pull_request', payload: opened } as any);
    expect(api.isDone()).toBe(true);

    // 06:05, alice allows data loss: A confirmed, migration verified and proposed.
    const first = commentEvent('/migration allow-data-loss', 'alice', 950);
    const stickyA = { ...STICKY, body: shownA.bodies[0].body, updated_at: '2026-11-25T06:00:00Z' };
    mockRealRun(api, { head: HEAD, headFiles: dropStatus, comments: [stickyA, first.comment], checkRun: 556, command: true, cached: true, ownLogin: true });
    mockBackendPullRequest(api, { branch: false, pullNumber: null }, bodies());
    const confirmedA = recorder();
    api.patch('/repos/flow/flowbot-commons/issues/comments/901', confirmedA.match).reply(200, storedSticky('2026-11-25T06:06:00Z'));
    const checkA = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/556', checkA.match).reply(200, {});
    await probot.receive({ name: 'issue_comment', payload: first } as any);
    expect(checkA.bodies).toEqual([expect.objectContaining({ conclusion: 'success' })]);
    expect(api.isDone()).toBe(true);

    // 06:10, a push that also drops tasks.title (B): the old confirmation does not cover B.
    const stickyConfirmedA = { ...STICKY, body: confirmedA.bodies[0].body, updated_at: '2026-11-25T06:06:00Z' };
    mockRealRun(api, {
      head: NEW_HEAD,
      headFiles: dropStatusAndTitle,
      comments: [stickyConfirmedA, first.comment],
      checkRun: 557,
      command: false,
      cached: true,
    });
    const outdated = mockBackendPullRequestOutdated(api, 7);
    const shownB = recorder();
    api.patch('/repos/flow/flowbot-commons/issues/comments/901', shownB.match).reply(200, storedSticky('2026-11-25T06:10:00Z'));
    const checkB = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/557', checkB.match).reply(200, {});
    await probot.receive({ name: 'pull_request', payload: sync } as any);

    expect(checkB.bodies).toEqual([
      expect.objectContaining({
        conclusion: 'action_required',
        output: expect.objectContaining({
          annotations: expect.arrayContaining([
            expect.objectContaining({ title: 'drop-column', annotation_level: 'failure', message: expect.stringContaining('tasks.title') }),
            expect.objectContaining({ title: 'drop-column', annotation_level: 'warning', message: expect.stringContaining('tasks.status') }),
          ]),
        }),
      }),
    ]);
    const bodyB = shownB.bodies[0].body as string;
    expect(bodyB).toMatch(/\*\*Data loss awaiting confirmation\*\*\n- `drop-column` tasks\.title \([^)]*\): `\/migration allow-data-loss`\n/);
    expect(bodyB).toMatch(/\*\*Data loss already confirmed\*\*\n- `drop-column` tasks\.status \(/);
    expect(bodyB).not.toMatch(/awaiting confirmation\*\*\n[^*]*tasks\.status/);
    expect(outdated.bodies).toEqual([{ body: expect.stringContaining('**Do not merge.**') }]);
    expect(api.isDone()).toBe(true);

    // 06:15, alice allows data loss again: A and B confirmed, the migration drops both.
    const second = { ...commentEvent('/migration allow-data-loss', 'alice', 951) };
    second.comment = { ...second.comment, created_at: '2026-11-25T06:15:00Z', updated_at: '2026-11-25T06:15:00Z' };
    const stickyB = { ...STICKY, body: bodyB, updated_at: '2026-11-25T06:10:00Z' };
    mockRealRun(api, {
      head: NEW_HEAD,
      headFiles: dropStatusAndTitle,
      comments: [stickyB, first.comment, second.comment],
      checkRun: 558,
      command: true,
      cached: true,
    });
    const backend = bodies();
    mockBackendPullRequest(api, { branch: true, pullNumber: 7 }, backend);
    const confirmedB = recorder();
    api.patch('/repos/flow/flowbot-commons/issues/comments/901', confirmedB.match).reply(200, storedSticky('2026-11-25T06:16:00Z'));
    const checkBoth = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/558', checkBoth.match).reply(200, {});
    await probot.receive({ name: 'issue_comment', payload: second } as any);

    expect(checkBoth.bodies).toEqual([expect.objectContaining({ conclusion: 'success' })]);
    const [file] = backend.tree.bodies[0].tree;
    expect(file.content).toContain("op.drop_column('tasks', 'status')");
    expect(file.content).toContain("op.drop_column('tasks', 'title')");
    expect(confirmedB.bodies[0].body).not.toContain('awaiting confirmation');
    expect(api.isDone()).toBe(true);
  });

  it('annotates the line of a model syntax error', async () => {
    const broken = await repositoryFiles('flowbot-commons/syntax-error');
    const probot = await testProbot({ pipeline: corePipeline(verifyMigration), databaseUrl: databaseServerUrl() });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api);
    mockPullFiles(api, 42, ['flowbot_commons/models.py']);
    api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: 555 });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, []);
    mockMergeBase(api, HEAD);
    mockBackendConnection(api);
    mockTree(api, MODELS_REPO, MERGE_BASE, models.base!, ['flowbot_commons/models.py']);
    mockTree(api, MODELS_REPO, HEAD, broken, ['flowbot_commons/models.py']);
    // The models fail first: the backend's Alembic tree is never listed.
    mockHead(api, 42, HEAD);
    const comment = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', comment.match).reply(201, STICKY);
    const check = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', check.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(comment.bodies[0].body).toMatch(/flowbot_commons\/models\.py:14:\d+: /);
    expect(check.bodies).toEqual([
      expect.objectContaining({
        conclusion: 'failure',
        output: expect.objectContaining({
          annotations: [expect.objectContaining({ path: 'flowbot_commons/models.py', start_line: 14, annotation_level: 'failure' })],
        }),
      }),
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('reads models whose base, mixin and enum live outside the configured folder', async () => {
    const probot = await testProbot({ pipeline: corePipeline(verifyMigration), databaseUrl: databaseServerUrl() });
    const api = github();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockConfig(api, VALID_CONFIG.replace('models: flowbot_commons', 'models: flowbot_commons/models'));
    mockPullFiles(api, 42, ['flowbot_commons/models/task.py']);
    api.post('/repos/flow/flowbot-commons/check-runs').reply(201, { id: 555 });
    api.get('/repos/flow/flowbot-commons/issues/42/comments').query({ per_page: 100 }).reply(200, []);
    mockMergeBase(api, HEAD);
    mockBackendConnection(api);
    // The base and mixin (flowbot_commons/db/base.py) and the enum (flowbot_commons/enums.py)
    // are fetched once for both commits; services/mailer.py, never imported, never.
    const parent = 'flowbot_commons/db/__init__.py';
    mockTree(api, MODELS_REPO, MERGE_BASE, OUTSIDE_IMPORTS, [
      'flowbot_commons/__init__.py',
      'flowbot_commons/db/base.py',
      'flowbot_commons/enums.py',
      'flowbot_commons/models/__init__.py',
      'flowbot_commons/models/task.py',
    ]);
    mockBlob(api, MODELS_REPO, parent, OUTSIDE_IMPORTS[parent]!, true);
    mockTree(api, MODELS_REPO, HEAD, withNotes(OUTSIDE_IMPORTS), ['flowbot_commons/models/task.py']);
    mockTree(api, BACKEND_REPO, BACKEND_MAIN_SHA, backendFiles, 'optional');
    mockHead(api, 42, HEAD);
    const backend = bodies();
    mockBackendPullRequest(api, { branch: false, pullNumber: null }, backend);
    const created = recorder();
    api.post('/repos/flow/flowbot-commons/issues/42/comments', created.match).reply(201, STICKY);
    const check = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', check.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(check.bodies).toEqual([expect.objectContaining({ conclusion: 'success' })]);
    const [file] = backend.tree.bodies[0].tree;
    expect(file.content).toContain("op.add_column('tasks', sa.Column('notes'");
    expect(created.bodies[0].body).toContain('verified on PostgreSQL');
    expect(api.isDone()).toBe(true);
  });
});

describe('GitHub Enterprise Server', () => {
  it('sends every request, the backend repository included, to the enterprise host', async () => {
    const engine = fakeEngine({});
    const probot = await testProbot({ pipeline: engine.pipeline, baseUrl: 'https://ghe.example.com/api/v3' });
    const api = githubEnterprise();
    mockInstallationToken(api, MODELS_INSTALLATION);
    mockPlanningStart(api);
    mockHead(api, 42, HEAD);
    mockBackendPullRequest(api, { branch: false, pullNumber: null }, bodies());
    api.post('/repos/flow/flowbot-commons/issues/42/comments').reply(201, STICKY);
    const update = recorder();
    api.patch('/repos/flow/flowbot-commons/check-runs/555', update.match).reply(200, {});

    await probot.receive({ name: 'pull_request', payload: opened } as any);

    expect(update.bodies).toEqual([expect.objectContaining({ conclusion: 'success' })]);
    expect(api.isDone()).toBe(true);
  });
});

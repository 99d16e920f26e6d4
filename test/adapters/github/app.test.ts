import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Probot } from 'probot';
import { InputError } from '../../../src/core/errors.js';
import type { Finding } from '../../../src/core/plan/types.js';
import type {
  MigrationPipeline,
  MigrationPipelineInput,
  MigrationPipelineResult,
} from '../../../src/adapters/github/pipeline.js';
import {
  BACKEND_MAIN_SHA,
  BACKEND_MAIN_TREE,
  BACKEND_REPO,
  MODELS_INSTALLATION,
  MODELS_REPO,
  github,
  mockBackendConnection,
  mockConfig,
  mockHead,
  mockInstallationToken,
  mockPermission,
  mockPullFiles,
  mockTree,
  pullRequest,
  recorder,
  repositoryFiles,
  testProbot,
  webhook,
} from './github-api.js';

/**
 * The app driven as Probot documents it (probot.receive + nock), with the engine replaced by
 * a scripted one that still reads the source trees it is given, so every GitHub call the
 * bot makes is asserted. The real engine runs in pipeline.acceptance.test.ts.
 */

const opened = webhook('pull_request.opened');
const HEAD = opened.pull_request.head.sha as string;
const BASE = opened.pull_request.base.sha as string;
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

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
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
  mockBackendConnection(api);
  mockTree(api, MODELS_REPO, BASE, models.base!, ['flowbot_commons/models.py']);
  mockTree(api, MODELS_REPO, options.head ? HEAD : HEAD, options.head ?? models.head!, ['flowbot_commons/models.py']);
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
      allowDataLoss: false,
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
    mockBackendConnection(api);
    mockTree(api, MODELS_REPO, BASE, models.base!, ['flowbot_commons/models.py']);
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

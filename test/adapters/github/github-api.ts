import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { Probot, ProbotOctokit } from 'probot';
import { fileSystemTree } from '../../../src/adapters/fs/file-system-tree.js';
import { flowMigrateBot } from '../../../src/adapters/github/bot.js';
import type { MigrationPipeline } from '../../../src/adapters/github/pipeline.js';
import type { PullRequestQueue } from '../../../src/adapters/github/utils/pull-request-queue.js';

/** Helpers that stand in for github.com in the bot's tests: every call is a nock interceptor. */

export const MODELS_REPO = { owner: 'flow', repo: 'flowbot-commons' };
export const BACKEND_REPO = { owner: 'flow', repo: 'flow-py-backend' };
export const MODELS_INSTALLATION = 1001;
export const BACKEND_INSTALLATION = 1002;
export const BACKEND_MAIN_SHA = 'c0ffee0000000000000000000000000000000001';
export const BACKEND_MAIN_TREE = 'c0ffee00000000000000000000000000000000aa';

export const { privateKey: TEST_PRIVATE_KEY } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const fixtures = fileURLToPath(new URL('../../fixtures/github/', import.meta.url));

export function webhook<T = Record<string, any>>(name: string): T {
  return JSON.parse(readFileSync(`${fixtures}webhooks/${name}.json`, 'utf8')) as T;
}

/** A fixture repository (a folder under test/fixtures/github/repositories) as path → text. */
export async function repositoryFiles(name: string): Promise<Record<string, string>> {
  const root = `${fixtures}repositories/${name}`;
  const tree = fileSystemTree();
  const files: Record<string, string> = {};
  for (const file of await tree.list(root)) files[file.slice(root.length + 1)] = (await tree.read(file))!;
  return files;
}

export interface TestProbotOptions {
  pipeline: MigrationPipeline;
  databaseUrl?: string | null;
  /** Probot's retry plugin, on with no waiting; off (as Probot's docs test) by default. */
  retry?: boolean;
  /** A GitHub Enterprise Server API, as Probot derives it from GHE_HOST. */
  baseUrl?: string;
  queue?: PullRequestQueue;
}

export async function testProbot(options: TestProbotOptions): Promise<Probot> {
  const probot = new Probot({
    appId: 123,
    privateKey: TEST_PRIVATE_KEY,
    logLevel: 'fatal',
    Octokit: testOctokit(options.retry ?? false),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
  await probot.load(
    flowMigrateBot({ pipeline: options.pipeline, databaseUrl: options.databaseUrl ?? null, queue: options.queue }),
  );
  return probot;
}

/**
 * ProbotOctokit with throttling off and retries off (or on, without waiting). A function,
 * not an options object: Probot layers its own throttle options over plain defaults, which
 * would turn throttling (and its one-second gap between writes) back on.
 */
export function testOctokit(retry: boolean): typeof ProbotOctokit {
  return ProbotOctokit.defaults((instance: Record<string, any>) => ({
    ...instance,
    throttle: { ...instance.throttle, enabled: false },
    retry: retry ? { enabled: true, retryAfterBaseValue: 1 } : { enabled: false },
  })) as typeof ProbotOctokit;
}

export function github(): nock.Scope {
  return nock('https://api.github.com');
}

/** A GitHub Enterprise Server at ghe.example.com: the same API under /api/v3. */
export function githubEnterprise(): nock.Scope {
  return nock('https://ghe.example.com').filteringPath(/^\/api\/v3/, '');
}

/** Bodies of the requests an interceptor matched, in order. */
export function recorder<T = any>(): { bodies: T[]; match: (body: T) => boolean } {
  const bodies: T[] = [];
  return { bodies, match: (body) => (bodies.push(body), true) };
}

/** `cached`: Probot may reuse the token it got earlier in the same test, so the call is optional. */
export function mockInstallationToken(api: nock.Scope, installationId: number, cached = false): void {
  const interceptor = api.post(`/app/installations/${installationId}/access_tokens`);
  if (cached) interceptor.optionally();
  interceptor.reply(201, { token: `ghs_installation${installationId}`, expires_at: '2099-01-01T00:00:00Z', permissions: {} });
}

/**
 * GET /app, answered as this app (its bot is flow-migrate[bot]): the bot asks it once per
 * app, the first time a pull request has a marked comment by a bot.
 */
export function mockOwnLogin(api: nock.Scope): void {
  api.get('/app').reply(200, { id: 123, slug: 'flow-migrate', name: 'Flow Migration Manager' });
}

export const VALID_CONFIG = [
  'models: flowbot_commons',
  'backend:',
  '  repository: flow/flow-py-backend',
  '  path: .',
  'pull_request: true',
  'labels:',
  '  allow_data_loss: "migration: allow data loss"',
  '',
].join('\n');

export function mockConfig(api: nock.Scope, yaml: string = VALID_CONFIG): void {
  api.get('/repos/flow/flowbot-commons/contents/.github%2Fflow-migrate.yml').reply(200, yaml, {
    'content-type': 'text/plain; charset=utf-8',
  });
}

export function mockPullFiles(api: nock.Scope, number: number, filenames: string[]): void {
  api
    .get(`/repos/flow/flowbot-commons/pulls/${number}/files`)
    .query({ per_page: 100 })
    .reply(
      200,
      filenames.map((filename, i) => ({
        sha: blobSha(filename, String(i)),
        filename,
        status: 'modified',
        additions: 1,
        deletions: 0,
        changes: 1,
      })),
    );
}

export function blobSha(path: string, content: string): string {
  return createHash('sha1').update(`${path}\0${content}`).digest('hex');
}

/**
 * The recursive tree of a repository at `ref`, and a blob for each file in `read` (`'optional'`
 * marks the others' blobs optional: the engine decides which Alembic files it needs).
 */
export function mockTree(
  api: nock.Scope,
  repository: { owner: string; repo: string },
  ref: string,
  files: Record<string, string>,
  read: string[] | 'optional',
): void {
  const entries = Object.entries(files).map(([path, content]) => ({
    path,
    mode: '100644',
    type: 'blob',
    sha: blobSha(path, content),
    size: content.length,
    url: `https://api.github.com/repos/${repository.owner}/${repository.repo}/git/blobs/${blobSha(path, content)}`,
  }));
  api
    .get(`/repos/${repository.owner}/${repository.repo}/git/trees/${ref}`)
    .query({ recursive: 'true' })
    .reply(200, { sha: `tree-${ref}`, url: '', tree: entries, truncated: false });
  for (const [path, content] of Object.entries(files)) {
    if (read !== 'optional' && !read.includes(path)) continue;
    mockBlob(api, repository, path, content, read === 'optional');
  }
}

/** One blob of `mockTree`'s listing; `optional`: the test does not insist it is read. */
export function mockBlob(
  api: nock.Scope,
  repository: { owner: string; repo: string },
  path: string,
  content: string,
  optional = false,
): void {
  const interceptor = api.get(`/repos/${repository.owner}/${repository.repo}/git/blobs/${blobSha(path, content)}`);
  if (optional) interceptor.optionally();
  interceptor.reply(200, {
    sha: blobSha(path, content),
    size: content.length,
    encoding: 'base64',
    content: Buffer.from(content).toString('base64').replace(/(.{60})/g, '$1\n'),
  });
}

/** The app's JWT lookup of its installation on the backend, that installation's token, and main. */
export function mockBackendConnection(api: nock.Scope, cachedToken = false): void {
  api.get('/repos/flow/flow-py-backend/installation').reply(200, { id: BACKEND_INSTALLATION, account: { login: 'flow' } });
  mockInstallationToken(api, BACKEND_INSTALLATION, cachedToken);
  api.get('/repos/flow/flow-py-backend').reply(200, { id: 800002, name: 'flow-py-backend', full_name: 'flow/flow-py-backend', default_branch: 'main' });
  api.get('/repos/flow/flow-py-backend/git/ref/heads%2Fmain').reply(200, {
    ref: 'refs/heads/main',
    object: { sha: BACKEND_MAIN_SHA, type: 'commit' },
  });
}

export function mockHead(api: nock.Scope, number: number, headSha: string): void {
  api.get(`/repos/flow/flowbot-commons/pulls/${number}`).reply(200, pullRequest(number, headSha));
}

export function pullRequest(number: number, headSha: string, labels: string[] = []): Record<string, unknown> {
  const pr = webhook('pull_request.opened').pull_request;
  return { ...pr, number, head: { ...pr.head, sha: headSha }, labels: labels.map((name, id) => ({ id, name })) };
}

export function mockPermission(api: nock.Scope, username: string, permission: 'admin' | 'maintain' | 'write' | 'read' | 'none'): void {
  api.get(`/repos/flow/flowbot-commons/collaborators/${username}/permission`).reply(200, {
    permission,
    role_name: permission === 'none' ? 'none' : permission,
    user: { login: username },
  });
}

/** An `issue_comment.created` payload on pull request #42. */
export function commentEvent(body: string, login: string, id = 950): Record<string, any> {
  const payload = webhook('issue_comment.created');
  return { ...payload, comment: { ...payload.comment, id, body, user: { ...payload.comment.user, login, type: 'User' } } };
}

/** A `pull_request.labeled` payload for #42 at the opened head, the label already on it. */
export function labeledEvent(label: string): Record<string, any> {
  const payload = webhook('pull_request.opened');
  const labelObject = { id: 77, name: label, color: 'd73a4a' };
  return { ...payload, action: 'labeled', label: labelObject, pull_request: { ...payload.pull_request, labels: [labelObject] } };
}

/** Where #42's branch left main: older than main's tip, which the payload's base.sha names. */
export const MERGE_BASE = '0ba5e0000000000000000000000000000000beef';

/** The compare call that finds where the pull request's branch left its base. */
export function mockMergeBase(api: nock.Scope, head: string): void {
  const pr = webhook('pull_request.opened').pull_request;
  api
    .get(`/repos/flow/flowbot-commons/compare/${pr.base.sha}...${head}`)
    .query({ per_page: 1 })
    .reply(200, { status: 'diverged', merge_base_commit: { sha: MERGE_BASE }, files: [] });
}

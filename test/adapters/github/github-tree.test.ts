import nock from 'nock';
import type { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commonFolder, githubTree, pathFilter, type BlobCache } from '../../../src/adapters/github/github-tree.js';
import { InputError } from '../../../src/core/errors.js';
import { readModels } from '../../../src/core/read/index.js';
import { blobSha, github, MODELS_REPO, mockBlob, mockTree, testOctokit } from './github-api.js';
import { OUTSIDE_IMPORTS, withNotes } from './outside-imports.js';

describe('pathFilter', () => {
  it('matches a folder and what lies below it, a file, or a glob', () => {
    const visible = pathFilter(['./flowbot_commons/', 'plugins/*/models.py', 'extra.py']);
    expect(visible('flowbot_commons/models.py')).toBe(true);
    expect(visible('flowbot_commons/sub/a.py')).toBe(true);
    expect(visible('flowbot_commons_docs/models.md')).toBe(false);
    expect(visible('plugins/billing/models.py')).toBe(true);
    expect(visible('plugins/billing/views.py')).toBe(false);
    expect(visible('extra.py')).toBe(true);
    expect(visible('README.md')).toBe(false);
  });

  it('treats "." as the whole repository', () => {
    expect(pathFilter(['.'])('alembic/versions/x.py')).toBe(true);
  });
});

describe('commonFolder', () => {
  it('is the deepest folder holding every path, before any glob', () => {
    expect(commonFolder(['flowbot_commons'])).toBe('flowbot_commons');
    expect(commonFolder(['src/app/models/a.py', 'src/app/models/b.py'])).toBe('src/app/models');
    expect(commonFolder(['src/app/models', 'src/app/plugins/**/models.py'])).toBe('src/app');
    expect(commonFolder(['.'])).toBe('');
    expect(commonFolder(['models', 'other'])).toBe('');
  });
});

const BASE_SHA = 'ba5e000000000000000000000000000000000001';
const HEAD_SHA = 'aead000000000000000000000000000000000002';
const MODELS = ['flowbot_commons/models'];

describe('githubTree', () => {
  const octokit = new (testOctokit(false))({ auth: 'test-token' }) as ProbotOctokit;
  let requests: string[];
  let api: nock.Scope;

  beforeEach(() => {
    nock.disableNetConnect();
    requests = [];
    api = github();
    api.on('request', (req: { method: string; path: string }) => requests.push(`${req.method} ${req.path}`));
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('reads models whose base, mixin and enum live outside the models folder, at base and head', async () => {
    const head = withNotes(OUTSIDE_IMPORTS);
    // Read at every commit: the scanned files, the package walk-up, the imported modules.
    const needed = [
      'flowbot_commons/__init__.py',
      'flowbot_commons/db/base.py',
      'flowbot_commons/enums.py',
      'flowbot_commons/models/__init__.py',
      'flowbot_commons/models/task.py',
    ];
    // A parent package of an imported module: whether the reader opens it is its own choice.
    const parent = 'flowbot_commons/db/__init__.py';
    mockTree(api, MODELS_REPO, BASE_SHA, OUTSIDE_IMPORTS, needed);
    mockBlob(api, MODELS_REPO, parent, OUTSIDE_IMPORTS[parent]!, true);
    // Only the changed file: the head shares the base's blob cache.
    mockTree(api, MODELS_REPO, HEAD_SHA, head, ['flowbot_commons/models/task.py']);

    const blobs: BlobCache = new Map();
    const atBase = await readModels('flowbot_commons/models', githubTree(octokit, { ...MODELS_REPO, ref: BASE_SHA }, MODELS, blobs));
    const atHead = await readModels('flowbot_commons/models', githubTree(octokit, { ...MODELS_REPO, ref: HEAD_SHA }, MODELS, blobs));

    for (const result of [atBase, atHead]) {
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.schema.tables.map((t) => t.name)).toEqual(['tasks']);
      expect(result.schema.enums).toMatchObject([{ name: 'taskstatus', labels: ['todo', 'done'] }]);
      const tasks = result.schema.tables[0]!;
      expect(tasks.location?.file).toBe('flowbot_commons/models/task.py');
      // The naming convention comes from the base's MetaData in flowbot_commons/db/base.py.
      expect(tasks.indexes.map((i) => i.name)).toEqual(['ix_tasks_title']);
      expect(tasks.columns.find((c) => c.name === 'created_at')).toMatchObject({
        type: { name: 'timestamp with time zone' },
        serverDefault: 'now()',
      });
    }
    expect(atBase.schema.tables[0]!.columns.map((c) => c.name)).toEqual(['id', 'title', 'status', 'created_at']);
    expect(atHead.schema.tables[0]!.columns.map((c) => c.name)).toEqual(['id', 'title', 'notes', 'status', 'created_at']);

    const blob = (files: Record<string, string>, path: string) =>
      `GET /repos/flow/flowbot-commons/git/blobs/${blobSha(path, files[path]!)}`;
    // Each blob at most once; nothing else (mailer.py, README.md) ever fetched.
    expect(requests.filter((r) => r !== blob(OUTSIDE_IMPORTS, parent)).sort()).toEqual(
      [
        `GET /repos/flow/flowbot-commons/git/trees/${BASE_SHA}?recursive=true`,
        `GET /repos/flow/flowbot-commons/git/trees/${HEAD_SHA}?recursive=true`,
        ...needed.map((path) => blob(OUTSIDE_IMPORTS, path)),
        blob(head, 'flowbot_commons/models/task.py'),
      ].sort(),
    );
    expect(requests.filter((r) => r === blob(OUTSIDE_IMPORTS, parent)).length).toBeLessThanOrEqual(1);
    expect(api.isDone()).toBe(true);
  });

  it('lists only the configured paths and reads nothing but Python outside them', async () => {
    mockTree(api, MODELS_REPO, BASE_SHA, OUTSIDE_IMPORTS, ['flowbot_commons/enums.py']);
    const tree = githubTree(octokit, { ...MODELS_REPO, ref: BASE_SHA }, MODELS);

    expect(await tree.list('flowbot_commons')).toEqual(['flowbot_commons/models/__init__.py', 'flowbot_commons/models/task.py']);
    expect(await tree.list('')).toEqual(['flowbot_commons/models/__init__.py', 'flowbot_commons/models/task.py']);
    expect(await tree.read('README.md')).toBeNull();
    expect(await tree.read('flowbot_commons/missing.py')).toBeNull();
    expect(await tree.read('./flowbot_commons/enums.py')).toBe(OUTSIDE_IMPORTS['flowbot_commons/enums.py']);
    expect(await tree.read('flowbot_commons/enums.py')).toBe(OUTSIDE_IMPORTS['flowbot_commons/enums.py']);
    expect(requests).toEqual([
      `GET /repos/flow/flowbot-commons/git/trees/${BASE_SHA}?recursive=true`,
      `GET /repos/flow/flowbot-commons/git/blobs/${blobSha('flowbot_commons/enums.py', OUTSIDE_IMPORTS['flowbot_commons/enums.py']!)}`,
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('stops with a clear error past its bound on files read outside the configured paths', async () => {
    mockTree(api, MODELS_REPO, BASE_SHA, OUTSIDE_IMPORTS, [
      'flowbot_commons/models/task.py',
      'flowbot_commons/enums.py',
      'flowbot_commons/db/base.py',
    ]);
    const tree = githubTree(octokit, { ...MODELS_REPO, ref: BASE_SHA }, MODELS, new Map(), 2);

    expect(await tree.read('flowbot_commons/models/task.py')).toBe(OUTSIDE_IMPORTS['flowbot_commons/models/task.py']);
    expect(await tree.read('flowbot_commons/enums.py')).not.toBeNull();
    expect(await tree.read('flowbot_commons/missing.py')).toBeNull();
    expect(await tree.read('flowbot_commons/db/base.py')).not.toBeNull();
    // Read again: still within the bound.
    expect(await tree.read('flowbot_commons/enums.py')).not.toBeNull();
    const third = tree.read('flowbot_commons/services/mailer.py');
    await expect(third).rejects.toThrow(InputError);
    await expect(third).rejects.toThrow(/more than 2 Python files from outside flowbot_commons\/models/);
    expect(api.isDone()).toBe(true);
    expect(requests).toHaveLength(4);
  });
});

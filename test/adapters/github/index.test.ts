import { Probot } from 'probot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import app from '../../../src/adapters/github/index.js';
import { TEST_PRIVATE_KEY, testOctokit } from './github-api.js';

/** The entry `probot run` loads: the verification database comes from the environment only. */

afterEach(() => {
  vi.unstubAllEnvs();
});

const probot = () => new Probot({ appId: 123, privateKey: TEST_PRIVATE_KEY, logLevel: 'fatal', Octokit: testOctokit(false) });

describe('the app entry', () => {
  it('loads with DATABASE_URL set, empty or unset', async () => {
    for (const value of ['postgresql://postgres@127.0.0.1:5432/postgres', '', undefined]) {
      vi.stubEnv('DATABASE_URL', value);
      await expect(probot().load(app)).resolves.toBeUndefined();
    }
  });

  it('refuses a DATABASE_URL that is not PostgreSQL, without echoing it', async () => {
    vi.stubEnv('DATABASE_URL', 'mysql://root:s3cret@db/flow');
    const error = await probot().load(app).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toBe('DATABASE_URL must be a postgresql:// connection URL');
  });
});

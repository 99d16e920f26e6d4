import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, parseConfig } from '../../../../src/adapters/github/config/load-config.js';
import { githubAppConfigSchema } from '../../../../src/adapters/github/config/schema.js';

describe('parseConfig', () => {
  it('fills the defaults', () => {
    expect(parseConfig({ models: 'flowbot_commons', backend: { repository: 'flow/flow-py-backend' } })).toEqual({
      kind: 'valid',
      config: {
        models: 'flowbot_commons',
        backend: { repository: 'flow/flow-py-backend', path: '.' },
        pull_request: true,
        labels: {},
      },
    });
  });

  it('takes a list of model paths and globs', () => {
    const result = parseConfig({ models: ['flowbot_commons', 'plugins/*/models.py'], backend: { repository: 'flow/b', branch: 'develop' } });
    expect(result).toMatchObject({ kind: 'valid', config: { models: ['flowbot_commons', 'plugins/*/models.py'], backend: { branch: 'develop' } } });
  });

  it('names every problem, including misspelt keys, in plain words', () => {
    const result = parseConfig({ models: [], backend: { repository: 'flow-py-backend', brnach: 'main' }, pull_request: 'yes' });
    expect(result.kind).toBe('invalid');
    const problem = (result as { problem: string }).problem;
    expect(problem).toMatch(/^\.github\/flow-migrate\.yml is not a valid flow-migrate configuration:\n/);
    expect(problem).toContain('- `models`: must list at least one folder or glob');
    expect(problem).toContain('- `backend.repository`: must be "owner/name", e.g. flow/flow-py-backend');
    expect(problem).toContain('brnach');
    expect(problem).toContain('- `pull_request`:');
  });
});

describe('loadConfig', () => {
  it('is absent when the repository has no configuration', async () => {
    expect(await loadConfig({ config: async () => null } as never)).toEqual({ kind: 'absent' });
  });

  it('turns a YAML error into a problem, and lets GitHub errors through', async () => {
    const yamlError = new Error('[@probot/octokit-plugin-config] bad indentation of a mapping entry (3:5)');
    expect(await loadConfig({ config: async () => Promise.reject(yamlError) } as never)).toEqual({
      kind: 'invalid',
      problem: '.github/flow-migrate.yml is not valid YAML: bad indentation of a mapping entry (3:5)',
    });
    const serverError = Object.assign(new Error('Server Error'), { status: 502 });
    await expect(loadConfig({ config: async () => Promise.reject(serverError) } as never)).rejects.toBe(serverError);
  });
});

describe('flow-migrate.schema.json', () => {
  const file = fileURLToPath(new URL('../../../../src/adapters/github/config/flow-migrate.schema.json', import.meta.url));
  const generated = `${JSON.stringify(z.toJSONSchema(githubAppConfigSchema, { io: 'input' }), null, 2)}\n`;

  it('is the zod schema as JSON Schema, for editors (UPDATE_SCHEMA=1 rewrites it)', () => {
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(file, generated);
    expect(readFileSync(file, 'utf8')).toBe(generated);
  });
});

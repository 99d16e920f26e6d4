import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadProjectConfig } from '../../../src/adapters/config/load-config.js';
import { isModelsFile, modelsSourceDir, parseModelsPath } from '../../../src/adapters/config/models-path.js';
import { projectConfigSchema } from '../../../src/adapters/config/schema.js';
import { InputError } from '../../../src/core/errors.js';

describe('loadProjectConfig', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'flow-migrate-config-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => writeFileSync(path.join(root, file), text);
  const failure = async () => {
    const error = await loadProjectConfig(root).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  };

  it('has defaults when the project has no config', async () => {
    expect(await loadProjectConfig(root)).toEqual({ models: null, backend: null, strict: false, file: null });
  });

  it('reads flow-migrate.yml, resolving the backend against the root', async () => {
    write('flow-migrate.yml', 'models: flowbot_commons/\nbackend: ../flow-py-backend\nstrict: true\n');
    expect(await loadProjectConfig(root)).toEqual({
      models: 'flowbot_commons',
      backend: path.resolve(root, '../flow-py-backend'),
      strict: true,
      file: path.join(root, 'flow-migrate.yml'),
    });
  });

  it('reads [tool.flow-migrate] from pyproject.toml', async () => {
    write('pyproject.toml', '[project]\nname = "x"\n\n[tool.flow-migrate]\nmodels = "flowbot_commons/**/*.py"\nstrict = false\n');
    expect(await loadProjectConfig(root)).toMatchObject({ models: 'flowbot_commons/**/*.py', strict: false, backend: null });
  });

  it('ignores a pyproject.toml without the table', async () => {
    write('pyproject.toml', '[tool.black]\nline-length = 100\n');
    expect((await loadProjectConfig(root)).file).toBeNull();
  });

  it('points at the line of a wrong value in YAML', async () => {
    write('flow-migrate.yml', 'models: pkg\nstrict: "yes"\n');
    const error = await failure();
    expect(error.message).toMatch(/`strict`: .*boolean/);
    expect(error.location).toMatchObject({ file: path.join(root, 'flow-migrate.yml'), line: 2 });
  });

  it('refuses unknown keys, so a typo does not pass silently', async () => {
    write('flow-migrate.yml', 'models: pkg\nstrikt: true\n');
    const error = await failure();
    expect(error.message).toMatch(/`strikt`: unknown key/);
    expect(error.location?.line).toBe(2);
  });

  it('points at the line of a wrong value in pyproject.toml, after the table', async () => {
    write('pyproject.toml', '[tool.other]\nstrict = 1\n\n[tool.flow-migrate]\nmodels = "pkg"\nstrict = 1\n');
    const error = await failure();
    expect(error.location).toMatchObject({ file: path.join(root, 'pyproject.toml'), line: 6 });
  });

  it('reports YAML and TOML syntax errors with their position', async () => {
    write('flow-migrate.yml', 'models: [pkg\n');
    expect((await failure()).message).toMatch(/invalid YAML/);
    rmSync(path.join(root, 'flow-migrate.yml'));
    write('pyproject.toml', '[tool.flow-migrate]\nmodels = \n');
    const error = await failure();
    expect(error.message).toMatch(/invalid TOML/);
    expect(error.location?.line).toBe(2);
  });

  it('refuses a models path outside the repository', async () => {
    write('flow-migrate.yml', 'models: ../elsewhere\n');
    expect((await failure()).message).toMatch(/`models`: must be a path inside the repository/);
  });

  it('refuses a config in both files', async () => {
    write('flow-migrate.yml', 'models: a\n');
    write('pyproject.toml', '[tool.flow-migrate]\nmodels = "b"\n');
    expect((await failure()).message).toMatch(/both flow-migrate.yml and \[tool.flow-migrate\]/);
  });
});

describe('models path', () => {
  it('is a folder or a glob with its base folder', () => {
    expect(parseModelsPath('flowbot_commons/')).toEqual({ dir: 'flowbot_commons', glob: null });
    expect(parseModelsPath('.')).toEqual({ dir: '', glob: null });
    expect(parseModelsPath('pkg/**/models*.py')).toEqual({ dir: 'pkg', glob: 'pkg/**/models*.py' });
  });

  it('tells the files it selects by their path from the repository root', () => {
    const files = ['pkg/models.py', 'pkg/sub/models_x.py', 'pkg/util.py', 'pkgextra/models.py', 'app/models.py'];
    expect(files.filter(isModelsFile(parseModelsPath('pkg')))).toEqual(['pkg/models.py', 'pkg/sub/models_x.py', 'pkg/util.py']);
    expect(files.filter(isModelsFile(parseModelsPath('pkg/**/models*.py')))).toEqual(['pkg/models.py', 'pkg/sub/models_x.py']);
    expect(files.filter(isModelsFile(parseModelsPath('.')))).toEqual(files);
  });

  it('narrows a tree to the files a glob selects', async () => {
    const files = ['/r/pkg/models.py', '/r/pkg/models_extra.py', '/r/pkg/util.py', '/r/pkg/sub/models.py'];
    const tree = { list: async () => files, read: async () => '' };
    const source = modelsSourceDir(tree, '/r', parseModelsPath('pkg/**/models*.py'));
    expect(source.dir).toBe('/r/pkg');
    expect(await source.tree.list('/r/pkg')).toEqual(['/r/pkg/models.py', '/r/pkg/models_extra.py', '/r/pkg/sub/models.py']);
  });
});

describe('flow-migrate.schema.json', () => {
  const file = fileURLToPath(new URL('../../../src/adapters/config/flow-migrate.schema.json', import.meta.url));
  const generated = `${JSON.stringify(z.toJSONSchema(projectConfigSchema, { io: 'input' }), null, 2)}\n`;

  it('is the zod schema as JSON Schema, for editors (UPDATE_SCHEMA=1 rewrites it)', () => {
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(file, generated);
    expect(readFileSync(file, 'utf8')).toBe(generated);
  });
});

import path from 'node:path';
import posix from 'node:path/posix';
import type { Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../../core/errors.js';
import type { SourceLocation } from '../../core/schema/model.js';
import { readOptional } from '../fs/read-optional.js';
import { projectConfigSchema, type ProjectConfigInput } from './schema.js';

export const CONFIG_FILE = 'flow-migrate.yml';
export const PYPROJECT_FILE = 'pyproject.toml';
const PYPROJECT_TABLE = 'tool.flow-migrate';

/** The project config with paths made usable: what flags override. */
export interface ProjectConfig {
  /** The models folder or glob, relative to the repository root (POSIX); null when unset. */
  models: string | null;
  /** The backend checkout, absolute; null when unset. */
  backend: string | null;
  strict: boolean;
  /** The file it came from, or null when the project has none. */
  file: string | null;
}

/**
 * Reads the config at `root` (the repository root): `flow-migrate.yml`, else the
 * `[tool.flow-migrate]` table of `pyproject.toml`. Both at once is an error, so nobody edits
 * the one that is ignored. Bad content is an InputError at `file:line:column`.
 */
export async function loadProjectConfig(root: string): Promise<ProjectConfig> {
  const ymlPath = path.join(root, CONFIG_FILE);
  const tomlPath = path.join(root, PYPROJECT_FILE);
  const [ymlText, tomlText] = await Promise.all([readOptional(ymlPath), readOptional(tomlPath)]);

  const fromYml = ymlText === null ? null : await parseYamlConfig(ymlText, ymlPath);
  const fromToml = tomlText === null ? null : await parsePyprojectConfig(tomlText, tomlPath);
  if (fromYml && fromToml) {
    throw new InputError(
      `the config is in both ${CONFIG_FILE} and [${PYPROJECT_TABLE}] of ${PYPROJECT_FILE}; keep one`,
      { file: ymlPath, line: 1, column: 1 },
    );
  }
  const found = fromYml ? { config: fromYml, file: ymlPath } : fromToml ? { config: fromToml, file: tomlPath } : null;
  const config = found?.config ?? {};
  return {
    models: config.models ? posix.normalize(config.models).replace(/\/$/, '') : null,
    backend: config.backend ? path.resolve(root, config.backend) : null,
    strict: config.strict ?? false,
    file: found?.file ?? null,
  };
}

// The parsers are loaded only for a file that exists: the pre-commit hook reads the config on
// every commit, and most projects have one of the two files or neither.
async function parseYamlConfig(text: string, file: string): Promise<ProjectConfigInput> {
  const { parseDocument, isMap } = await import('./yaml.js');
  const doc = parseDocument(text, { prettyErrors: false });
  const lines = lineStarts(text);
  if (doc.errors.length) {
    const error = doc.errors[0]!;
    throw new InputError(`invalid YAML: ${error.message.split('\n')[0]}`, at(file, lines, error.pos[0]));
  }
  const value: unknown = doc.toJS() ?? {};
  return validate(value, (key) => {
    const contents = doc.contents;
    if (key !== null && isMap(contents)) {
      const pair = contents.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      const node = (pair?.value ?? pair?.key) as YamlNode | undefined;
      if (node?.range) return at(file, lines, node.range[0]);
    }
    return { file, line: 1, column: 1 };
  });
}

/** The `[tool.flow-migrate]` table, or null when pyproject.toml has none. */
async function parsePyprojectConfig(text: string, file: string): Promise<ProjectConfigInput | null> {
  const { parse: parseToml, TomlError } = await import('smol-toml');
  let document: Record<string, unknown>;
  try {
    document = parseToml(text);
  } catch (err) {
    if (err instanceof TomlError) {
      throw new InputError(`invalid TOML: ${err.message.split('\n')[0]}`, { file, line: err.line, column: err.column });
    }
    throw err;
  }
  const tool = document.tool as Record<string, unknown> | undefined;
  if (!tool || !('flow-migrate' in tool)) return null;
  // smol-toml keeps no positions: find the table, then the key after it.
  const tableLine = lineOf(text, /^\s*\[\s*tool\.(?:"flow-migrate"|flow-migrate)\s*\]/m, 1) ?? 1;
  return validate(tool['flow-migrate'], (key) => {
    const keyLine = key === null ? null : lineOf(text, new RegExp(`^\\s*"?${escape(key)}"?\\s*=`, 'm'), tableLine);
    return { file, line: keyLine ?? tableLine, column: 1 };
  });
}

function validate(value: unknown, locate: (key: string | null) => SourceLocation): ProjectConfigInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('the config must be a table of keys: models, backend, strict', locate(null));
  }
  const result = projectConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issueKey(issue);
  const subject = key === null ? '' : `\`${key}\`: `;
  throw new InputError(`${subject}${issueMessage(issue)}`, locate(key));
}

function issueKey(issue: z.core.$ZodIssue): string | null {
  if (issue.code === 'unrecognized_keys') return issue.keys[0] ?? null;
  return issue.path.length ? String(issue.path[0]) : null;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return 'unknown key; the keys are models, backend, strict';
  return issue.message;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function at(file: string, starts: number[], offset: number): SourceLocation {
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1]! <= offset) line++;
  return { file, line: line + 1, column: offset - starts[line]! + 1 };
}

/** The 1-based line of the first match at or after line `from`. */
function lineOf(text: string, pattern: RegExp, from: number): number | null {
  const lines = text.split('\n');
  const rest = lines.slice(from - 1).join('\n');
  const match = pattern.exec(rest);
  return match ? from - 1 + rest.slice(0, match.index + match[0].search(/\S/)).split('\n').length : null;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import posix from 'node:path/posix';
import { parse as parseToml, TomlError } from 'smol-toml';
import { InputError } from '../errors.js';
import type { SourceLocation } from '../schema/model.js';
import type { SourceTree } from '../source.js';
import { parseIni } from './ini.js';
import { pythonFormat } from './python-format.js';

/**
 * Alembic's options as `Config.get_alembic_option` reads them (Alembic 1.16+): the
 * `[alembic]` section of `alembic.ini` first, then `[tool.alembic]` of `pyproject.toml` in
 * the same folder. Either file may be missing, not both. String values of both are
 * %-formatted with `here`, so `%%` is a literal `%` in either.
 */
export interface AlembicConfig {
  /** The file named in messages: alembic.ini when present. */
  file: string;
  /** A string option (a list is joined by the chosen separator's caller), or null. */
  get(name: string): string | null;
  /** A list option (`version_locations` in pyproject.toml), or null when unset or a string. */
  list(name: string): string[] | null;
  /** Where the option is set (the file's first line when it is not). */
  at(name: string): SourceLocation;
}

/** Relative paths are resolved against the config's folder by the caller, so `here` is `.`. */
const HERE = '.';

export async function readAlembicConfig(dir: string, tree: SourceTree): Promise<AlembicConfig> {
  const iniPath = posix.join(dir, 'alembic.ini');
  const tomlPath = posix.join(dir, 'pyproject.toml');
  const iniText = await tree.read(iniPath);
  const ini = iniText === null ? null : parseIni(iniText, iniPath, { here: HERE });
  const toml = await readToml(tomlPath, tree);
  if (!ini?.has('alembic') && !toml) {
    throw new InputError(
      iniText === null
        ? `cannot read ${iniPath}: no such file (the backend folder must hold alembic.ini, or a pyproject.toml with [tool.alembic])`
        : `${iniPath} has no [alembic] section`,
    );
  }
  const fromIni = (name: string): boolean => ini !== null && ini.get('alembic', name) !== null;
  const tomlLine = (name: string): number | null => {
    const index = toml?.lines.findIndex((l) => new RegExp(`^\\s*${name}\\s*=`).test(l)) ?? -1;
    return index < 0 ? null : index + 1;
  };
  const at = (name: string): SourceLocation =>
    fromIni(name) || !toml
      ? { file: iniPath, line: ini?.line('alembic', name) ?? 1, column: 1 }
      : { file: tomlPath, line: tomlLine(name) ?? 1, column: 1 };
  const format = (name: string, value: string) => pythonFormat(value, { here: HERE }, at(name));

  return {
    file: ini ? iniPath : tomlPath,
    get(name) {
      if (fromIni(name)) return ini!.get('alembic', name);
      const value = toml?.options[name];
      if (value === undefined || value === null) return null;
      if (typeof value === 'string') return format(name, value);
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      if (Array.isArray(value)) return null;
      throw new InputError(`${name} in [tool.alembic] must be a string, a number or a list of strings`, at(name));
    },
    list(name) {
      if (fromIni(name)) return null;
      const value = toml?.options[name];
      if (!Array.isArray(value)) return null;
      return value.map((item) => {
        if (typeof item !== 'string') throw new InputError(`${name} in [tool.alembic] must list strings`, at(name));
        return format(name, item);
      });
    },
    at,
  };
}

async function readToml(path: string, tree: SourceTree): Promise<{ options: Record<string, unknown>; lines: string[] } | null> {
  const text = await tree.read(path);
  if (text === null) return null;
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    throw new InputError(err.message.split('\n')[0]!, { file: path, line: err.line, column: err.column });
  }
  const tool = data['tool'];
  const alembic = tool && typeof tool === 'object' ? (tool as Record<string, unknown>)['alembic'] : undefined;
  if (alembic === undefined) return null;
  if (typeof alembic !== 'object' || alembic === null || Array.isArray(alembic)) {
    throw new InputError('[tool.alembic] must be a table', { file: path, line: 1, column: 1 });
  }
  return { options: alembic as Record<string, unknown>, lines: text.split(/\r?\n/) };
}

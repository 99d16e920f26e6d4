import posix from 'node:path/posix';
import { InputError } from '../errors.js';
import type { RenderStyle } from '../render/types.js';
import type { SourceLocation } from '../schema/model.js';
import type { SourceTree } from '../source.js';
import { DEFAULT_TEMPLATE, DEFAULT_UNTYPED_TEMPLATE } from './default-template.js';
import { readAlembicConfig, type AlembicConfig } from './config.js';
import { readRevision, type Revision } from './revision.js';
import { formatFileName } from './revision-file.js';

/** An Alembic tree as `alembic revision` would see it, plus the habits of its revisions. */
export interface Backend {
  /** The folder holding `alembic.ini` (or `pyproject.toml` with `[tool.alembic]`). */
  dir: string;
  /** `<dir>/alembic.ini`; absent only when pyproject.toml's `[tool.alembic]` configures Alembic alone. */
  iniPath: string;
  /** The migrations folder (`script_location`). */
  scriptLocation: string;
  /** Where revisions are read from; the first is where new ones are written. */
  versionLocations: string[];
  /** After ini interpolation, in Python %-format: `%(rev)s_%(slug)s`. */
  fileTemplate: string;
  /** Where `file_template` is set, for errors about it. */
  fileTemplateLocation: SourceLocation;
  truncateSlugLength: number;
  /** `timezone` (an IANA name) for the create date and the file name's date tokens; null: UTC. */
  timezone: string | null;
  template: { path: string | null; text: string };
  revisions: Revision[];
  /** Revisions no other revision names as its down revision, in file order. */
  heads: string[];
  numbering: Numbering;
  style: RenderStyle;
}

/** `001_…py` style (ids are sequential numbers) or Alembic's default random ids. */
export type Numbering = { kind: 'sequential'; next: number; width: number } | { kind: 'random' };

const DEFAULT_FILE_TEMPLATE = '%(rev)s_%(slug)s';
const DEFAULT_TRUNCATE_SLUG_LENGTH = 40;
const DEFAULT_INDENT = '    ';
/** Alembic reads `*.py` in a versions folder except editor lock files and `__init__.py`. */
const REVISION_FILE = /^(?!\.#|__init__).*\.py$/;
const SPLIT_ON = { space: ' ', newline: '\n', os: ':', ':': ':', ';': ';' } as const;

/** Reads the backend's Alembic configuration, its migrations folder and every revision in it. */
export async function readBackend(dir: string, tree: SourceTree): Promise<Backend> {
  const config = await readAlembicConfig(dir, tree);
  const option = (name: string) => config.get(name);
  const at = (name: string) => config.at(name);

  const scriptOption = option('script_location');
  if (!scriptOption) {
    throw new InputError(`${posix.basename(config.file)} sets no script_location`, at('script_location'));
  }
  if (/^[A-Za-z_][\w.]*:/.test(scriptOption)) {
    throw new InputError(
      `script_location "${scriptOption}" names a Python package resource; only a folder path can be read statically`,
      at('script_location'),
    );
  }
  // Alembic resolves relative paths against the working directory; projects run it from
  // the config's folder, so that is the folder they mean.
  const resolve = (p: string) => posix.normalize(posix.isAbsolute(p) ? p : posix.join(dir, p));
  const scriptLocation = resolve(scriptOption);
  const versionLocations = (config.list('version_locations') ?? splitVersionLocations(config)).map(resolve);
  if (!versionLocations.length) versionLocations.push(posix.join(scriptLocation, 'versions'));

  const truncate = option('truncate_slug_length');
  const truncateSlugLength = truncate ? Number.parseInt(truncate, 10) : DEFAULT_TRUNCATE_SLUG_LENGTH;
  if (!Number.isInteger(truncateSlugLength)) {
    throw new InputError(`truncate_slug_length "${truncate}" is not a number`, at('truncate_slug_length'));
  }

  const recursive = option('recursive_version_locations') === 'true';
  const revisions: Revision[] = [];
  const seen = new Set<string>();
  for (const location of versionLocations) {
    for (const file of await tree.list(location)) {
      const relative = posix.relative(location, file);
      if (seen.has(file) || (!recursive && relative.includes('/')) || !REVISION_FILE.test(posix.basename(file))) continue;
      seen.add(file);
      const text = await tree.read(file);
      if (text !== null) revisions.push(await readRevision(text, file));
    }
  }

  const templatePath = posix.join(scriptLocation, 'script.py.mako');
  const templateText = await tree.read(templatePath);
  const typed = revisions.length === 0 || revisions.some((r) => r.habits.typedHeader);
  const template =
    templateText !== null
      ? { path: templatePath, text: templateText }
      : { path: null, text: typed ? DEFAULT_TEMPLATE : DEFAULT_UNTYPED_TEMPLATE };

  const timezone = option('timezone') || null;
  if (timezone !== null && !isTimeZone(timezone)) {
    throw new InputError(`timezone "${timezone}" is not a time zone name (such as Europe/Berlin or UTC)`, at('timezone'));
  }
  const fileTemplate = option('file_template') ?? DEFAULT_FILE_TEMPLATE;
  const fileTemplateLocation = at('file_template');
  // Fail on a template Alembic could not format now, as bad input, not after planning.
  formatFileName({ fileTemplate, fileTemplateLocation, timezone }, 'rev', 'slug', new Date(0));

  return {
    dir,
    iniPath: posix.join(dir, 'alembic.ini'),
    scriptLocation,
    versionLocations,
    fileTemplate,
    fileTemplateLocation,
    truncateSlugLength: truncateSlugLength || DEFAULT_TRUNCATE_SLUG_LENGTH,
    timezone,
    template,
    revisions,
    heads: findHeads(revisions),
    numbering: numbering(revisions),
    style: style(revisions),
  };
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * `version_locations` split as Alembic splits it: by `path_separator` (1.16+), else the
 * older `version_path_separator`, else on spaces and commas (the legacy default).
 */
function splitVersionLocations(config: AlembicConfig): string[] {
  const value = config.get('version_locations');
  if (!value) return [];
  const name = config.get('path_separator') !== null ? 'path_separator' : 'version_path_separator';
  const separator = config.get(name);
  if (separator === null) return value.split(/, *| +/).filter(Boolean);
  if (!(separator in SPLIT_ON)) {
    throw new InputError(`${name} "${separator}" is not one of ${Object.keys(SPLIT_ON).join(', ')}`, config.at(name));
  }
  return value
    .split(SPLIT_ON[separator as keyof typeof SPLIT_ON])
    .map((p) => p.trim())
    .filter(Boolean);
}

function findHeads(revisions: Revision[]): string[] {
  const ids = new Map<string, Revision>();
  for (const revision of revisions) {
    const other = ids.get(revision.id);
    if (other) {
      throw new InputError(`revision ${revision.id} is declared twice (also in ${other.path})`, revision.location);
    }
    ids.set(revision.id, revision);
  }
  const parents = new Set<string>();
  for (const revision of revisions) {
    for (const down of revision.downRevisions) {
      if (!ids.has(down)) {
        throw new InputError(
          `revision ${revision.id} revises ${down}, which no revision file declares`,
          revision.downRevisionLocation,
        );
      }
      parents.add(down);
    }
  }
  return revisions.filter((r) => !parents.has(r.id)).map((r) => r.id);
}

function numbering(revisions: Revision[]): Numbering {
  if (!revisions.length || !revisions.every((r) => /^\d+$/.test(r.id))) return { kind: 'random' };
  const numbers = revisions.map((r) => Number.parseInt(r.id, 10));
  return {
    kind: 'sequential',
    next: Math.max(...numbers) + 1,
    width: Math.max(...revisions.map((r) => r.id.length)),
  };
}

/** A habit counts only when every existing revision that could show it does. */
function style(revisions: Revision[]): RenderStyle {
  const working = revisions.filter((r) => r.habits.upgrades);
  const timeouts = new Set(working.map((r) => r.habits.lockTimeout));
  const naming = revisions.filter((r) => r.habits.names > 0);
  const indents = new Set(revisions.flatMap((r) => (r.habits.indent === null ? [] : [r.habits.indent])));
  return {
    wrapNamesInOpF: naming.length > 0 && naming.every((r) => r.habits.namesInOpF === r.habits.names),
    lockTimeout: timeouts.size === 1 ? [...timeouts][0]! : null,
    indent: indents.size === 1 ? [...indents][0]! : DEFAULT_INDENT,
  };
}

/**
 * The revision a new one revises: the chosen one (an id or a unique prefix of a head, as
 * Alembic accepts), else the single head. Several heads and no choice → InputError naming them.
 */
export function chooseDownRevision(backend: Backend, requested: string | null): string | null {
  if (requested !== null) {
    const matches = backend.revisions.filter((r) => r.id === requested || r.id.startsWith(requested));
    const exact = matches.find((r) => r.id === requested);
    const chosen = exact ?? (matches.length === 1 ? matches[0] : undefined);
    if (!chosen) {
      throw new InputError(
        matches.length
          ? `--down-revision ${requested} matches several revisions: ${matches.map((r) => r.id).join(', ')}`
          : `--down-revision ${requested}: no such revision in ${backend.versionLocations.join(', ')}`,
      );
    }
    if (!backend.heads.includes(chosen.id)) {
      throw new InputError(
        `--down-revision ${chosen.id} is not a head (heads: ${backend.heads.join(', ')}); a new revision must extend a head`,
      );
    }
    return chosen.id;
  }
  if (backend.heads.length > 1) {
    throw new InputError(
      `the backend has several heads: ${backend.heads.join(', ')}; choose one with --down-revision, or merge them first (alembic merge)`,
    );
  }
  return backend.heads[0] ?? null;
}

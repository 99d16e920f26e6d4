import { InputError } from '../errors.js';

/**
 * An ini file read the way Python's `configparser.ConfigParser` reads it, because that is
 * what Alembic uses for `alembic.ini`: full-line `#`/`;` comments only (a `#` inside a value
 * is part of it), indented continuation lines joined with newlines, case-insensitive option
 * names, and `%`-interpolation (`%%`, `%(name)s`) against the section and the defaults.
 */
export interface IniFile {
  /** The option's interpolated value, or null when the section or option is absent. */
  get(section: string, option: string): string | null;
  has(section: string): boolean;
  /** The 1-based line the option is set on, or null when it is absent. */
  line(section: string, option: string): number | null;
}

interface RawOption {
  lines: string[];
  line: number;
}

const SECTION = /^\[(.+)\]$/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;
const MAX_INTERPOLATION_DEPTH = 10;

/** `defaults` are the parser's DEFAULT values, as Alembic passes `here` (the ini's folder). */
export function parseIni(text: string, file: string, defaults: Record<string, string> = {}): IniFile {
  const sections = new Map<string, Map<string, RawOption>>();
  const defaultSection = new Map<string, RawOption>(
    Object.entries(defaults).map(([k, v]) => [k.toLowerCase(), { lines: [v], line: 0 }]),
  );
  sections.set('DEFAULT', defaultSection);

  let current: Map<string, RawOption> | null = null;
  let option: RawOption | null = null;
  let indentLevel = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const stripped = raw.trim();
    const isComment = stripped.startsWith('#') || stripped.startsWith(';');
    const value = isComment ? '' : stripped;
    if (!value) {
      // configparser keeps blank lines inside a multi-line value (trailing ones are trimmed).
      if (!isComment && option) option.lines.push('');
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    if (current && option && indent > indentLevel) {
      option.lines.push(value);
      return;
    }
    indentLevel = indent;
    const section = SECTION.exec(value);
    if (section) {
      const name = section[1]!;
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      option = null;
      return;
    }
    if (!current) throw new InputError('ini file has no section header', { file, line: lineNo, column: 1 });
    const match = OPTION.exec(value);
    if (!match || !match[1]) {
      throw new InputError(`cannot read this line as "name = value"`, { file, line: lineNo, column: indent + 1 });
    }
    option = { lines: [match[3]!.trim()], line: lineNo };
    current.set(match[1].trimEnd().toLowerCase(), option);
  });

  const rawValue = (section: string, name: string): RawOption | undefined =>
    sections.get(section)?.get(name) ?? defaultSection.get(name);

  const interpolate = (section: string, opt: RawOption, value: string, depth: number): string => {
    if (depth > MAX_INTERPOLATION_DEPTH) {
      throw new InputError('ini value refers to itself through %(...)s', { file, line: opt.line, column: 1 });
    }
    let out = '';
    let rest = value;
    while (rest) {
      const at = rest.indexOf('%');
      if (at < 0) {
        out += rest;
        break;
      }
      out += rest.slice(0, at);
      rest = rest.slice(at);
      if (rest.startsWith('%%')) {
        out += '%';
        rest = rest.slice(2);
        continue;
      }
      const ref = /^%\(([^)]+)\)s/.exec(rest);
      if (!ref) {
        throw new InputError(`'%' must be followed by '%' or '(name)s' in an ini value (write %% for a literal %)`, {
          file,
          line: opt.line,
          column: 1,
        });
      }
      const name = ref[1]!.toLowerCase();
      const target = rawValue(section, name);
      if (!target) {
        throw new InputError(`ini value refers to %(${ref[1]})s, which is not set`, { file, line: opt.line, column: 1 });
      }
      out += interpolate(section, target, joinLines(target), depth + 1);
      rest = rest.slice(ref[0].length);
    }
    return out;
  };

  return {
    get(section, name) {
      if (!sections.has(section)) return null;
      const opt = rawValue(section, name.toLowerCase());
      return opt ? interpolate(section, opt, joinLines(opt), 1) : null;
    },
    has(section) {
      return sections.has(section);
    },
    line(section, name) {
      return sections.get(section)?.get(name.toLowerCase())?.line ?? null;
    },
  };
}

function joinLines(option: RawOption): string {
  return option.lines.join('\n').trimEnd();
}

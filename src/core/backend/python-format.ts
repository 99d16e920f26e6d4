import { InputError } from '../errors.js';
import type { SourceLocation } from '../schema/model.js';

const SPEC = /%(?:%|\(([^)]*)\)([-+ 0#]*)(\d*)(?:\.(\d+))?([sdi]))/g;

/**
 * Python's `template % mapping` for the specifiers `file_template` uses: `%(rev)s`,
 * `%(year)d`, `%(month).2d`, `%(day)02d`, `%%`. Anything else is an error at `location`,
 * because a file name we cannot build the way Alembic would is worse than none.
 */
export function pythonFormat(
  template: string,
  values: Record<string, string | number>,
  location: SourceLocation | null,
): string {
  const consumed = template.replace(SPEC, '');
  if (consumed.includes('%')) {
    throw new InputError(`unsupported %-format in "${template}"`, location);
  }
  return template.replace(SPEC, (whole, key: string | undefined, flags: string, width: string, precision: string | undefined, type: string) => {
    if (whole === '%%') return '%';
    const value = values[key!];
    if (value === undefined) throw new InputError(`unknown token %(${key})${type} in "${template}"`, location);
    let text: string;
    if (type === 's') {
      text = String(value);
      if (precision !== undefined) text = text.slice(0, Number(precision));
    } else {
      const n = Math.trunc(Number(value));
      if (!Number.isFinite(n)) throw new InputError(`%(${key})${type} needs a number in "${template}"`, location);
      let digits = String(Math.abs(n));
      if (precision !== undefined) digits = digits.padStart(Number(precision), '0');
      const sign = n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
      const w = Number(width || 0);
      if (flags.includes('0') && !flags.includes('-') && precision === undefined) {
        digits = digits.padStart(w - sign.length, '0');
      }
      text = sign + digits;
    }
    const w = Number(width || 0);
    return flags.includes('-') ? text.padEnd(w) : text.padStart(w);
  });
}

import type { ColumnType } from '../schema/model.js';
import { formatType } from '../schema/format.js';

/**
 * - `cheap`: binary-coercible, catalog only (varchar(n) → varchar(m > n), → text, …).
 * - `rewrite`: every row rewritten, nothing lost (int → bigint, text → jsonb).
 * - `narrow`: values may be rejected, truncated or rounded (the data-loss rule).
 */
export type TypeChangeKind = 'cheap' | 'rewrite' | 'narrow';

export interface TypeChange {
  kind: TypeChangeKind;
  /** `postgresql_using` for the change, or null when an assignment cast exists. */
  using: string | null;
}

const STRING = new Set(['text', 'character varying', 'character']);
const INTEGER_RANK: Record<string, number> = { smallint: 1, integer: 2, bigint: 3 };
const FLOAT_RANK: Record<string, number> = { real: 1, 'double precision': 2 };

/**
 * Pairs with an implicit or assignment cast in pg_cast (PostgreSQL 15), so
 * `ALTER COLUMN ... TYPE` needs no USING; every type also casts to the string types by
 * I/O conversion. Everything else needs an explicit `USING col::type`
 * (https://www.postgresql.org/docs/current/sql-altertable.html, "SET DATA TYPE").
 */
const ASSIGNMENT_CASTS = new Set(
  [
    'bigint>double precision', 'bigint>integer', 'bigint>numeric', 'bigint>real', 'bigint>smallint',
    'bit varying>bit', 'bit>bit varying', 'cidr>inet', 'inet>cidr',
    'date>timestamp with time zone', 'date>timestamp without time zone',
    'double precision>bigint', 'double precision>integer', 'double precision>numeric',
    'double precision>real', 'double precision>smallint',
    'integer>bigint', 'integer>double precision', 'integer>numeric', 'integer>real', 'integer>smallint',
    'interval>time without time zone', 'json>jsonb', 'jsonb>json', 'money>numeric',
    'numeric>bigint', 'numeric>double precision', 'numeric>integer', 'numeric>real', 'numeric>smallint',
    'real>bigint', 'real>double precision', 'real>integer', 'real>numeric', 'real>smallint',
    'smallint>bigint', 'smallint>double precision', 'smallint>integer', 'smallint>numeric', 'smallint>real',
    'time with time zone>time without time zone', 'time without time zone>interval',
    'time without time zone>time with time zone',
    'timestamp with time zone>date', 'timestamp with time zone>time with time zone',
    'timestamp with time zone>time without time zone', 'timestamp with time zone>timestamp without time zone',
    'timestamp without time zone>date', 'timestamp without time zone>time without time zone',
    'timestamp without time zone>timestamp with time zone',
  ],
);

export function sameType(a: ColumnType, b: ColumnType): boolean {
  return formatType(a) === formatType(b) && a.isEnum === b.isEnum;
}

/** How changing a column from `from` to `to` behaves; `column` is the (quoted) column name for USING. */
export function classifyTypeChange(from: ColumnType, to: ColumnType, column: string, typeSql: (t: ColumnType) => string): TypeChange {
  const kind = changeKind(from, to);
  return { kind, using: needsUsing(from, to) ? usingExpression(from, to, column, typeSql) : null };
}

function changeKind(from: ColumnType, to: ColumnType): TypeChangeKind {
  if (from.arrayDimensions !== to.arrayDimensions) return 'rewrite';
  const a = from.name;
  const b = to.name;
  if (from.isEnum || to.isEnum) return 'rewrite';
  if (STRING.has(a) && STRING.has(b)) return stringChange(from, to);
  if (a in INTEGER_RANK && b in INTEGER_RANK) return INTEGER_RANK[b]! < INTEGER_RANK[a]! ? 'narrow' : 'rewrite';
  if (a in FLOAT_RANK && b in FLOAT_RANK) return FLOAT_RANK[b]! < FLOAT_RANK[a]! ? 'narrow' : 'rewrite';
  if (a === 'numeric' && b === 'numeric') return numericChange(from, to);
  if (a in INTEGER_RANK && b === 'numeric') {
    // numeric(p, s) holds p - s integer digits: bigint needs 19, integer 10, smallint 5.
    const digits = { smallint: 5, integer: 10, bigint: 19 }[a as 'smallint' | 'integer' | 'bigint'];
    return to.precision === null || to.precision - (to.scale ?? 0) >= digits ? 'rewrite' : 'narrow';
  }
  if ((a === 'numeric' || a in FLOAT_RANK) && b in INTEGER_RANK) return 'narrow';
  if (a === 'numeric' && b in FLOAT_RANK) return 'narrow';
  if (a in INTEGER_RANK && b in FLOAT_RANK) return a === 'smallint' || b === 'double precision' ? 'rewrite' : 'narrow';
  if (a === 'timestamp with time zone' && b === 'timestamp without time zone') return 'narrow';
  if (a.startsWith('timestamp') && b === 'date') return 'narrow';
  if (a === b && (a.startsWith('timestamp') || a.startsWith('time') || a === 'interval')) {
    return precisionOf(to) >= precisionOf(from) ? 'cheap' : 'narrow';
  }
  return 'rewrite';
}

/** Temporal precision: none means 6 digits. */
function precisionOf(t: ColumnType): number {
  return t.precision ?? 6;
}

function stringChange(from: ColumnType, to: ColumnType): TypeChangeKind {
  const a = from.name;
  const b = to.name;
  if (b === 'character') return a === 'character' && to.length !== null && (from.length ?? 1) <= to.length ? 'rewrite' : 'narrow';
  if (a === 'character') return 'rewrite';
  // text and unbounded varchar are the same thing to PostgreSQL.
  if (to.length === null) return 'cheap';
  if (from.length === null) return 'narrow';
  return to.length >= from.length ? 'cheap' : 'narrow';
}

function numericChange(from: ColumnType, to: ColumnType): TypeChangeKind {
  if (to.precision === null) return 'cheap';
  if (from.precision === null) return 'narrow';
  const fromScale = from.scale ?? 0;
  const toScale = to.scale ?? 0;
  if (toScale < fromScale || to.precision - toScale < from.precision - fromScale) return 'narrow';
  return toScale === fromScale ? 'cheap' : 'rewrite';
}

function needsUsing(from: ColumnType, to: ColumnType): boolean {
  if (from.arrayDimensions !== to.arrayDimensions) return true;
  if (to.isEnum) return true;
  if (STRING.has(to.name)) return false;
  if (from.isEnum) return true;
  if (from.name === to.name) return false;
  return !ASSIGNMENT_CASTS.has(`${from.name}>${to.name}`);
}

/** `col::type`; enum to enum and enum to non-string go through text, which every enum casts to. */
function usingExpression(from: ColumnType, to: ColumnType, column: string, typeSql: (t: ColumnType) => string): string {
  const viaText = from.isEnum && !STRING.has(to.name);
  if (!viaText) return `${column}::${typeSql(to)}`;
  const textType = '[]'.repeat(from.arrayDimensions);
  return `${column}::text${textType}::${typeSql(to)}`;
}

import type { ColumnType } from '../schema/model.js';
import { formatType } from '../schema/format.js';

/**
 * Keywords PostgreSQL reserves (also as column names), which therefore need quoting:
 * the "reserved" and "reserved (can be function or type)" rows of
 * https://www.postgresql.org/docs/current/sql-keywords-appendix.html.
 */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate ' +
    'collation column concurrently constraint create cross current_catalog current_date current_role ' +
    'current_schema current_time current_timestamp current_user default deferrable desc distinct do else end ' +
    'except false fetch for foreign freeze from full grant group having ilike in initially inner intersect into ' +
    'is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on ' +
    'only or order outer overlaps placing primary references returning right select session_user similar some ' +
    'symmetric system_user table tablesample then to trailing true union unique user using variadic verbose ' +
    'when where window with'
  ).split(' '),
);

/** An identifier as PostgreSQL needs it: bare when it can be, double-quoted otherwise. */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `schema.name`, each part quoted as needed. */
export function qualify(schema: string | null, name: string): string {
  return schema ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name);
}

/** A type as DDL; an enum type is an identifier (schema-qualified when its type is). */
export function typeSql(type: ColumnType, enumSchema: string | null = null): string {
  if (!type.isEnum) return formatType(type);
  return qualify(enumSchema, type.name) + '[]'.repeat(type.arrayDimensions);
}

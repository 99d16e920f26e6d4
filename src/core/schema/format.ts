import type { ColumnType, Deferral } from './model.js';

/** `DEFERRABLE INITIALLY DEFERRED` as PostgreSQL's DDL writes it; the empty string for NOT DEFERRABLE. */
export function formatDeferral(deferrable: Deferral | undefined): string {
  return deferrable ? `DEFERRABLE INITIALLY ${deferrable.toUpperCase()}` : '';
}

/** The type as PostgreSQL's `format_type()` prints it, e.g. `character varying(50)[]`. */
export function formatType(type: ColumnType): string {
  let base = type.name;
  if (type.length !== null) {
    base = `${base}(${type.length})`;
  } else if (type.precision !== null) {
    const args = type.scale !== null ? `${type.precision},${type.scale}` : `${type.precision}`;
    base = withModifier(base, args);
  }
  return base + '[]'.repeat(type.arrayDimensions);
}

/** `timestamp with time zone` takes its precision after `timestamp`, as format_type() writes it. */
function withModifier(name: string, args: string): string {
  const m = /^(timestamp|time)( with(?:out)? time zone)$/.exec(name);
  return m ? `${m[1]}(${args})${m[2]}` : `${name}(${args})`;
}

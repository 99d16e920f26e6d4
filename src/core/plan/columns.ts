/** Facts about single columns the planner needs while it changes them step by step. */
import type { Column, ColumnType, EnumType } from '../schema/model.js';
import { quoteLiteral } from './sql-quote.js';
import type { ColumnChange, Numbering } from './types.js';

export function numberingOf(c: Column): Numbering {
  if (c.identity) return { kind: 'identity', identity: c.identity };
  return c.serial ? { kind: 'serial' } : { kind: 'none' };
}

export function numberingText(n: Numbering): string {
  if (n.kind === 'identity') return `an identity column (GENERATED ${n.identity.always ? 'ALWAYS' : 'BY DEFAULT'})`;
  return n.kind === 'serial' ? 'serial' : 'a plain column';
}

/** A serial or identity column owns `<table>_<column>_seq`. */
export function ownsSequence(c: Column): boolean {
  return c.serial || c.identity !== null;
}

/** The column as it is after one `alterColumn` step. */
export function applyChange(c: Column, change: ColumnChange): Column {
  switch (change.kind) {
    case 'type':
      return { ...c, type: change.type };
    case 'nullable':
      return { ...c, nullable: change.nullable };
    case 'serverDefault':
      return { ...c, serverDefault: change.serverDefault };
    case 'comment':
      return { ...c, comment: change.comment };
    case 'rename':
      return { ...c, name: change.newName };
  }
}

/**
 * A stand-in for values a downgrade cannot bring back (the column was dropped), so a
 * re-added NOT NULL column is valid for the rows that exist; null when the type has none.
 */
export function placeholder(type: ColumnType, enums: EnumType[]): string | null {
  if (type.arrayDimensions > 0) return "'{}'";
  if (type.isEnum) {
    const first = enums.find((e) => e.name === type.name)?.labels[0];
    return first === undefined ? null : quoteLiteral(first);
  }
  const name = type.name;
  if (['text', 'character varying', 'character', 'bytea'].includes(name)) return "''";
  if (['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'money'].includes(name)) return '0';
  if (name === 'boolean') return 'false';
  if (name.startsWith('timestamp') || name === 'date') return 'now()';
  if (name.startsWith('time')) return "'00:00'";
  if (name === 'interval') return "'0'";
  if (name === 'uuid') return "'00000000-0000-0000-0000-000000000000'";
  if (name === 'json' || name === 'jsonb') return "'{}'";
  return null;
}

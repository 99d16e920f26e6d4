/** Keys and equalities by which the planner matches base and head elements. */
import type { Computed, ForeignKey, Index, Table } from '../schema/model.js';
import { formatDeferral } from '../schema/format.js';
import { normalizeCheck, normalizeDefault } from '../schema/sql-expr.js';
import { sameType } from './type-change.js';
import type { ConstraintDef } from './types.js';

export function sameComputed(a: Computed | null, b: Computed | null): boolean {
  if (a === null || b === null) return a === b;
  return a.persisted === b.persisted && normalizeCheck(a.expression) === normalizeCheck(b.expression);
}

/** Same column names and types: a dropped and a created table that may be one rename. */
export function sameColumns(a: Table, b: Table): boolean {
  return (
    a.columns.length === b.columns.length &&
    a.columns.every((c) => {
      const other = b.columns.find((x) => x.name === c.name);
      return other !== undefined && sameType(c.type, other.type);
    })
  );
}

/** Server defaults compared as PostgreSQL would store them. */
export function sameDefault(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return normalizeDefault(a) === normalizeDefault(b);
}

export function constraintColumns(c: ConstraintDef): string[] {
  return c.kind === 'check' ? [] : c.columns;
}

export function fkTarget(fk: ForeignKey): string {
  return `${fk.columns.join(',')}>${fk.referredSchema ?? ''}.${fk.referredTable}(${fk.referredColumns.join(',')})`;
}

export function fkActions(fk: ForeignKey): string {
  return `${fk.onDelete ?? 'NO ACTION'}/${fk.onUpdate ?? 'NO ACTION'}/${fk.deferrable ?? ''}`;
}

export function fkActionsText(fk: ForeignKey): string {
  return [`ON DELETE ${fk.onDelete ?? 'NO ACTION'} ON UPDATE ${fk.onUpdate ?? 'NO ACTION'}`, formatDeferral(fk.deferrable)].filter(Boolean).join(' ');
}

/** What deleting a referenced row does under the key's ON DELETE, for a reviewer. */
export function onDeleteEffect(fk: ForeignKey, table: string): string {
  const deleting = `Deleting a row of ${fk.referredTable} now`;
  const columns = fk.columns.join(', ');
  switch (fk.onDelete) {
    case 'CASCADE':
      return `${deleting} deletes the rows of ${table} that reference it.`;
    case 'SET NULL':
      return `${deleting} sets ${columns} to NULL in the rows of ${table} that reference it.`;
    case 'SET DEFAULT':
      return `${deleting} sets ${columns} to their default in the rows of ${table} that reference it.`;
    default:
      return `${deleting} fails while rows of ${table} reference it.`;
  }
}

/** Everything that makes two indexes the same index, whatever their names. */
export function indexKey(i: Index): string {
  const elements = i.elements.map((e) => ('column' in e ? `c:${e.column}${i.operatorClasses[e.column] ? ` ${i.operatorClasses[e.column]}` : ''}` : `e:${normalizeCheck(e.expression)}`));
  return [
    i.unique,
    elements.join(','),
    i.where === null ? '' : normalizeCheck(i.where),
    i.using ?? 'btree',
    i.include.join(','),
    i.nullsNotDistinct,
  ].join('|');
}

/** A head element and the base one it continues: same name, or a rename (same definition). */
export interface NameMatch<T> {
  item: T;
  same: T | null;
  renamed: T | null;
}

/**
 * Pairs head elements (constraints, indexes) with base ones, in head order: by name first;
 * else a base element whose name the head no longer uses, with the same definition, is
 * renamed. What no head element continues is dropped.
 */
export function matchByName<T extends { name: string }>(old: readonly T[], now: readonly T[], key: (x: T) => string): { matches: NameMatch<T>[]; dropped: T[] } {
  const matched = new Set<T>();
  const matches = now.map((n): NameMatch<T> => {
    const same = old.find((o) => o.name === n.name) ?? null;
    if (same) {
      matched.add(same);
      return { item: n, same, renamed: null };
    }
    const renamed = old.find((o) => !matched.has(o) && !now.some((x) => x.name === o.name) && key(o) === key(n)) ?? null;
    if (renamed) matched.add(renamed);
    return { item: n, same: null, renamed };
  });
  return { matches, dropped: old.filter((o) => !matched.has(o)) };
}

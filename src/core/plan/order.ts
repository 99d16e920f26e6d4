import { qualifiedName, type ForeignKey, type Table } from '../schema/model.js';

export interface CreationOrder {
  /** Tables in an order where every inline foreign key points at an earlier (or outside) table. */
  tables: Table[];
  /** Foreign keys that close a cycle: removed from their table, added once all tables exist. */
  deferred: { table: Table; foreignKey: ForeignKey }[];
}

/**
 * Orders `tables` so each is created after the tables its foreign keys reference (Kahn's
 * algorithm, stable in input order). When only cycles remain, the first remaining table is
 * created without its foreign keys into the remaining set, and those are deferred.
 * Dropping uses the same order reversed.
 */
export function creationOrder(tables: Table[]): CreationOrder {
  const remaining = new Map(tables.map((t) => [qualifiedName(t), t]));
  const result: CreationOrder = { tables: [], deferred: [] };
  const pointsIntoRemaining = (t: Table, fk: ForeignKey) => {
    const target = qualifiedName({ schema: fk.referredSchema, name: fk.referredTable });
    return target !== qualifiedName(t) && remaining.has(target);
  };
  while (remaining.size) {
    const ready = [...remaining.values()].find((t) => !t.foreignKeys.some((fk) => pointsIntoRemaining(t, fk)));
    const next = ready ?? remaining.values().next().value!;
    if (!ready) {
      const cut = next.foreignKeys.filter((fk) => pointsIntoRemaining(next, fk));
      result.deferred.push(...cut.map((foreignKey) => ({ table: next, foreignKey })));
    }
    remaining.delete(qualifiedName(next));
    result.tables.push(next);
  }
  return result;
}

import { qualifiedName } from '../schema/model.js';
import type { Operation } from './types.js';

/**
 * A lock a statement takes, as PostgreSQL takes it (measured with pg_locks on PostgreSQL 15;
 * https://www.postgresql.org/docs/current/explicit-locking.html): the referenced table of a
 * foreign key is locked too, SHARE ROW EXCLUSIVE to add one and ACCESS EXCLUSIVE to drop one
 * (with its table or column); every ALTER TABLE ... ADD CONSTRAINT but a foreign key takes
 * ACCESS EXCLUSIVE.
 */
export interface Lock {
  mode: string;
  /** What is locked: a table (qualified name), an enum type or a sequence. */
  kind: 'table' | 'type' | 'sequence';
  name: string;
}

const ACCESS_EXCLUSIVE = 'ACCESS EXCLUSIVE';
const SHARE_ROW_EXCLUSIVE = 'SHARE ROW EXCLUSIVE';
const SHARE_UPDATE_EXCLUSIVE = 'SHARE UPDATE EXCLUSIVE';

const table = (mode: string, schema: string | null, name: string): Lock => ({ mode, kind: 'table', name: qualifiedName({ schema, name }) });

/** The locks one operation takes, strongest first per object. */
export function locksOf(op: Operation): Lock[] {
  switch (op.kind) {
    case 'createExtension':
    case 'createEnum':
    case 'dropEnum':
      return [];
    case 'addEnumValue':
      return [{ mode: ACCESS_EXCLUSIVE, kind: 'type', name: op.enum.name }];
    case 'rebuildEnum':
      return op.columns.length
        ? unique(op.columns.map((c) => table(ACCESS_EXCLUSIVE, c.schema, c.table)))
        : [{ mode: ACCESS_EXCLUSIVE, kind: 'type', name: op.enum.name }];
    case 'createTable':
      return unique([
        table(ACCESS_EXCLUSIVE, op.table.schema, op.table.name),
        ...op.table.foreignKeys.map((fk) => table(SHARE_ROW_EXCLUSIVE, fk.referredSchema, fk.referredTable)),
      ]);
    case 'dropTable':
      return unique([
        table(ACCESS_EXCLUSIVE, op.table.schema, op.table.name),
        ...op.table.foreignKeys.map((fk) => table(ACCESS_EXCLUSIVE, fk.referredSchema, fk.referredTable)),
      ]);
    case 'renameTable':
      return [table(ACCESS_EXCLUSIVE, op.schema, op.from)];
    case 'setTableComment':
      return [table(SHARE_UPDATE_EXCLUSIVE, op.schema, op.table)];
    case 'addColumn':
    case 'alterColumn':
    case 'dropExpression':
    case 'changeNumbering':
      return [table(op.kind === 'alterColumn' && op.change.kind === 'comment' ? SHARE_UPDATE_EXCLUSIVE : ACCESS_EXCLUSIVE, op.schema, op.table)];
    case 'dropColumn':
      return [table(ACCESS_EXCLUSIVE, op.schema, op.table)];
    case 'backfill':
      return [table('ROW EXCLUSIVE', op.schema, op.table)];
    case 'createIndex':
      return [table(op.concurrently ? SHARE_UPDATE_EXCLUSIVE : 'SHARE', op.schema, op.table)];
    case 'dropIndex':
      return [table(op.concurrently ? SHARE_UPDATE_EXCLUSIVE : ACCESS_EXCLUSIVE, op.schema, op.table)];
    case 'renameIndex':
      return [table(SHARE_UPDATE_EXCLUSIVE, op.schema, op.table)];
    case 'addConstraint': {
      const c = op.constraint;
      if (c.kind !== 'foreignKey') return [table(ACCESS_EXCLUSIVE, op.schema, op.table)];
      return unique([table(SHARE_ROW_EXCLUSIVE, op.schema, op.table), table(SHARE_ROW_EXCLUSIVE, c.referredSchema, c.referredTable)]);
    }
    case 'dropConstraint': {
      const c = op.constraint;
      const own = table(ACCESS_EXCLUSIVE, op.schema, op.table);
      return c.kind === 'foreignKey' ? unique([own, table(ACCESS_EXCLUSIVE, c.referredSchema, c.referredTable)]) : [own];
    }
    case 'renameConstraint':
      return [table(ACCESS_EXCLUSIVE, op.schema, op.table)];
    case 'setSequenceType':
      return [{ mode: ACCESS_EXCLUSIVE, kind: 'sequence', name: op.sequence }];
    case 'renameSequence':
      return [{ mode: ACCESS_EXCLUSIVE, kind: 'sequence', name: op.from }];
  }
}

/** A self-referencing key names its own table twice: keep the first (strongest) lock. */
function unique(locks: Lock[]): Lock[] {
  return locks.filter((l, i) => locks.findIndex((x) => x.kind === l.kind && x.name === l.name) === i);
}

/**
 * The operations of one side (upgrade or downgrade, in order), each with its locks and which
 * of them are on a table the same side created earlier: such a table is new, nobody else
 * uses it yet, and locking it blocks nothing.
 */
export function sideLocks(ops: Operation[]): { op: Operation; locks: (Lock & { onNewTable: boolean })[] }[] {
  const created = new Set<string>();
  return ops.map((op) => {
    const locks = locksOf(op).map((l) => ({ ...l, onNewTable: l.kind === 'table' && created.has(l.name) }));
    if (op.kind === 'createTable') {
      const name = qualifiedName(op.table);
      created.add(name);
      for (const l of locks) if (l.name === name) l.onNewTable = true;
    }
    return { op, locks };
  });
}

/**
 * The modes that conflict with what ordinary traffic takes (ACCESS SHARE to read, ROW SHARE
 * and ROW EXCLUSIVE to write): while one waits in the lock queue, every query behind it waits
 * too. SHARE UPDATE EXCLUSIVE (comments, concurrent index builds) queues nobody.
 */
const BLOCKS_TRAFFIC = new Set(['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', ACCESS_EXCLUSIVE]);

/** Whether a side takes, inside its transaction, a lock on an existing table that holds up its traffic. */
export function blocksExistingTable(ops: Operation[]): boolean {
  return sideLocks(ops).some(({ locks }) => locks.some((l) => l.kind === 'table' && !l.onNewTable && BLOCKS_TRAFFIC.has(l.mode)));
}

/** The lock as the report and the SQL listing show it: `ACCESS EXCLUSIVE on tasks`, `SHARE on users (new)`. */
export function formatLocks(locks: (Lock & { onNewTable: boolean })[]): string {
  if (!locks.length) return 'none';
  return locks.map((l) => `${l.mode} on ${l.kind === 'table' ? '' : `${l.kind} `}${l.name}${l.onNewTable ? ' (new)' : ''}`).join(', ');
}

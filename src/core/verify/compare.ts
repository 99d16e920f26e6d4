/**
 * Every way a database schema differs from the expected one, in words a person can act on.
 *
 * `expected` is usually what the models describe (the reader's schema), `actual` what a
 * catalog holds (introspect.ts). Only what PostgreSQL stores is compared: source locations,
 * `info` hints and Python-side defaults are not. Expressions (server defaults, CHECKs, index
 * expressions and predicates, generated columns) are compared in their canonical form
 * (sql-expr.ts), so PostgreSQL's casts and parentheses are not differences. A null referential
 * action equals NO ACTION, a null index method equals btree, a null identity start or
 * increment equals 1.
 *
 * Constraints and indexes are matched by name; one present on both sides under different
 * names but with the same definition is reported once, as a name difference.
 *
 * Column order is never a difference: ADD COLUMN can only append, so a chain of migrations
 * rarely keeps the models' order, and neither SQLAlchemy (it names every column it selects)
 * nor Alembic's autogenerate cares. `columnOrderNotes` says where it differs, for a note.
 */
import { formatDeferral, formatType } from '../schema/format.js';
import type {
  CheckConstraint,
  Column,
  EnumType,
  ForeignKey,
  Index,
  PrimaryKey,
  Schema,
  Table,
  UniqueConstraint,
} from '../schema/model.js';
import { qualifiedName } from '../schema/model.js';
import { normalizeCheck, normalizeDefault } from '../schema/sql-expr.js';

export type DifferenceKind =
  | 'table'
  | 'column'
  | 'type'
  | 'nullability'
  | 'default'
  | 'serial'
  | 'identity'
  | 'computed'
  | 'comment'
  | 'primary-key'
  | 'foreign-key'
  | 'unique-constraint'
  | 'index'
  | 'check-constraint'
  | 'enum';

export interface SchemaDifference {
  kind: DifferenceKind;
  /** Qualified table name, or null for an enum. */
  table: string | null;
  /** The column, constraint, index or enum concerned; null when the whole table is. */
  object: string | null;
  /** `table`, `table.column`, `table.constraint-or-index`, or the enum's name. */
  subject: string;
  /** What the expected schema has, as text; null when it lacks the element. */
  expected: string | null;
  /** What the actual schema has, as text; null when it lacks the element. */
  actual: string | null;
  /** One line, e.g. `column users.email: type is text, expected character varying(200)`. */
  message: string;
}

export function compareSchemas(expected: Schema, actual: Schema): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  compareEnums(expected.enums, actual.enums, out);
  const actualTables = byKey(actual.tables, qualifiedName);
  const expectedTables = byKey(expected.tables, qualifiedName);
  for (const table of expected.tables) {
    const other = actualTables.get(qualifiedName(table));
    if (other) compareTables(table, other, out);
    else out.push(diff('table', qualifiedName(table), null, 'present', null, `table ${qualifiedName(table)}: missing`));
  }
  for (const table of actual.tables) {
    if (!expectedTables.has(qualifiedName(table))) {
      out.push(diff('table', qualifiedName(table), null, null, 'present', `table ${qualifiedName(table)}: not expected`));
    }
  }
  return out;
}

/**
 * One line per table present on both sides whose shared columns are in another order, e.g.
 * `table users: columns are in the order id, name, email, expected id, email, name`.
 */
export function columnOrderNotes(expected: Schema, actual: Schema): string[] {
  const actualTables = byKey(actual.tables, qualifiedName);
  return expected.tables.flatMap((table) => {
    const other = actualTables.get(qualifiedName(table));
    if (!other) return [];
    const shared = (columns: Column[], others: Column[]) => {
      const names = new Set(others.map((c) => c.name));
      return columns.filter((c) => names.has(c.name)).map((c) => c.name);
    };
    const expectedOrder = shared(table.columns, other.columns).join(', ');
    const actualOrder = shared(other.columns, table.columns).join(', ');
    return expectedOrder === actualOrder ? [] : [`table ${qualifiedName(table)}: columns are in the order ${actualOrder}, expected ${expectedOrder}`];
  });
}

/** The differences as lines of text, for reports and test failure messages. */
export function formatDifferences(differences: SchemaDifference[]): string {
  return differences.map((d) => d.message).join('\n');
}

function diff(
  kind: DifferenceKind,
  table: string | null,
  object: string | null,
  expected: string | null,
  actual: string | null,
  message: string,
): SchemaDifference {
  const subject = [table, object].filter((x) => x !== null).join('.');
  return { kind, table, object, subject, expected, actual, message };
}

function byKey<T>(items: T[], key: (item: T) => string): Map<string, T> {
  return new Map(items.map((i) => [key(i), i]));
}

// ---------------------------------------------------------------------------------------
// Enums

function enumName(e: EnumType): string {
  return qualifiedName(e);
}

function compareEnums(expected: EnumType[], actual: EnumType[], out: SchemaDifference[]): void {
  const actualByName = byKey(actual, enumName);
  const expectedByName = byKey(expected, enumName);
  for (const e of expected) {
    const other = actualByName.get(enumName(e));
    const labels = e.labels.join(', ');
    if (!other) {
      out.push(diff('enum', null, enumName(e), labels, null, `enum ${enumName(e)}: missing (expected labels ${labels})`));
    } else if (other.labels.join('\u0000') !== e.labels.join('\u0000')) {
      const otherLabels = other.labels.join(', ');
      out.push(diff('enum', null, enumName(e), labels, otherLabels, `enum ${enumName(e)}: labels are ${otherLabels}, expected ${labels}`));
    }
  }
  for (const e of actual) {
    if (!expectedByName.has(enumName(e))) {
      const labels = e.labels.join(', ');
      out.push(diff('enum', null, enumName(e), null, labels, `enum ${enumName(e)}: not expected (labels ${labels})`));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Tables and columns

function compareTables(expected: Table, actual: Table, out: SchemaDifference[]): void {
  const t = qualifiedName(expected);
  if (expected.comment !== actual.comment) {
    out.push(diff('comment', t, null, expected.comment, actual.comment, `table ${t}: comment is ${show(actual.comment)}, expected ${show(expected.comment)}`));
  }
  compareColumns(t, expected.columns, actual.columns, out);
  comparePrimaryKeys(t, expected.primaryKey, actual.primaryKey, out);
  compareNamed(t, 'foreign-key', 'foreign key', expected.foreignKeys, actual.foreignKeys, describeForeignKey, out);
  compareNamed(t, 'unique-constraint', 'unique constraint', expected.uniqueConstraints, actual.uniqueConstraints, describeUnique, out);
  compareNamed(t, 'index', 'index', expected.indexes, actual.indexes, describeIndex, out);
  compareNamed(t, 'check-constraint', 'check constraint', expected.checkConstraints, actual.checkConstraints, describeCheck, out);
}

function compareColumns(t: string, expected: Column[], actual: Column[], out: SchemaDifference[]): void {
  const actualByName = byKey(actual, (c) => c.name);
  const expectedByName = byKey(expected, (c) => c.name);
  for (const column of expected) {
    const other = actualByName.get(column.name);
    if (other) compareColumn(`${t}.${column.name}`, t, column, other, out);
    else out.push(diff('column', t, column.name, describeColumn(column), null, `column ${t}.${column.name}: missing (expected ${describeColumn(column)})`));
  }
  for (const column of actual) {
    if (!expectedByName.has(column.name)) {
      out.push(diff('column', t, column.name, null, describeColumn(column), `column ${t}.${column.name}: not expected (${describeColumn(column)})`));
    }
  }
}

function compareColumn(where: string, t: string, e: Column, a: Column, out: SchemaDifference[]): void {
  const add = (kind: DifferenceKind, expected: string | null, actual: string | null, what: string): void => {
    out.push(diff(kind, t, e.name, expected, actual, `column ${where}: ${what} is ${show(actual)}, expected ${show(expected)}`));
  };
  if (formatType(e.type) !== formatType(a.type)) add('type', formatType(e.type), formatType(a.type), 'type');
  if (e.nullable !== a.nullable) add('nullability', nullability(e), nullability(a), 'nullability');
  if (e.serial !== a.serial) add('serial', String(e.serial), String(a.serial), 'serial');
  if (comparableDefault(e) !== comparableDefault(a)) add('default', e.serverDefault, a.serverDefault, 'server default');
  if (describeIdentity(e) !== describeIdentity(a)) add('identity', describeIdentity(e), describeIdentity(a), 'identity');
  if (describeComputed(e) !== describeComputed(a)) add('computed', e.computed && describeComputedRaw(e), a.computed && describeComputedRaw(a), 'generated expression');
  if (e.comment !== a.comment) add('comment', e.comment, a.comment, 'comment');
}

const BOOLEAN_SPELLINGS: Record<string, string> = {
  true: 'TRUE', t: 'TRUE', yes: 'TRUE', y: 'TRUE', on: 'TRUE', '1': 'TRUE',
  false: 'FALSE', f: 'FALSE', no: 'FALSE', n: 'FALSE', off: 'FALSE', '0': 'FALSE',
};

/**
 * The default in canonical form. A boolean column's `'0'`, `'t'`, `'off'`… are stored by
 * PostgreSQL as `false`/`true`, so they are compared as such.
 */
function comparableDefault(c: Column): string | null {
  const sql = normalizeDefault(c.serverDefault);
  if (sql === null || c.type.name !== 'boolean' || c.type.arrayDimensions > 0) return sql;
  return BOOLEAN_SPELLINGS[sql.replace(/^'(.*)'$/, '$1').toLowerCase()] ?? sql;
}

function nullability(c: Column): string {
  return c.nullable ? 'NULL' : 'NOT NULL';
}

function describeIdentity(c: Column): string | null {
  if (!c.identity) return null;
  return `GENERATED ${c.identity.always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY (START ${c.identity.start ?? 1} INCREMENT ${c.identity.increment ?? 1})`;
}

function describeComputed(c: Column): string | null {
  return c.computed && `${normalizeCheck(c.computed.expression)}|${c.computed.persisted}`;
}

function describeComputedRaw(c: Column): string {
  return `GENERATED ALWAYS AS (${c.computed!.expression})${c.computed!.persisted ? ' STORED' : ''}`;
}

function describeColumn(c: Column): string {
  const parts = [formatType(c.type)];
  if (c.serial) parts.push('serial');
  parts.push(nullability(c));
  if (c.serverDefault !== null) parts.push(`DEFAULT ${c.serverDefault}`);
  const identity = describeIdentity(c);
  if (identity) parts.push(identity);
  if (c.computed) parts.push(describeComputedRaw(c));
  return parts.join(' ');
}

function show(value: string | null): string {
  return value === null ? 'none' : value;
}

// ---------------------------------------------------------------------------------------
// Keys, constraints, indexes

function comparePrimaryKeys(t: string, e: PrimaryKey | null, a: PrimaryKey | null, out: SchemaDifference[]): void {
  const describe = (pk: PrimaryKey | null): string | null => pk && `${pk.name} (${pk.columns.join(', ')})`;
  if (describe(e) !== describe(a)) {
    out.push(diff('primary-key', t, e?.name ?? a?.name ?? null, describe(e), describe(a), `table ${t}: primary key is ${show(describe(a))}, expected ${show(describe(e))}`));
  }
}

/** A constraint's or index's definition without its name, in canonical form. */
type Describe<T> = (item: T) => string;

function compareNamed<T extends { name: string }>(
  t: string,
  kind: DifferenceKind,
  noun: string,
  expected: T[],
  actual: T[],
  describe: Describe<T>,
  out: SchemaDifference[],
): void {
  const actualByName = byKey(actual, (x) => x.name);
  const expectedByName = byKey(expected, (x) => x.name);
  const missing: T[] = [];
  for (const e of expected) {
    const a = actualByName.get(e.name);
    if (!a) missing.push(e);
    else if (describe(e) !== describe(a)) {
      out.push(diff(kind, t, e.name, describe(e), describe(a), `${noun} ${e.name} on ${t}: is ${describe(a)}, expected ${describe(e)}`));
    }
  }
  const unexpected = actual.filter((a) => !expectedByName.has(a.name));
  for (const e of missing) {
    const twin = unexpected.findIndex((a) => describe(a) === describe(e));
    if (twin >= 0) {
      const [a] = unexpected.splice(twin, 1);
      out.push(diff(kind, t, e.name, e.name, a!.name, `${noun} ${describe(e)} on ${t}: named ${a!.name}, expected ${e.name}`));
    } else {
      out.push(diff(kind, t, e.name, describe(e), null, `${noun} ${e.name} on ${t}: missing (expected ${describe(e)})`));
    }
  }
  for (const a of unexpected) {
    out.push(diff(kind, t, a.name, null, describe(a), `${noun} ${a.name} on ${t}: not expected (${describe(a)})`));
  }
}

function describeForeignKey(fk: ForeignKey): string {
  const target = qualifiedName({ schema: fk.referredSchema, name: fk.referredTable });
  return `(${fk.columns.join(', ')}) REFERENCES ${target} (${fk.referredColumns.join(', ')}) ON DELETE ${fk.onDelete ?? 'NO ACTION'} ON UPDATE ${fk.onUpdate ?? 'NO ACTION'}${fk.deferrable ? ` ${formatDeferral(fk.deferrable)}` : ''}`;
}

function describeUnique(u: UniqueConstraint): string {
  return `UNIQUE${u.nullsNotDistinct ? ' NULLS NOT DISTINCT' : ''} (${u.columns.join(', ')})${u.deferrable ? ` ${formatDeferral(u.deferrable)}` : ''}`;
}

function describeIndex(i: Index): string {
  const elements = i.elements
    .map((e) => ('column' in e ? `${e.column}${i.operatorClasses[e.column] ? ` ${i.operatorClasses[e.column]}` : ''}` : `(${normalizeCheck(e.expression)})`))
    .join(', ');
  const parts = [`${i.unique ? 'UNIQUE ' : ''}USING ${i.using ?? 'btree'} (${elements})`];
  if (i.include.length > 0) parts.push(`INCLUDE (${i.include.join(', ')})`);
  if (i.nullsNotDistinct) parts.push('NULLS NOT DISTINCT');
  if (i.where !== null) parts.push(`WHERE ${normalizeCheck(i.where)}`);
  return parts.join(' ');
}

function describeCheck(c: CheckConstraint): string {
  return `CHECK (${normalizeCheck(c.expression)})`;
}

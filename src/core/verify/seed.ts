/**
 * Realistic rows for every table of a schema, planned without a database: the round trip
 * inserts them before the upgrade and checks them after every step.
 *
 * The rows are foreign-key consistent (parents first; a cycle is broken by inserting a
 * nullable reference as NULL and setting it afterwards), type-valid for every column type,
 * unique where a primary key, unique constraint or unique index asks for it, inside the
 * literal sets and bounds of simple CHECK constraints (the head's too), and NULL in some
 * rows of every nullable column. A seeded PRNG makes the same schema give the same rows
 * every run.
 *
 * What PostgreSQL alone can judge (a CHECK comparing two columns) it judges: seed-search.ts
 * fits rows it rejects, with this planner's `seedSession` and its `variations` of a row.
 */
import { qualifiedName, type CheckConstraint, type Column, type ColumnType, type Schema, type Table } from '../schema/model.js';
import { qualify, quoteIdent } from '../plan/sql-quote.js';

export interface SeedOptions {
  /** Rows planned per table before uniqueness trims them (default 6). */
  rowsPerTable?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /**
   * `table.column` → the type the migration converts it to: its values are chosen to be
   * valid in both types (text that casts to an integer), as the data of a team planning
   * that conversion would be. A migration that casts a column the plan does not convert
   * still meets ordinary values, and fails on them as it would in production.
   */
  convertedTo?: Record<string, ColumnType>;
  /** Enum name → labels the migration removes: rows holding them must be migrated first, so none are seeded. */
  removedLabels?: Record<string, string[]>;
  /**
   * Table → column sets the migration makes unique: kept unique here too, a NULL counting as
   * a value (a backfill turns every NULL into the same one).
   */
  uniqueAfter?: Record<string, string[][]>;
  /**
   * Table → the head's CHECKs, spelled in the base's column names: rows fit them too, so the
   * upgrade adding or tightening one meets data it accepts (seed-search.ts judges them).
   */
  checksAfter?: Record<string, CheckConstraint[]>;
  /** Tables a person says hold no rows (`--assume-empty`): left empty, as the migration expects them. */
  empty?: string[];
}

/** A value as PostgreSQL's text input accepts it, or null for SQL NULL. */
export type SeedValue = string | null;

export interface SeededTable {
  /** Qualified name. */
  table: string;
  /** The columns given a value, in insert order. */
  columns: string[];
  /** One value per column of `columns`, as inserted (cycle-breaking NULLs show their final value). */
  rows: SeedValue[][];
}

/** One statement with `$n` parameters, every parameter passed as text. */
export interface SeedStatement {
  sql: string;
  params: SeedValue[];
}

export interface SeedNote {
  table: string;
  message: string;
}

export interface SeedPlan {
  tables: SeededTable[];
  /** Run in order, in one transaction. */
  statements: SeedStatement[];
  /** Tables left empty or columns left to their defaults, and why. */
  notes: SeedNote[];
}

const DEFAULT_ROWS = 6;
/** Every third row leaves nullable columns NULL. */
const NULL_EVERY = 3;

export function planSeed(schema: Schema, options: SeedOptions = {}): SeedPlan {
  const session = seedSession(schema, options);
  const statements: SeedStatement[] = [];
  for (const table of session.order) {
    const planned = session.plan(table);
    session.record(planned);
    if (planned.rows.length) statements.push(insertStatement(table, planned));
  }
  statements.push(...session.deferredUpdates().flatMap((u) => u.statements), ...session.sequenceResets());
  return { tables: session.tables(), statements, notes: session.notes };
}

/**
 * The planner table by table, for a seeder that lets PostgreSQL judge each table's rows:
 * a table is planned from the rows its parents were actually given (`record`), and a row
 * PostgreSQL rejects gets `variations` to try instead.
 */
export interface SeedSession {
  /** Parents before children. */
  order: Table[];
  /** Tables left empty or columns left to their defaults, and why. */
  notes: SeedNote[];
  /** The rows planned for `table`, pointing at the recorded rows of its parents. */
  plan(table: Table): SeededTable;
  /** The rows `table` holds now: what its children point at. */
  record(rows: SeededTable): void;
  /** Every table as recorded, in insert order. */
  tables(): SeededTable[];
  /** The UPDATEs that set cycle-breaking foreign keys, per key; run once every table has its rows. */
  deferredUpdates(): { table: string; foreignKey: string; statements: SeedStatement[] }[];
  sequenceResets(): SeedStatement[];
  /** The columns a rejection names: a CHECK's, a unique set's, a foreign key's, or the NOT NULL column. */
  rejectedColumns(table: Table, rejection: Rejection): string[];
  /**
   * Rows like `row` (the `index`th of its table) with other values in `columns`: earlier and
   * later values of ordered types, the literals of the table's CHECKs, other parent rows for
   * a foreign key, NULL where allowed. `inserted` are the table's rows so far (a
   * self-reference may point at them).
   */
  variations(table: Table, row: SeedValue[], index: number, columns: string[], inserted: SeedValue[][]): SeedValue[][];
  /** The changes that made `from` into `to` (a fitted row), made to `row`: the rows after a fitted one likely fit the same way. */
  replay(table: Table, from: SeedValue[], to: SeedValue[], row: SeedValue[]): SeedValue[];
  /** The CHECKs `table`'s rows satisfy: its own, then the head's (`head`), which the database cannot judge yet. */
  checks(table: Table): SeedCheck[];
  /** The unique sets the migration adds that `row` would repeat among `inserted` (the database cannot judge those yet). */
  repeatedUniqueAfter(table: Table, row: SeedValue[], inserted: SeedValue[][]): string[][];
}

export interface SeedCheck {
  name: string;
  expression: string;
  head: boolean;
}

/** What PostgreSQL rejected a row for. */
export interface Rejection {
  /** The constraint it names, or null. */
  constraint: string | null;
  /** The column it names (a NOT NULL violation), or null. */
  column: string | null;
}

export function seedSession(schema: Schema, options: SeedOptions = {}): SeedSession {
  const rowsPerTable = options.rowsPerTable ?? DEFAULT_ROWS;
  const random = mulberry32(options.seed ?? 1);
  const notes: SeedNote[] = [];
  const hints: Hints = {
    convertedTo: options.convertedTo ?? {},
    removedLabels: options.removedLabels ?? {},
    uniqueAfter: options.uniqueAfter ?? {},
    checksAfter: options.checksAfter ?? {},
  };
  const { order, deferred, unseedable } = insertOrder(schema.tables, notes);
  for (const name of options.empty ?? []) {
    unseedable.add(name);
    notes.push({ table: name, message: 'left empty: the change assumes it holds no rows (--assume-empty)' });
  }
  const seeded = new Map<string, SeededTable>();
  return {
    order,
    notes,
    plan: (table) =>
      unseedable.has(qualifiedName(table)) ? emptyTable(table) : planTable(table, schema, seeded, deferred, rowsPerTable, random, notes, hints),
    record: (rows) => void seeded.set(rows.table, rows),
    tables: () => order.map((t) => seeded.get(qualifiedName(t)) ?? emptyTable(t)),
    deferredUpdates: () =>
      order.flatMap((table) =>
        table.foreignKeys
          .filter((fk) => deferred.has(deferredKey(table, fk.name)))
          .map((fk) => ({ table: qualifiedName(table), foreignKey: fk.name, statements: deferredUpdates(table, fk, seeded, notes) })),
      ),
    sequenceResets: () => sequenceResets(order, seeded),
    rejectedColumns,
    variations: (table, row, index, columns, inserted) =>
      variations(table, row, index, columns, inserted, { schema, seeded, rowsPerTable, random, hints }),
    replay: (table, from, to, row) => replay(table, from, to, row, hints),
    checks: (table) => seedChecks(table, hints),
    repeatedUniqueAfter: (table, row, inserted) => {
      const columns = seedColumns(table).map((c) => c.name);
      const tuple = (values: SeedValue[], set: string[]) => JSON.stringify(set.map((c) => values[columns.indexOf(c)] ?? null));
      return (hints.uniqueAfter[qualifiedName(table)] ?? []).filter((set) => inserted.some((other) => tuple(other, set) === tuple(row, set)));
    },
  };
}

/** A foreign key of `table` whose parent is inserted later: its columns start NULL. */
type DeferredKey = string;
const deferredKey = (table: Table, fkName: string): DeferredKey => `${qualifiedName(table)}\u0000${fkName}`;

/**
 * Parents before children. In a cycle, the nullable references of one table are deferred:
 * inserted NULL and set by UPDATE once every table has rows. A cycle of NOT NULL
 * references cannot be seeded: those tables stay empty.
 */
function insertOrder(
  tables: Table[],
  notes: SeedNote[],
): { order: Table[]; deferred: Set<DeferredKey>; unseedable: Set<string> } {
  const byName = new Map(tables.map((t) => [qualifiedName(t), t]));
  const order: Table[] = [];
  const placed = new Set<string>();
  const deferred = new Set<DeferredKey>();
  const unseedable = new Set<string>();
  const pending = [...tables];
  const waitsFor = (t: Table, fk: Table['foreignKeys'][number]) => {
    const parent = parentOf(fk);
    return parent !== qualifiedName(t) && byName.has(parent) && !placed.has(parent) && !deferred.has(deferredKey(t, fk.name));
  };
  while (pending.length) {
    const ready = pending.findIndex((t) => !t.foreignKeys.some((fk) => waitsFor(t, fk)));
    if (ready >= 0) {
      const [table] = pending.splice(ready, 1);
      order.push(table!);
      placed.add(qualifiedName(table!));
      continue;
    }
    const breakable = pending.find((t) => t.foreignKeys.some((fk) => waitsFor(t, fk) && fkNullable(t, fk.columns)));
    if (!breakable) {
      for (const t of pending) {
        notes.push({ table: qualifiedName(t), message: 'left empty: its NOT NULL foreign keys form a cycle' });
        unseedable.add(qualifiedName(t));
        order.push(t);
      }
      break;
    }
    for (const fk of breakable.foreignKeys) {
      if (waitsFor(breakable, fk) && fkNullable(breakable, fk.columns)) deferred.add(deferredKey(breakable, fk.name));
    }
  }
  return { order, deferred, unseedable };
}

function parentOf(fk: Table['foreignKeys'][number]): string {
  return qualifiedName({ schema: fk.referredSchema, name: fk.referredTable });
}

function fkNullable(table: Table, columns: string[]): boolean {
  return columns.every((c) => table.columns.find((col) => col.name === c)?.nullable ?? false);
}

function seedColumns(table: Table): Column[] {
  return table.columns.filter((c) => c.computed === null);
}

function emptyTable(table: Table): SeededTable {
  return { table: qualifiedName(table), columns: seedColumns(table).map((c) => c.name), rows: [] };
}

function planTable(
  table: Table,
  schema: Schema,
  seeded: Map<string, SeededTable>,
  deferred: Set<DeferredKey>,
  rowsPerTable: number,
  random: () => number,
  notes: SeedNote[],
  hints: Hints,
): SeededTable {
  const name = qualifiedName(table);
  const columns = seedColumns(table);
  const checks = seedChecks(table, hints).map((c) => c.expression);
  const unique = uniqueColumns(table);

  // The value of each foreign-key column per row. Keys vary in mixed radix, so two keys
  // together (an association table's primary key) give distinct pairs.
  const fkValues = new Map<string, (row: number) => SeedValue>();
  let radix = 1;
  for (const fk of table.foreignKeys) {
    if (fk.columns.some((c) => fkValues.has(c))) continue;
    const parentName = parentOf(fk);
    const nullable = fkNullable(table, fk.columns);
    if (parentName === name) {
      // Row i refers to row i-1; the first row to nothing, or to itself when it must.
      fk.columns.forEach((column, k) => {
        const referred = fk.referredColumns[k]!;
        fkValues.set(column, (row) => (row === 0 && nullable ? null : `@self:${referred}:${Math.max(row - 1, 0)}`));
      });
      continue;
    }
    const parent = seeded.get(parentName);
    if (deferred.has(deferredKey(table, fk.name)) || !parent?.rows.length) {
      if (!nullable) {
        notes.push({ table: name, message: `left empty: ${fk.name} needs a row in ${parentName}, which has none` });
        return emptyTable(table);
      }
      fk.columns.forEach((column) => fkValues.set(column, () => null));
      continue;
    }
    const parentRows = parent.rows;
    const stride = radix;
    radix *= parentRows.length;
    const someNull = nullable && !unique.has(fk.columns[0]!);
    fk.columns.forEach((column, k) => {
      const at = parent.columns.indexOf(fk.referredColumns[k]!);
      fkValues.set(column, (row) =>
        someNull && row % NULL_EVERY === NULL_EVERY - 1 ? null : (parentRows[Math.floor(row / stride) % parentRows.length]![at] ?? null),
      );
    });
  }

  const rows: SeedValue[][] = [];
  const seen = [
    ...uniqueSets(table).map((set) => ({ set, nullsEqual: false })),
    ...(hints.uniqueAfter[name] ?? []).map((set) => ({ set, nullsEqual: true })),
  ].map(({ set, nullsEqual }) => ({ at: set.map((c) => columns.findIndex((col) => col.name === c)), nullsEqual, tuples: new Set<string>() }));
  for (let row = 0; row < rowsPerTable; row++) {
    const planned = columns.map((column) => fkValues.get(column.name)?.(row) ?? (fkValues.has(column.name) ? null : columnValue(table, column, row, schema, checks, random, hints)));
    const values = planned.map((v) => resolveSelf(v, columns, rows, planned));
    const keys = seen.map(({ at, nullsEqual, tuples }) => {
      const tuple = at.map((i) => (i < 0 ? null : (values[i] ?? null)));
      return { tuples, key: !nullsEqual && tuple.some((v) => v === null) ? null : JSON.stringify(tuple) };
    });
    // A row repeating a unique tuple is left out rather than failing the insert.
    if (keys.some(({ tuples, key }) => key !== null && tuples.has(key))) continue;
    keys.forEach(({ tuples, key }) => key !== null && tuples.add(key));
    rows.push(values);
  }
  return { table: name, columns: columns.map((c) => c.name), rows };
}

/** `@self:column:row` placeholders, resolved once the referred row's values are known. */
function resolveSelf(value: SeedValue, columns: Column[], rows: SeedValue[][], current: SeedValue[]): SeedValue {
  if (value === null || !value.startsWith('@self:')) return value;
  const [, column, index] = value.split(':');
  const at = columns.findIndex((c) => c.name === column);
  const source = rows[Number(index)] ?? current;
  return source[at] ?? null;
}

/** Sets a deferred (cycle-breaking) foreign key on every row, by primary key, now that its parent has rows. */
function deferredUpdates(
  table: Table,
  fk: Table['foreignKeys'][number],
  seeded: Map<string, SeededTable>,
  notes: SeedNote[],
): SeedStatement[] {
  const child = seeded.get(qualifiedName(table))!;
  const parent = seeded.get(parentOf(fk));
  if (!child.rows.length || !parent?.rows.length) return [];
  const pk = table.primaryKey?.columns ?? [];
  if (!pk.length) {
    notes.push({ table: child.table, message: `${fk.name} left NULL: the table has no primary key to update rows by` });
    return [];
  }
  const unique = uniqueColumns(table).has(fk.columns[0]!);
  const out: SeedStatement[] = [];
  child.rows.forEach((row, i) => {
    if (unique && i >= parent.rows.length) return;
    const source = parent.rows[i % parent.rows.length]!;
    const values = fk.referredColumns.map((c) => source[parent.columns.indexOf(c)] ?? null);
    fk.columns.forEach((c, k) => (row[child.columns.indexOf(c)] = values[k]!));
    const params: SeedValue[] = [...values, ...pk.map((c) => row[child.columns.indexOf(c)] ?? null)];
    const set = fk.columns.map((c, k) => `${quoteIdent(c)} = $${k + 1}`).join(', ');
    const where = pk.map((c, k) => `${quoteIdent(c)} = $${fk.columns.length + k + 1}`).join(' AND ');
    out.push({ sql: `UPDATE ${qualify(table.schema, table.name)} SET ${set} WHERE ${where}`, params });
  });
  return out;
}

function seedChecks(table: Table, hints: Hints): SeedCheck[] {
  return [
    ...table.checkConstraints.map((c) => ({ name: c.name, expression: c.expression, head: false })),
    ...(hints.checksAfter[qualifiedName(table)] ?? []).map((c) => ({ name: c.name, expression: c.expression, head: true })),
  ];
}

function uniqueSets(table: Table): string[][] {
  const sets: string[][] = [];
  if (table.primaryKey) sets.push(table.primaryKey.columns);
  for (const u of table.uniqueConstraints) sets.push(u.columns);
  for (const i of table.indexes) {
    if (!i.unique) continue;
    const cols = i.elements.flatMap((e) => ('column' in e ? [e.column] : []));
    // An expression index cannot be checked here; its columns' own values are distinct anyway.
    if (cols.length === i.elements.length) sets.push(cols);
  }
  return sets;
}

function uniqueColumns(table: Table): Set<string> {
  return new Set(uniqueSets(table).filter((s) => s.length === 1).map((s) => s[0]!));
}

export function insertStatement(table: Table, seeded: SeededTable): SeedStatement {
  const overriding = table.columns.some((c) => c.identity?.always && c.computed === null);
  const params: SeedValue[] = [];
  const tuples = seeded.rows.map(
    (row) =>
      `(${row
        .map((value) => {
          params.push(value);
          return `$${params.length}`;
        })
        .join(', ')})`,
  );
  const columns = seeded.columns.map(quoteIdent).join(', ');
  return {
    sql: `INSERT INTO ${qualify(table.schema, table.name)} (${columns})${overriding ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES ${tuples.join(', ')}`,
    params,
  };
}

/** Explicit ids leave a serial's sequence at 1: move it past them, as real data would have. */
function sequenceResets(tables: Table[], seeded: Map<string, SeededTable>): SeedStatement[] {
  const out: SeedStatement[] = [];
  for (const table of tables) {
    if (!seeded.get(qualifiedName(table))?.rows.length) continue;
    for (const column of table.columns) {
      if (!column.serial && !column.identity) continue;
      const t = qualify(table.schema, table.name);
      out.push({
        sql: `SELECT setval(pg_get_serial_sequence($1, $2), (SELECT max(${quoteIdent(column.name)}) FROM ${t}))`,
        params: [t, column.name],
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Variations: rows to try instead of one PostgreSQL rejected

interface VariationContext {
  schema: Schema;
  seeded: Map<string, SeededTable>;
  rowsPerTable: number;
  random: () => number;
  hints: Hints;
}

/** How far an ordered value moves, both ways: days for dates and timestamps, hours for times, units for numbers. */
const STEPS = [1, 2, 7, 30, 365];
/** Values of the planned rows after this one, for the types without an order to step along. */
const LATER_ROWS = 3;

function rejectedColumns(table: Table, rejection: Rejection): string[] {
  const names = seedColumns(table).map((c) => c.name);
  if (rejection.column !== null) return names.includes(rejection.column) ? [rejection.column] : [];
  const name = rejection.constraint;
  const check = table.checkConstraints.find((c) => c.name === name);
  if (check) return namedIn(check.expression, names);
  const fk = table.foreignKeys.find((f) => f.name === name);
  if (fk) return fk.columns;
  if (table.primaryKey?.name === name) return table.primaryKey.columns;
  const unique = table.uniqueConstraints.find((u) => u.name === name);
  if (unique) return unique.columns;
  const index = table.indexes.find((i) => i.name === name);
  return index?.elements.flatMap((e) => ('column' in e ? [e.column] : namedIn(e.expression, names))) ?? [];
}

/**
 * The conditions a CHECK ANDs together, each on its own (`a < b AND b < c` gives `a < b` and
 * `b < c`: the CHECK holds when none is false), so a row's progress towards satisfying it
 * shows. A BETWEEN's AND stays; an expression with an OR at its top is one condition.
 */
export function checkConditions(expression: string): string[] {
  let text = expression.trim();
  while (text.startsWith('(') && closingParen(text, 0) === text.length - 1) text = text.slice(1, -1).trim();
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let betweens = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') i = closingQuote(text, i);
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && /\w/.test(ch) && !/\w/.test(text[i - 1] ?? ' ')) {
      const word = /^\w+/.exec(text.slice(i))![0];
      const keyword = word.toUpperCase();
      if (keyword === 'OR') return [text];
      if (keyword === 'BETWEEN') betweens++;
      if (keyword === 'AND' && betweens > 0) betweens--;
      else if (keyword === 'AND') {
        parts.push(text.slice(start, i));
        start = i + word.length;
      }
      i += word.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts.length === 1 ? [text] : parts.flatMap((part) => checkConditions(part));
}

function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') i = closingQuote(text, i);
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Where the quoted literal or name opened at `open` ends (a doubled quote stays inside). */
function closingQuote(text: string, open: number): number {
  const quote = text[open]!;
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] !== quote) continue;
    if (text[i + 1] === quote) i++;
    else return i;
  }
  return text.length;
}

/** The columns an expression names. */
export function namedIn(expression: string, columns: string[]): string[] {
  return columns.filter((c) => new RegExp(IDENT(c)).test(expression));
}


/** Each variation changes one column, or the columns of one foreign key together. */
function variations(
  table: Table,
  row: SeedValue[],
  index: number,
  names: string[],
  inserted: SeedValue[][],
  ctx: VariationContext,
): SeedValue[][] {
  const columns = seedColumns(table);
  const checks = seedChecks(table, ctx.hints).map((c) => c.expression);
  const varied = new Set(names.map((n) => columns.findIndex((c) => c.name === n)).filter((i) => i >= 0));
  const patches: Map<number, SeedValue>[] = [];
  const viaKeys = new Set<number>();
  for (const fk of table.foreignKeys) {
    const at = fk.columns.map((c) => columns.findIndex((col) => col.name === c));
    if (at.some((i) => i < 0) || !at.some((i) => varied.has(i))) continue;
    at.forEach((i) => viaKeys.add(i));
    const parent =
      parentOf(fk) === qualifiedName(table) ? { columns: columns.map((c) => c.name), rows: [...inserted, row] } : ctx.seeded.get(parentOf(fk));
    for (const source of parent?.rows ?? []) {
      patches.push(new Map(at.map((i, k) => [i, source[parent!.columns.indexOf(fk.referredColumns[k]!)] ?? null])));
    }
    if (fkNullable(table, fk.columns)) patches.push(new Map(at.map((i) => [i, null])));
  }
  const others = [...varied].filter((i) => !viaKeys.has(i));
  const typeOf = (column: Column) => valueType(column, ctx.hints.convertedTo[`${qualifiedName(table)}.${column.name}`]);
  for (const step of STEPS) {
    for (const i of others) {
      for (const delta of [step, -step]) {
        const moved = stepped(row[i] ?? null, typeOf(columns[i]!), delta, numericBounds(columns[i]!.name, checks));
        if (moved !== null) patches.push(new Map([[i, moved]]));
      }
    }
  }
  for (const i of others) for (const value of literalsFor(columns[i]!, typeOf(columns[i]!), checks, ctx)) patches.push(new Map([[i, value]]));
  for (let later = 1; later <= LATER_ROWS; later++) {
    for (const i of others) {
      const value = presentValue(table, columns[i]!, index + later * ctx.rowsPerTable, ctx.schema, checks, ctx.random, ctx.hints);
      if (value !== null) patches.push(new Map([[i, value]]));
    }
  }
  // NULL passes every CHECK.
  for (const i of others) if (columns[i]!.nullable) patches.push(new Map([[i, null]]));
  return patches.map((patch) => row.map((value, i) => (patch.has(i) ? patch.get(i)! : value)));
}

const NUMBER_TYPES = new Set(['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision']);

/** `value` moved by `delta` along its type's order, or null when the type has none here (or the move leaves the bounds). */
function stepped(value: SeedValue, type: ColumnType, delta: number, bounds: Bounds): SeedValue {
  const position = ordinal(value, type);
  if (position === null) return null;
  const moved = position + delta;
  if (NUMBER_TYPES.has(type.name) && ((bounds.min !== null && moved < bounds.min) || (bounds.max !== null && moved > bounds.max))) return null;
  return fromOrdinal(moved, type, value!);
}

const DAY_MS = 86_400_000;

/** Where a value stands on its type's order, in the unit `STEPS` counts: units, days or hours; null for other types. */
function ordinal(value: SeedValue, type: ColumnType): number | null {
  if (value === null || type.arrayDimensions > 0 || type.isEnum) return null;
  if (NUMBER_TYPES.has(type.name)) return Number.isFinite(Number(value)) ? Number(value) : null;
  if (type.name === 'date' || type.name.startsWith('timestamp')) {
    const time = Date.parse(`${value.replace(' ', 'T').replace(/\+00$/, '')}${value.length > 10 ? 'Z' : 'T00:00:00Z'}`);
    return Number.isNaN(time) ? null : time / DAY_MS;
  }
  if (type.name.startsWith('time')) {
    const [h, m, s] = value.replace(/\+00$/, '').split(':').map(Number);
    return [h, m, s].some((n) => n === undefined || Number.isNaN(n)) ? null : h! + m! / 60 + s! / 3600;
  }
  return null;
}

/** The value at `position` on the type's order, spelled as `like` is (its decimals, its zone). */
function fromOrdinal(position: number, type: ColumnType, like: string): string {
  if (NUMBER_TYPES.has(type.name)) return position.toFixed(like.split('.')[1]?.length ?? 0);
  const zone = type.name.endsWith('with time zone') ? '+00' : '';
  if (type.name === 'date' || type.name.startsWith('timestamp')) {
    const iso = new Date(Math.round(position * DAY_MS)).toISOString();
    return type.name === 'date' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}${zone}`;
  }
  const seconds = ((Math.round(position * 3600) % 86_400) + 86_400) % 86_400;
  const part = (n: number) => String(n).padStart(2, '0');
  return `${part(Math.floor(seconds / 3600))}:${part(Math.floor((seconds % 3600) / 60))}:${part(seconds % 60)}${zone}`;
}

/**
 * The changes that made `from` into `to`, made to `row`: an ordered value moves by as much,
 * any other takes `to`'s value.
 */
function replay(table: Table, from: SeedValue[], to: SeedValue[], row: SeedValue[], hints: Hints): SeedValue[] {
  const columns = seedColumns(table);
  const checks = seedChecks(table, hints).map((c) => c.expression);
  return row.map((value, i) => {
    if (from[i] === to[i]) return value;
    const column = columns[i]!;
    const type = valueType(column, hints.convertedTo[`${qualifiedName(table)}.${column.name}`]);
    const [before, after] = [ordinal(from[i] ?? null, type), ordinal(to[i] ?? null, type)];
    const moved = before === null || after === null ? null : stepped(value, type, after - before, numericBounds(column.name, checks));
    return moved ?? to[i] ?? null;
  });
}

/** The values a CHECK spells out for a column's type: its literal sets, its numbers and their neighbours, its strings. */
function literalsFor(column: Column, type: ColumnType, checks: string[], ctx: VariationContext): string[] {
  if (type.arrayDimensions > 0) return [];
  const named = checks.filter((c) => namedIn(c, [column.name]).length);
  const out = new Set(allowedLiterals(column.name, named) ?? []);
  if (type.isEnum) {
    const removed = new Set(ctx.hints.removedLabels[type.name] ?? []);
    for (const label of ctx.schema.enums.find((e) => e.name === type.name)?.labels ?? []) if (!removed.has(label)) out.add(label);
  } else if (type.name === 'boolean') {
    out.add('true').add('false');
  } else if (NUMBER_TYPES.has(type.name)) {
    const bounds = numericBounds(column.name, checks);
    for (const check of named) {
      for (const [number] of check.replace(/'(?:[^']|'')*'/g, '').matchAll(/(?<![\w.$])-?\d+(?:\.\d+)?/g)) {
        for (const delta of [0, 1, -1]) {
          const value = Number(number) + delta;
          if ((bounds.min === null || value >= bounds.min) && (bounds.max === null || value <= bounds.max)) out.add(String(value));
        }
      }
    }
  } else {
    for (const check of named) for (const literal of literals(check)) out.add(literal);
  }
  return [...out];
}

// ---------------------------------------------------------------------------------------
// Values

const FIRST_NAMES = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Dennis', 'Frances', 'Ken', 'Radia'];
const WORDS = ['alpha', 'bravo', 'delta', 'echo', 'harbor', 'maple', 'orbit', 'pixel', 'quartz', 'river', 'solar', 'tango'];

interface Hints {
  convertedTo: Record<string, ColumnType>;
  removedLabels: Record<string, string[]>;
  uniqueAfter: Record<string, string[][]>;
  checksAfter: Record<string, CheckConstraint[]>;
}

const TEXT_TYPES = new Set(['text', 'character varying', 'character', 'citext', 'name']);

function columnValue(
  table: Table,
  column: Column,
  row: number,
  schema: Schema,
  checks: string[],
  random: () => number,
  hints: Hints,
): SeedValue {
  if (column.nullable && row % NULL_EVERY === NULL_EVERY - 1 && !isInPrimaryKey(table, column)) return null;
  return presentValue(table, column, row, schema, checks, random, hints);
}

/** The value `columnValue` gives a column in a row where it is not NULL. */
function presentValue(
  table: Table,
  column: Column,
  row: number,
  schema: Schema,
  checks: string[],
  random: () => number,
  hints: Hints,
): SeedValue {
  const allowed = allowedLiterals(column.name, checks);
  if (allowed?.length) return allowed[row % allowed.length]!;
  const bounds = numericBounds(column.name, checks);
  const scalar = { ...valueType(column, hints.convertedTo[`${qualifiedName(table)}.${column.name}`]), arrayDimensions: 0 };
  const removed = new Set(hints.removedLabels[scalar.name] ?? []);
  const labels = scalar.isEnum ? (schema.enums.find((e) => e.name === scalar.name)?.labels ?? []).filter((l) => !removed.has(l)) : [];
  const pick = (r: number): SeedValue =>
    scalar.isEnum ? (labels.length ? labels[r % labels.length]! : null) : scalarValue(column.name, scalar, r, schema, bounds, random);
  const value = pick(row);
  if (value === null || column.type.arrayDimensions === 0) return value;
  return arrayLiteral([value, pick(row + 1) ?? value], column.type.arrayDimensions);
}

/**
 * The type whose values the column gets: its own, or — when text is converted to another
 * type — the target's, kept within the text's length, so the value is valid in both.
 */
function valueType(column: Column, target: ColumnType | undefined): ColumnType {
  if (!target || !TEXT_TYPES.has(column.type.name) || TEXT_TYPES.has(target.name)) return column.type;
  return { ...target, length: column.type.length ?? target.length, arrayDimensions: column.type.arrayDimensions };
}

function isInPrimaryKey(table: Table, column: Column): boolean {
  return table.primaryKey?.columns.includes(column.name) ?? false;
}

function arrayLiteral(elements: string[], dimensions: number): string {
  const quoted = elements.map((e) => `"${e.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',');
  let literal = `{${quoted}}`;
  for (let d = 1; d < dimensions; d++) literal = `{${literal}}`;
  return literal;
}

interface Bounds {
  min: number | null;
  max: number | null;
}

/**
 * A value of a scalar type for row `row`: distinct per row for every type with more than
 * a handful of values, so unique constraints hold without knowing which columns they cover.
 */
export function scalarValue(
  columnName: string,
  type: ColumnType,
  row: number,
  schema: Schema,
  bounds: Bounds = { min: null, max: null },
  random: () => number = mulberry32(row + 1),
): SeedValue {
  const n = row + 1;
  if (type.isEnum) {
    const labels = schema.enums.find((e) => e.name === type.name)?.labels ?? [];
    return labels.length ? labels[row % labels.length]! : null;
  }
  switch (type.name) {
    case 'smallint':
    case 'integer':
    case 'bigint':
      return String(boundedInteger(n, bounds));
    case 'numeric': {
      const scale = type.scale ?? 2;
      const precision = type.precision ?? 12;
      const intDigits = Math.max(precision - scale, 0);
      const whole = intDigits === 0 ? 0 : boundedInteger(n, bounds) % 10 ** Math.min(intDigits, 9);
      const fraction = scale > 0 ? `.${String(Math.floor(random() * 10 ** Math.min(scale, 6))).padStart(Math.min(scale, 6), '0')}` : '';
      return `${whole}${fraction}`;
    }
    case 'real':
    case 'double precision':
      // Halves and quarters are exact in binary floating point, so values survive a round trip.
      return String(boundedInteger(n, bounds) + [0, 0.5, 0.25, 0.75][row % 4]!);
    case 'money':
      return `${n}.${String(row % 100).padStart(2, '0')}`;
    case 'boolean':
      return row % 2 === 0 ? 'true' : 'false';
    case 'text':
    case 'character varying':
    case 'character':
    case 'citext':
    case 'name':
      return textValue(columnName, n, type.length ?? (type.name === 'character' ? 1 : null));
    case 'uuid':
      return uuid(random);
    case 'date':
      return isoDate(row).slice(0, 10);
    case 'timestamp without time zone':
      return `${isoDate(row).slice(0, 10)} ${isoTime(row)}`;
    case 'timestamp with time zone':
      return `${isoDate(row).slice(0, 10)} ${isoTime(row)}+00`;
    case 'time without time zone':
      return isoTime(row);
    case 'time with time zone':
      return `${isoTime(row)}+00`;
    case 'interval':
      return `${n} days ${row % 24} hours`;
    case 'json':
    case 'jsonb':
      return JSON.stringify({ id: n, label: WORDS[row % WORDS.length], tags: [WORDS[(row + 3) % WORDS.length]] });
    case 'bytea':
      return `\\x${Buffer.from(`row-${n}`).toString('hex')}`;
    case 'bit':
      return (n.toString(2).padStart(type.length ?? 1, '0')).slice(-(type.length ?? 1));
    case 'bit varying':
      return n.toString(2);
    case 'inet':
      return `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}`;
    case 'cidr':
      return `10.${n % 250}.0.0/16`;
    case 'macaddr':
      return `08:00:2b:01:02:${(n % 256).toString(16).padStart(2, '0')}`;
    case 'xml':
      return `<item id="${n}"/>`;
    case 'tsvector':
      return `${WORDS[row % WORDS.length]} ${WORDS[(row + 1) % WORDS.length]}`;
    case 'point':
      return `(${n},${n * 2})`;
    case 'int4range':
    case 'int8range':
      return `[${n},${n + 10})`;
    case 'daterange':
      return `[${isoDate(row).slice(0, 10)},${isoDate(row + 30).slice(0, 10)})`;
    case 'tstzrange':
      return `[${isoDate(row).slice(0, 10)} 00:00+00,${isoDate(row + 1).slice(0, 10)} 00:00+00)`;
    default:
      return null;
  }
}

function boundedInteger(n: number, bounds: Bounds): number {
  const low = bounds.min ?? 1;
  const value = low <= 0 && bounds.min === null ? n : low + n - 1;
  if (bounds.max !== null && value > bounds.max) return Math.max(low, bounds.max - ((n - 1) % Math.max(bounds.max - low + 1, 1)));
  return value;
}

/** Words fitting the column's name (emails look like emails), distinct per row, within `length`. */
function textValue(columnName: string, n: number, length: number | null): string {
  const lower = columnName.toLowerCase();
  const first = FIRST_NAMES[(n - 1) % FIRST_NAMES.length]!;
  let value: string;
  if (lower.includes('email')) value = `${first.toLowerCase()}${n}@example.com`;
  else if (lower.includes('url') || lower.includes('website') || lower.includes('link')) value = `https://example.com/${n}`;
  else if (lower === 'name' || lower.endsWith('_name') || lower.includes('title')) value = `${first} ${WORDS[(n - 1) % WORDS.length]} ${n}`;
  else if (lower.includes('slug') || lower.includes('code') || lower.includes('key')) value = `${WORDS[(n - 1) % WORDS.length]}-${n}`;
  else value = `${WORDS[(n - 1) % WORDS.length]} ${n}`;
  if (length === null || value.length <= length) return value;
  // Too long: the row number alone (base 36) stays distinct and short.
  const short = n.toString(36);
  return short.length <= length ? short : short.slice(-length);
}

function isoDate(row: number): string {
  return new Date(Date.UTC(2024, 0, 15) + row * 86_400_000 * 37).toISOString();
}

function isoTime(row: number): string {
  const seconds = (9 * 3600 + row * 4111) % 86_400;
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}`;
}

function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4)]!;
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

// ---------------------------------------------------------------------------------------
// CHECK constraints: the common one-column shapes, as models and the catalog spell them.

const IDENT = (name: string) => `(?:"${escapeRegex(name)}"|\\b${escapeRegex(name)}\\b)`;

/** `col IN ('a', 'b')`, `col = ANY (ARRAY['a'::text, ...])`, `col = 'a' OR col = 'b'`. */
export function allowedLiterals(column: string, checks: string[]): string[] | null {
  const sets = checks.flatMap((check) => {
    const id = IDENT(column);
    const list = new RegExp(`${id}\\)?(?:::[\\w ]+)?\\)?\\s*(?:IN\\s*\\(|=\\s*ANY\\s*\\(\\s*\\(?\\s*ARRAY\\s*\\[)([^\\]\\)]*)`, 'i').exec(check);
    if (list) return [literals(list[1]!)];
    const equals = [...check.matchAll(new RegExp(`${id}\\)?(?:::[\\w ]+)?\\)?\\s*=\\s*'((?:[^']|'')*)'`, 'gi'))];
    return equals.length && /\bOR\b/i.test(check) ? [equals.map((m) => m[1]!.replaceAll("''", "'"))] : [];
  });
  if (!sets.length) return null;
  // Every set at once (the base's and the head's); where none is common, the first (the base's) alone.
  const common = sets[0]!.filter((value) => sets.every((set) => set.includes(value)));
  return common.length ? common : sets[0]!;
}

function literals(text: string): string[] {
  return [...text.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replaceAll("''", "'"));
}

/** `col > 0`, `col >= 1`, `col < 100`, `col BETWEEN 1 AND 5` (numbers only). */
export function numericBounds(column: string, checks: string[]): Bounds {
  const bounds: Bounds = { min: null, max: null };
  const id = IDENT(column);
  for (const check of checks) {
    for (const m of check.matchAll(new RegExp(`${id}\\)?(?:::[\\w ]+)?\\s*(>=|>|<=|<)\\s*\\(?(-?\\d+(?:\\.\\d+)?)`, 'gi'))) {
      const value = Number(m[2]);
      if (m[1] === '>') bounds.min = Math.max(bounds.min ?? -Infinity, Math.floor(value) + 1);
      if (m[1] === '>=') bounds.min = Math.max(bounds.min ?? -Infinity, Math.ceil(value));
      if (m[1] === '<') bounds.max = Math.min(bounds.max ?? Infinity, Math.ceil(value) - 1);
      if (m[1] === '<=') bounds.max = Math.min(bounds.max ?? Infinity, Math.floor(value));
    }
    const between = new RegExp(`${id}\\s+BETWEEN\\s+(-?\\d+)\\s+AND\\s+(-?\\d+)`, 'i').exec(check);
    if (between) {
      bounds.min = Math.max(bounds.min ?? -Infinity, Number(between[1]));
      bounds.max = Math.min(bounds.max ?? Infinity, Number(between[2]));
    }
  }
  return bounds;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same rows on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

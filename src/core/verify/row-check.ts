/**
 * Checks seeded rows across a migration step: kept columns keep their values, renamed
 * columns carry them, backfills hold, and nothing is lost except what a person consented
 * to drop.
 *
 * Rows are compared as PostgreSQL's own text output (`column::text`) of a snapshot taken
 * right after seeding, so the check never has to predict how the server prints a value.
 */
import type pg from 'pg';
import type { Operation, Plan } from '../plan/types.js';
import { qualify, quoteIdent, typeSql } from '../plan/sql-quote.js';
import { qualifiedName, type Column, type ColumnType, type Schema, type Table } from '../schema/model.js';
import { batchSize } from './runners.js';

/** The rows of one table; every value as `::text`, or null. */
export interface TableRows {
  columns: string[];
  /** The primary key's columns (rows are matched by them), or empty: rows are compared as a multiset. */
  key: string[];
  rows: (string | null)[][];
}

/** Qualified table name → its rows. */
export type RowSnapshot = Record<string, TableRows>;

/** What became of one base column. */
export type ColumnFate =
  | { kind: 'kept'; to: string; from: ColumnType; type: ColumnType }
  | { kind: 'dropped' };

export interface TableFate {
  /** Qualified base name. */
  from: string;
  /** Qualified head name, or null when the table is dropped. */
  to: string | null;
  columns: Record<string, ColumnFate>;
}

/** A column every pre-existing row must now hold `value` in (a SQL expression). */
export interface ExpectedFill {
  /** Qualified head table name. */
  table: string;
  column: string;
  /** The base column it fills (only its NULL rows are filled), or null for a new column. */
  source: string | null;
  value: string;
  type: ColumnType;
}

export interface RowMapping {
  tables: TableFate[];
  fills: ExpectedFill[];
}

export interface RowDifference {
  /** Qualified table name as it is after the step. */
  table: string;
  /** `id=3`, or null when rows have no key. */
  row: string | null;
  column: string | null;
  expected: string | null;
  actual: string | null;
  message: string;
}

/** What the rows must look like after a step, beyond the mapping. */
export interface RowExpectations {
  /** `table.column` → old text → new text, for columns whose type changed. */
  conversions: Record<string, Record<string, string | null>>;
  /** `table.column` → the text a fill's expression gives. */
  fillValues: Record<string, string | null>;
  /** Base `table.column` → old text → its text after converting there and back, for columns whose type changed. */
  restored: Record<string, Record<string, string | null>>;
}

// ---------------------------------------------------------------------------------------
// Mappings

/** Follows the plan's upgrade operations: renames, type changes, drops, backfills. */
export function rowMappingFromPlan(plan: Plan, base: Schema): RowMapping {
  const tables = base.tables.map((t) => ({
    fate: {
      from: qualifiedName(t),
      to: qualifiedName(t) as string | null,
      columns: Object.fromEntries(t.columns.map((c): [string, ColumnFate] => [c.name, { kind: 'kept', to: c.name, from: c.type, type: c.type }])),
    },
    schema: t.schema,
  }));
  const fills: ExpectedFill[] = [];
  const added = new Map<string, Column>();
  const find = (schema: string | null, name: string) => tables.find((t) => t.fate.to === qualifiedName({ schema, name }));
  const column = (schema: string | null, table: string, name: string) => {
    const entry = find(schema, table);
    const found = entry && Object.entries(entry.fate.columns).find(([, f]) => f.kind === 'kept' && f.to === name);
    return found ? { entry: entry!, base: found[0], fate: found[1] as Extract<ColumnFate, { kind: 'kept' }> } : null;
  };

  const operations: Operation[] = plan.operations.flatMap((o) => o.upgrade);
  for (const op of operations) {
    switch (op.kind) {
      case 'renameTable': {
        const entry = find(op.schema, op.from);
        if (entry) entry.fate.to = qualifiedName({ schema: op.schema, name: op.to });
        for (const fill of fills) if (fill.table === qualifiedName({ schema: op.schema, name: op.from })) fill.table = qualifiedName({ schema: op.schema, name: op.to });
        break;
      }
      case 'dropTable': {
        const entry = find(op.table.schema, op.table.name);
        if (entry) entry.fate.to = null;
        break;
      }
      case 'dropColumn': {
        const found = column(op.schema, op.table, op.column.name);
        if (found) found.entry.fate.columns[found.base] = { kind: 'dropped' };
        break;
      }
      case 'addColumn': {
        added.set(`${qualifiedName({ schema: op.schema, name: op.table })}.${op.column.name}`, op.column);
        const literal = op.column.serverDefault !== null && isConstant(op.column.serverDefault);
        if (literal && op.column.computed === null) {
          fills.push({ table: qualifiedName({ schema: op.schema, name: op.table }), column: op.column.name, source: null, value: op.column.serverDefault!, type: op.column.type });
        }
        break;
      }
      case 'alterColumn': {
        const found = column(op.schema, op.table, op.existing.name);
        if (op.change.kind === 'rename') {
          if (found) found.fate.to = op.change.newName;
          for (const fill of fills) {
            if (fill.table === qualifiedName({ schema: op.schema, name: op.table }) && fill.column === op.existing.name) fill.column = op.change.newName;
          }
        }
        if (op.change.kind === 'type' && found) found.fate.type = op.change.type;
        break;
      }
      case 'backfill': {
        const table = qualifiedName({ schema: op.schema, name: op.table });
        const found = column(op.schema, op.table, op.column);
        const type = found?.fate.type ?? added.get(`${table}.${op.column}`)?.type;
        const existing = fills.findIndex((f) => f.table === table && f.column === op.column);
        if (existing >= 0) fills.splice(existing, 1);
        if (type) fills.push({ table, column: op.column, source: found?.base ?? null, value: op.value, type });
        break;
      }
      default:
        break;
    }
  }
  return { tables: tables.map((t) => t.fate), fills };
}

/** Without a plan (a hand-written revision): a table or column is kept when the head has one of the same name. */
export function rowMappingByName(base: Schema, head: Schema): RowMapping {
  return {
    tables: base.tables.map((t) => {
      const other = head.tables.find((h) => qualifiedName(h) === qualifiedName(t));
      return {
        from: qualifiedName(t),
        to: other ? qualifiedName(other) : null,
        columns: Object.fromEntries(
          t.columns.map((c): [string, ColumnFate] => {
            const same = other?.columns.find((h) => h.name === c.name);
            return [c.name, same ? { kind: 'kept', to: c.name, from: c.type, type: same.type } : { kind: 'dropped' }];
          }),
        ),
      };
    }),
    fills: [],
  };
}

/**
 * Without a plan, after the upgrade ran: by name, and a base column gone by name is kept as
 * the new column of its table holding every one of its seeded values (a rename). Any other
 * column gone by name lost its values.
 */
export function rowMappingByValues(base: Schema, head: Schema, seeded: RowSnapshot, after: RowSnapshot): RowMapping {
  const mapping = rowMappingByName(base, head);
  for (const fate of mapping.tables) {
    const before = seeded[fate.from];
    const now = fate.to === null ? undefined : after[fate.to];
    const headTable = head.tables.find((t) => qualifiedName(t) === fate.to);
    if (!before || !now || !headTable) continue;
    const claimed = new Set(Object.values(fate.columns).flatMap((f) => (f.kind === 'kept' ? [f.to] : [])));
    for (const [column, f] of Object.entries(fate.columns)) {
      if (f.kind !== 'dropped') continue;
      const values = columnValues(before, column);
      if (values.every((v) => v === null)) continue;
      const ordered = before.key.length > 0 && before.key.join() === now.key.join();
      const renamed = now.columns.find((c) => !claimed.has(c) && sameValues(values, columnValues(now, c), ordered));
      if (!renamed) continue;
      claimed.add(renamed);
      const from = base.tables.find((t) => qualifiedName(t) === fate.from)!.columns.find((c) => c.name === column)!.type;
      fate.columns[column] = { kind: 'kept', to: renamed, from, type: headTable.columns.find((c) => c.name === renamed)!.type };
    }
  }
  return mapping;
}

/** The tables and columns whose seeded values the mapping drops, in words: data an upgrade loses. */
export function lostData(seeded: RowSnapshot, mapping: RowMapping): string[] {
  const out: string[] = [];
  for (const fate of mapping.tables) {
    const before = seeded[fate.from];
    if (!before?.rows.length) continue;
    if (fate.to === null) {
      out.push(`table ${fate.from} with its ${before.rows.length} seeded rows`);
      continue;
    }
    for (const [column, f] of Object.entries(fate.columns)) {
      const values = columnValues(before, column).filter((v) => v !== null).length;
      if (f.kind === 'dropped' && values) out.push(`column ${fate.from}.${column} with its ${values} seeded values`);
    }
  }
  return out;
}

function columnValues(rows: TableRows, column: string): (string | null)[] {
  const at = rows.columns.indexOf(column);
  return rows.rows.map((r) => r[at] ?? null);
}

/** The same values: row by row when both snapshots list rows in the same key's order, else as multisets. */
function sameValues(a: (string | null)[], b: (string | null)[], ordered: boolean): boolean {
  const text = (values: (string | null)[]) => JSON.stringify(ordered ? values : [...values].sort());
  return a.length === b.length && text(a) === text(b);
}

/** A default that gives every row the same value: a literal, maybe cast. */
function isConstant(sql: string): boolean {
  return /^\(?\s*(?:'(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false)\s*\)?(?:::[\w ]+(?:\[\])*)?$/i.test(sql.trim());
}

// ---------------------------------------------------------------------------------------
// Checks

/** After the upgrade: every seeded row, mapped onto the head schema, is there with its values. */
export function checkUpgradedRows(
  seeded: RowSnapshot,
  after: RowSnapshot,
  mapping: RowMapping,
  expectations: RowExpectations,
): RowDifference[] {
  const out: RowDifference[] = [];
  for (const fate of mapping.tables) {
    const before = seeded[fate.from];
    if (!before || fate.to === null) continue;
    const now = after[fate.to];
    if (!now) {
      if (before.rows.length) out.push(missingTable(fate.to, before.rows.length));
      continue;
    }
    const columns = before.columns.flatMap((c) => {
      const f = fate.columns[c];
      return f?.kind === 'kept' ? [{ from: c, to: f.to, convert: expectations.conversions[`${fate.to}.${f.to}`] }] : [];
    });
    const fills = mapping.fills.filter((f) => f.table === fate.to);
    const expected = before.rows.map((row) => {
      const values: Record<string, string | null> = {};
      for (const c of columns) {
        const old = row[before.columns.indexOf(c.from)] ?? null;
        values[c.to] = old !== null && c.convert && old in c.convert ? c.convert[old]! : old;
      }
      for (const fill of fills) {
        const value = expectations.fillValues[`${fill.table}.${fill.column}`] ?? null;
        if (fill.source === null || values[fill.column] === null) values[fill.column] = value;
      }
      return values;
    });
    const key = before.key.map((k) => (fate.columns[k]?.kind === 'kept' ? (fate.columns[k] as { to: string }).to : null));
    out.push(...compareRows(fate.to, expected, now, key.every((k) => k !== null) ? (key as string[]) : []));
  }
  return out;
}

/**
 * After the downgrade: the seeded rows are back as they were, except columns and tables the
 * upgrade dropped (data the user consented to lose) and rows only the upgrade could have made.
 */
export function checkRestoredRows(
  seeded: RowSnapshot,
  after: RowSnapshot,
  mapping: RowMapping,
  expectations: Pick<RowExpectations, 'fillValues' | 'restored'>,
): RowDifference[] {
  const out: RowDifference[] = [];
  for (const fate of mapping.tables) {
    const before = seeded[fate.from];
    if (!before || fate.to === null) continue;
    const now = after[fate.from];
    if (!now) {
      if (before.rows.length) out.push(missingTable(fate.from, before.rows.length));
      continue;
    }
    const kept = before.columns.filter((c) => fate.columns[c]?.kind === 'kept');
    // A backfill is not undone: the NULLs it filled keep the value it gave them.
    const filled = new Map(
      mapping.fills.filter((f) => f.table === fate.to && f.source !== null).map((f) => [f.source!, expectations.fillValues[`${f.table}.${f.column}`] ?? null]),
    );
    const expected = before.rows.map((row) =>
      Object.fromEntries(
        kept.map((c) => {
          const value = row[before.columns.indexOf(c)] ?? null;
          if (value === null) return [c, filled.has(c) ? filled.get(c)! : null];
          // Converting there and back may respell a value (json through jsonb): PostgreSQL says how.
          const back = expectations.restored[`${fate.from}.${c}`];
          return [c, back && value in back ? back[value]! : value];
        }),
      ),
    );
    const key = before.key.every((k) => kept.includes(k)) ? before.key : [];
    out.push(...compareRows(fate.from, expected, now, key));
  }
  return out;
}

function missingTable(table: string, rows: number): RowDifference {
  return { table, row: null, column: null, expected: `${rows} rows`, actual: null, message: `table ${table} is missing with its ${rows} seeded rows` };
}

/** Matches rows by key (or as a multiset without one) and compares every expected column. */
export function compareRows(
  table: string,
  expected: Record<string, string | null>[],
  actual: TableRows,
  key: string[],
): RowDifference[] {
  const out: RowDifference[] = [];
  const columns = Object.keys(expected[0] ?? {});
  const missingColumns = columns.filter((c) => !actual.columns.includes(c));
  for (const column of missingColumns) {
    out.push({ table, row: null, column, expected: 'the column', actual: null, message: `column ${table}.${column} is missing, with its seeded values` });
  }
  const present = columns.filter((c) => actual.columns.includes(c));
  const valueOf = (row: (string | null)[], c: string) => row[actual.columns.indexOf(c)] ?? null;

  if (!key.length || !key.every((k) => present.includes(k))) {
    const tuple = (values: (string | null)[]) => JSON.stringify(values);
    const remaining = new Map<string, number>();
    for (const row of actual.rows) {
      const t = tuple(present.map((c) => valueOf(row, c)));
      remaining.set(t, (remaining.get(t) ?? 0) + 1);
    }
    for (const row of expected) {
      const t = tuple(present.map((c) => row[c] ?? null));
      const left = remaining.get(t) ?? 0;
      if (left > 0) remaining.set(t, left - 1);
      else out.push({ table, row: null, column: null, expected: describe(present, row), actual: null, message: `a seeded row of ${table} is missing or changed: ${describe(present, row)}` });
    }
    return out;
  }

  const keyOf = (values: (c: string) => string | null) => key.map((k) => `${k}=${values(k) ?? 'NULL'}`).join(', ');
  const byKey = new Map(actual.rows.map((row) => [keyOf((c) => valueOf(row, c)), row]));
  for (const row of expected) {
    const id = keyOf((c) => row[c] ?? null);
    const found = byKey.get(id);
    if (!found) {
      out.push({ table, row: id, column: null, expected: 'the row', actual: null, message: `seeded row ${table} (${id}) is missing` });
      continue;
    }
    for (const column of present) {
      const want = row[column] ?? null;
      const got = valueOf(found, column);
      if (want !== got) {
        out.push({ table, row: id, column, expected: want, actual: got, message: `${table}.${column} of row ${id} is ${show(got)}, expected ${show(want)}` });
      }
    }
  }
  return out;
}

function describe(columns: string[], row: Record<string, string | null>): string {
  return columns.map((c) => `${c}=${show(row[c] ?? null)}`).join(', ');
}

function show(value: string | null): string {
  return value === null ? 'NULL' : JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------
// Database side

/**
 * Every row of every table of `schema`, as text: one query (one round trip) for `batchSize`
 * tables. A query is one transaction, holding a lock on each table it reads and on its
 * indexes until it ends.
 */
export async function snapshotRows(client: pg.ClientBase, schema: Schema): Promise<RowSnapshot> {
  if (!schema.tables.length) return {};
  const perQuery = await batchSize(client);
  const out: RowSnapshot = {};
  for (let i = 0; i < schema.tables.length; i += perQuery) {
    const tables = schema.tables.slice(i, i + perQuery);
    const reply = (await client.query({ text: tables.map(selectRows).join(';\n'), rowMode: 'array' })) as unknown as pg.QueryResult | pg.QueryResult[];
    const results = Array.isArray(reply) ? reply : [reply];
    tables.forEach((table, j) => {
      const columns = table.columns.map((c) => c.name);
      const rows = results[j]!.rows as (string | null)[][];
      out[qualifiedName(table)] = { columns, key: table.primaryKey?.columns ?? [], rows: rows.map((r) => (columns.length ? r : [])) };
    });
  }
  return out;
}

function selectRows(table: Table): string {
  const list = table.columns.map((c) => `${quoteIdent(c.name)}::text`).join(', ');
  const key = table.primaryKey?.columns ?? [];
  const order = key.length ? ` ORDER BY ${key.map(quoteIdent).join(', ')}` : '';
  return `SELECT ${list || 'NULL'} FROM ${qualify(table.schema, table.name)}${order}`;
}

/**
 * What the server makes of every fill expression and every converted value: the expected
 * side of the upgrade check, computed by the same PostgreSQL that runs the migration.
 */
export async function rowExpectations(
  client: pg.ClientBase,
  seeded: RowSnapshot,
  mapping: RowMapping,
  enumSchema: (type: ColumnType) => string | null,
): Promise<RowExpectations> {
  const conversions: RowExpectations['conversions'] = {};
  const restored: RowExpectations['restored'] = {};
  for (const fate of mapping.tables) {
    const before = seeded[fate.from];
    if (!before || fate.to === null) continue;
    for (const [column, f] of Object.entries(fate.columns)) {
      if (f.kind !== 'kept' || sameType(f.from, f.type)) continue;
      const values: Record<string, string | null> = {};
      const back: Record<string, string | null> = {};
      const from = typeSql(f.from, enumSchema(f.from));
      const to = typeSql(f.type, enumSchema(f.type));
      const at = before.columns.indexOf(column);
      for (const row of before.rows) {
        const old = row[at] ?? null;
        if (old === null || old in values) continue;
        values[old] = await castText(client, old, from, to);
        back[old] = values[old] === null ? null : await castText(client, values[old], to, from);
      }
      conversions[`${fate.to}.${f.to}`] = values;
      restored[`${fate.from}.${column}`] = back;
    }
  }
  const fillValues: RowExpectations['fillValues'] = {};
  for (const fill of mapping.fills) {
    const result = await client.query({ text: `SELECT (${fill.value})::${typeSql(fill.type, enumSchema(fill.type))}::text`, rowMode: 'array' });
    fillValues[`${fill.table}.${fill.column}`] = (result.rows[0] as (string | null)[])[0] ?? null;
  }
  return { conversions, fillValues, restored };
}

/** The value cast to the new type, or the old text when the cast fails (the check then reports it). */
async function castText(client: pg.ClientBase, value: string, from: string, to: string): Promise<string | null> {
  try {
    const result = await client.query({ text: `SELECT ($1::${from})::${to}::text`, values: [value], rowMode: 'array' });
    return (result.rows[0] as (string | null)[])[0] ?? null;
  } catch {
    return value;
  }
}

function sameType(a: ColumnType, b: ColumnType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

import type {
  CheckConstraint,
  Column,
  ColumnType,
  EnumType,
  ForeignKey,
  Index,
  Schema,
  SourceLocation,
  Table,
  UniqueConstraint,
} from '../schema/model.js';
import { normalizeCheck } from '../schema/sql-expr.js';
import { classKey } from './classes.js';
import type { Diagnostics } from './diagnostics.js';
import type { ColumnDraft, ForeignKeyDraft, ForeignKeyTarget, TableDraft } from './drafts.js';
import { Namespace, conventionName, nameAddition, type ConstraintKind, type NamingSubject } from './naming.js';
import { INTEGER_TYPES } from './types.js';

/** Every table the reader saw, so foreign keys can point outside the scanned folder. */
export interface DraftIndex {
  all: TableDraft[];
  /** Mapped class key → its table (a single-table subclass → its parent's). */
  byClass: Map<string, TableDraft>;
  /** `Table(...)` call key → its table. */
  byCall: Map<string, TableDraft>;
  /** Set when a foreign key names a table by a string no draft has. */
  unfoundTables: boolean;
  /**
   * True when a module of the import closure could not be parsed: a table it defines is
   * unknown, so a foreign key to a table no model defines is a doubt, not an error.
   */
  unparsedImports: boolean;
  /** Tables whose columns the reader may not all see (a base class outside the source tree, a reflected Table). */
  partial: Set<TableDraft>;
}

interface ResolvedTarget {
  table: TableDraft | null;
  schema: string | null;
  tableName: string;
  column: ColumnDraft | null;
  columnName: string;
}

/**
 * Turns the scanned tables' drafts into the schema: foreign-key types and targets resolved,
 * SERIAL decided, and every constraint and index named as SQLAlchemy (naming convention) or
 * PostgreSQL (unnamed constraints) names it.
 */
export function assembleSchema(scanned: TableDraft[], index: DraftIndex, diagnostics: Diagnostics): Schema {
  fillForeignKeyTypes(index, new Set(scanned), diagnostics);
  const namespaces = new Map<string, Namespace>();
  const namespace = (schema: string | null) => {
    const key = schema ?? '';
    let ns = namespaces.get(key);
    if (!ns) namespaces.set(key, (ns = new Namespace()));
    return ns;
  };
  for (const t of scanned) namespace(t.schema).useRelation(t.name);
  for (const t of scanned) {
    for (const i of [...t.indexes]) if (i.name) namespace(t.schema).useRelation(i.name);
  }

  const tables: Table[] = [];
  const enums = new Map<string, EnumType>();
  const seenTables = new Map<string, TableDraft>();
  for (const draft of scanned) {
    const qualified = `${draft.schema ?? ''}.${draft.name}`;
    const earlier = seenTables.get(qualified);
    if (earlier) {
      diagnostics.error(
        'duplicate-table',
        `table ${draft.name} is also defined at ${earlier.location.file}:${earlier.location.line}`,
        draft.location,
      );
      continue;
    }
    seenTables.set(qualified, draft);
    const table = assembleTable(draft, index, namespace(draft.schema), diagnostics);
    tables.push(table);
    for (const c of draft.columns) {
      if (!c.enum) continue;
      const key = `${c.enum.schema ?? ''}.${c.enum.name}`;
      const known = enums.get(key);
      if (!known) enums.set(key, c.enum);
      else if (known.labels.join('\u0000') !== c.enum.labels.join('\u0000')) {
        diagnostics.warning(
          'enum-conflict',
          `the enum type ${c.enum.name} is declared with different labels elsewhere; PostgreSQL keeps the first (${known.labels.join(', ')})`,
          c.location,
        );
      }
    }
  }
  return { tables, enums: [...enums.values()] };
}

/** A column named by a foreign key's `"table.column"` (SQLAlchemy's key) or by an attribute. */
function columnByKey(table: TableDraft, key: string): ColumnDraft | null {
  return table.columns.find((c) => c.columnKey === key) ?? table.columns.find((c) => c.key === key) ?? null;
}

function resolveTarget(target: ForeignKeyTarget, index: DraftIndex): ResolvedTarget | null {
  if (target.kind === 'string') {
    const parts = target.spec.split('.');
    if (parts.length < 2) return null;
    const columnName = parts[parts.length - 1]!;
    const tableName = parts[parts.length - 2]!;
    const schema = parts.length > 2 ? parts.slice(0, -2).join('.') : null;
    const table =
      index.all.find((t) => t.name === tableName && t.schema === schema) ??
      (schema === null ? index.all.find((t) => t.name === tableName) : undefined) ??
      null;
    if (!table) index.unfoundTables = true;
    const column = table ? columnByKey(table, columnName) : null;
    return { table, schema: table ? table.schema : schema, tableName, column, columnName: column?.name ?? columnName };
  }
  const table = target.kind === 'attribute' ? index.byClass.get(classKey(target.cls.sym)) : index.byCall.get(target.table);
  if (!table) return null;
  const key = target.kind === 'attribute' ? target.attribute : target.column;
  const column = target.kind === 'attribute' ? (table.columns.find((c) => c.key === key) ?? null) : columnByKey(table, key);
  return { table, schema: table.schema, tableName: table.name, column, columnName: column?.name ?? key };
}

/** What the foreign key of `column` refers to. */
function referencedTarget(table: TableDraft, column: ColumnDraft, index: DraftIndex): ResolvedTarget | null {
  const fk = [...column.foreignKeys, ...table.foreignKeys].find((f) => f.columns.includes(column.key));
  return fk ? resolveTarget(fk.targets[fk.columns.indexOf(column.key)]!, index) : null;
}

/** A foreign-key column with no type takes the type of the column it refers to. */
function fillForeignKeyTypes(index: DraftIndex, scanned: ReadonlySet<TableDraft>, diagnostics: Diagnostics): void {
  const pending = () =>
    index.all.flatMap((t) => t.columns.filter((c) => c.type === null).map((c) => ({ table: t, column: c })));
  for (let pass = 0; pass < 10; pass++) {
    let progressed = false;
    for (const { table, column } of pending()) {
      const target = referencedTarget(table, column, index);
      const type = target?.column?.type;
      if (type) {
        column.type = type;
        column.enum = target.column!.enum;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  for (const { table, column } of pending()) {
    table.columns = table.columns.filter((c) => c !== column);
    // Tables outside the scanned folder only lend types; their gaps are not reported.
    if (!scanned.has(table)) continue;
    const target = referencedTarget(table, column, index);
    const missing = target ? missingTarget(target) : null;
    diagnostics.error(
      'unknown-column-type',
      missing
        ? `column ${table.name}.${column.key} has no type, and its foreign key refers to ${missing}`
        : `column ${table.name}.${column.key} has no type and the column its foreign key refers to was not found`,
      column.location,
    );
  }
}

/**
 * What a foreign key refers to that the schema lacks — the table (SQLAlchemy's
 * NoReferencedTableError) or the column (NoReferencedColumnError) — or null when both exist.
 */
function missingTarget(target: ResolvedTarget): string | null {
  if (!target.table) return `table ${target.schema ? `${target.schema}.` : ''}${target.tableName}, which no model defines`;
  if (!target.column) return `column ${target.tableName}.${target.columnName}, which that table does not have`;
  return null;
}

function assembleTable(draft: TableDraft, index: DraftIndex, ns: Namespace, diagnostics: Diagnostics): Table {
  const drafts = draft.columns
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.sortOrder - b.c.sortOrder || a.i - b.i)
    .map((x) => x.c);
  const convention = draft.metadata.convention;
  const nameOf = (key: string): string | null => draft.columns.find((c) => c.key === key)?.name ?? null;
  const namingColumns = (keys: string[]) =>
    keys.map((k) => {
      const c = draft.columns.find((x) => x.key === k);
      return c ? { name: c.name, key: c.columnKey } : { name: k, key: k };
    });
  const missing = (keys: string[], what: string, location: SourceLocation): boolean => {
    const unknown = keys.filter((k) => nameOf(k) === null);
    if (!unknown.length) return false;
    diagnostics.warning('unknown-column-reference', `the ${what} names ${unknown.join(', ')}, which table ${draft.name} has no column for; it is left out`, location);
    return true;
  };
  const named = (kind: ConstraintKind, explicit: string | null, keys: string[], location: SourceLocation, extra: Partial<NamingSubject> = {}) => {
    const subject: NamingSubject = {
      kind,
      explicitName: explicit,
      table: draft.name,
      schema: draft.schema,
      columns: namingColumns(keys),
      ...extra,
    };
    const result = conventionName(convention, subject);
    if (result && 'error' in result) {
      diagnostics.error('constraint-name', `table ${draft.name}: ${result.error}`, location);
      return explicit;
    }
    return result ? result.name : explicit;
  };

  // Primary key.
  const pkKeys = draft.primaryKey?.columns ?? drafts.filter((c) => c.primaryKey).map((c) => c.key);
  let primaryKey: Table['primaryKey'] = null;
  if (pkKeys.length && !missing(pkKeys, 'primary key', draft.primaryKey?.location ?? draft.location)) {
    const name =
      named('pk', draft.primaryKey?.name ?? null, pkKeys, draft.primaryKey?.location ?? draft.location) ??
      ns.chooseRelationName(draft.name, null, 'pkey');
    if (name) ns.useRelation(name);
    // A primary key made from primary_key=True flags puts its autoincrement=True column
    // first in the DDL (columns_autoinc_first); a PrimaryKeyConstraint keeps its order.
    const autoincFirst = draft.primaryKey ? undefined : drafts.find((c) => pkKeys.length > 1 && pkKeys.includes(c.key) && c.autoincrement === true);
    const ordered = autoincFirst ? [autoincFirst.key, ...pkKeys.filter((k) => k !== autoincFirst.key)] : pkKeys;
    primaryKey = { name, columns: ordered.map((k) => nameOf(k)!), location: draft.primaryKey?.location ?? drafts.find((c) => c.key === pkKeys[0])?.location ?? draft.location };
  }
  // A Core Table may lack a primary key; a mapped class may not.
  if (!pkKeys.length && draft.cls) {
    diagnostics.warning('no-primary-key', `table ${draft.name} has no primary key (SQLAlchemy refuses to map a class without one)`, draft.location);
  }
  const pkSet = new Set(pkKeys.map((k) => nameOf(k)));
  const serialKey = serialColumn(drafts.filter((c) => pkSet.has(c.name)));

  const columns: Column[] = drafts.map((c) => ({
    name: c.name,
    type: c.type as ColumnType,
    nullable: pkSet.has(c.name) ? false : c.nullable,
    serverDefault: c.key === serialKey ? null : c.serverDefault,
    default: c.default,
    serial: c.key === serialKey,
    identity: c.identity,
    computed: c.computed,
    comment: c.comment,
    info: c.info,
    location: c.location,
  }));

  // A second declaration of one object (`unique=True` and `UniqueConstraint("email")`, or two
  // with one name): SQLAlchemy emits both, but a database built by migrations holds one, so
  // keeping both would make every plan drop one of them. `anyName`: the same definition
  // under another name is a twin too (unique constraints: CREATE TABLE keeps one).
  const isTwin = <T extends { name: string; location: SourceLocation | null }>(
    noun: string,
    code: string,
    kept: T[],
    candidate: T,
    anyName: boolean,
    definition: (x: T) => string,
  ): boolean => {
    const same = kept.find((x) => x.name === candidate.name || (anyName && definition(x) === definition(candidate)));
    if (!same) return false;
    const also = same.location ? ` (also at ${same.location.file === candidate.location?.file ? 'line ' : `${same.location.file}:`}${same.location.line})` : '';
    if (definition(same) !== definition(candidate)) {
      diagnostics.error(code, `table ${draft.name}: ${noun} ${same.name} is defined twice with different definitions${also}; PostgreSQL refuses a second one of that name`, candidate.location);
    } else {
      diagnostics.warning(code, `table ${draft.name}: ${noun} ${same.name} is defined twice${also}; PostgreSQL holds one ${noun} of that name, so this one is left out`, candidate.location);
    }
    return true;
  };

  // Unique constraints: column unique=True (without index=True), then __table_args__.
  const flagged: TableDraft['uniques'] = drafts
    .filter((c) => c.unique && !c.index)
    .map((c) => ({ name: null, columns: [c.key], nullsNotDistinct: false, location: c.location }));
  const uniqueConstraints: UniqueConstraint[] = [];
  // CREATE TABLE keeps one of equal unique constraints whatever their names. SQLAlchemy emits
  // the __table_args__ ones first (a unique=True one is made with the Table), and an unnamed
  // one takes a named twin's name: `unique=True` with `UniqueConstraint("email",
  // name="uq_email")` is uq_email.
  const givesWay = new Set<UniqueConstraint>();
  for (const u of [...flagged, ...draft.uniques]) {
    if (missing(u.columns, 'unique constraint', u.location)) continue;
    const cols = u.columns.map((k) => nameOf(k)!);
    const modelName = named('uq', u.name, u.columns, u.location);
    const unique: UniqueConstraint = { name: modelName ?? '', columns: cols, nullsNotDistinct: u.nullsNotDistinct, deferrable: u.deferrable, location: u.location };
    const yielding = modelName !== null ? [...givesWay].find((x) => uniqueDefinition(x) === uniqueDefinition(unique)) : undefined;
    if (yielding) {
      yielding.name = modelName!;
      givesWay.delete(yielding);
      ns.useRelation(yielding.name);
    }
    if (isTwin('unique constraint', 'duplicate-constraint', uniqueConstraints, unique, true, uniqueDefinition)) continue;
    unique.name = modelName ?? ns.chooseRelationName(draft.name, nameAddition(cols), 'key');
    if (modelName === null || flagged.includes(u)) givesWay.add(unique);
    ns.useRelation(unique.name);
    uniqueConstraints.push(unique);
  }

  // Indexes: index=True (unique when unique=True too), then __table_args__.
  const indexDrafts = [
    ...drafts
      .filter((c) => c.index)
      .map((c) => ({
        name: null,
        unique: c.unique,
        elements: [{ key: c.key }],
        where: null,
        using: null,
        include: [],
        nullsNotDistinct: false,
        operatorClasses: {},
        location: c.location,
      })),
    ...draft.indexes,
  ];
  const indexes: Index[] = [];
  for (const i of indexDrafts) {
    const keys = i.elements.flatMap((e) => ('key' in e ? [e.key] : []));
    if (missing([...keys, ...i.include], 'index', i.location)) continue;
    const subjectColumns = i.elements.map((e) => ('key' in e ? namingColumns([e.key])[0]! : null));
    const result = conventionName(convention, { kind: 'ix', explicitName: i.name, table: draft.name, schema: draft.schema, columns: subjectColumns });
    if (result && 'error' in result) diagnostics.error('constraint-name', `table ${draft.name}: ${result.error}`, i.location);
    const name = result && 'name' in result ? result.name : i.name;
    if (!name) {
      diagnostics.error('index-name', `an index on table ${draft.name} has no name and the naming convention gives it none`, i.location);
      continue;
    }
    const built: Index = {
      name,
      unique: i.unique,
      elements: i.elements.map((e) => ('key' in e ? { column: nameOf(e.key)! } : { expression: e.expression })),
      where: i.where,
      using: i.using,
      include: i.include.map((k) => nameOf(k)!),
      nullsNotDistinct: i.nullsNotDistinct,
      operatorClasses: Object.fromEntries(Object.entries(i.operatorClasses).map(([k, opclass]) => [nameOf(k)!, opclass])),
      location: i.location,
    };
    if (!isTwin('index', 'duplicate-index', indexes, built, false, indexDefinition)) indexes.push(built);
  }

  // Check constraints: in columns, then __table_args__.
  const checkConstraints: CheckConstraint[] = [];
  for (const { check, column } of [
    ...drafts.flatMap((c) => c.checks.map((check) => ({ check, column: c as ColumnDraft | null }))),
    ...draft.checks.map((check) => ({ check, column: null as ColumnDraft | null })),
  ]) {
    const referenced = column?.name ?? singleReferencedColumn(check.expression, columns.map((c) => c.name));
    const keys = check.columns ?? (column ? [column.key] : null);
    if (keys === null && usesColumnToken(convention['ck'] ?? convention['CheckConstraint'])) {
      diagnostics.error('constraint-name', `table ${draft.name}: the naming convention names a check constraint after its columns, which cannot be told from this expression`, check.location);
    }
    const modelName = named('ck', check.name, keys ?? [], check.location);
    const built: CheckConstraint = { name: modelName ?? '', expression: check.expression, location: check.location };
    // Unnamed twins are two checks: PostgreSQL keeps both (accounts_credits_check, then _check1).
    if (isTwin('check constraint', 'duplicate-constraint', checkConstraints, built, false, (c) => normalizeCheck(c.expression))) continue;
    built.name = modelName ?? ns.chooseConstraintName(draft.name, referenced, 'check');
    ns.useConstraint(built.name);
    checkConstraints.push(built);
  }

  // Foreign keys: in columns, then __table_args__.
  const foreignKeys: ForeignKey[] = [];
  const fkDrafts: ForeignKeyDraft[] = [...drafts.flatMap((c) => c.foreignKeys), ...draft.foreignKeys];
  for (const fk of fkDrafts) {
    if (missing(fk.columns, 'foreign key', fk.location)) continue;
    const targets = fk.targets.map((t) => resolveTarget(t, index));
    if (targets.some((t) => t === null)) {
      diagnostics.error('unknown-foreign-key-target', `the target of a foreign key on ${draft.name}.${fk.columns.join(', ')} cannot be found`, fk.location);
      continue;
    }
    const resolved = targets as ResolvedTarget[];
    const unfound = resolved.find((t) => missingTarget(t) !== null);
    if (unfound) {
      // SQLAlchemy refuses such metadata at create_all; a migration with this constraint fails
      // on the database. Only what the reader cannot see (an unparsable import, a base class
      // outside the source tree) makes it a doubt instead.
      const message = `the foreign key on ${draft.name}.${fk.columns.join(', ')} refers to ${missingTarget(unfound)}`;
      const doubt = unfound.table
        ? index.partial.has(unfound.table) && `table ${unfound.tableName} has columns the reader cannot see (a base class outside the source tree, or reflected)`
        : index.unparsedImports && 'an imported module the reader cannot parse may define it';
      if (doubt) diagnostics.warning('unknown-foreign-key-target', `${message} as far as the reader can see; ${doubt}, so the constraint is left out`, fk.location);
      else diagnostics.error('unknown-foreign-key-target', message, fk.location);
      continue;
    }
    const cols = fk.columns.map((k) => nameOf(k)!);
    const referredColumns = resolved.map((t) => t.columnName);
    const modelName = named('fk', fk.name, fk.columns, fk.location, { referredTable: resolved[0]!.tableName, referredColumns });
    const built: ForeignKey = {
      name: modelName ?? '',
      columns: cols,
      referredSchema: resolved[0]!.schema,
      referredTable: resolved[0]!.tableName,
      referredColumns,
      onDelete: fk.onDelete,
      onUpdate: fk.onUpdate,
      deferrable: fk.deferrable,
      location: fk.location,
    };
    // Unnamed twins are two foreign keys, as PostgreSQL keeps them (users_pid_fkey, then _fkey1).
    if (isTwin('foreign key', 'duplicate-constraint', foreignKeys, built, false, foreignKeyDefinition)) continue;
    built.name = modelName ?? ns.chooseConstraintName(draft.name, nameAddition(cols), 'fkey');
    ns.useConstraint(built.name);
    foreignKeys.push(built);
  }

  return {
    name: draft.name,
    schema: draft.schema,
    comment: draft.comment,
    columns,
    primaryKey,
    foreignKeys,
    uniqueConstraints,
    indexes,
    checkConstraints,
    info: draft.info,
    location: draft.location,
  };
}

// What makes two declarations one object, names aside.
function uniqueDefinition(u: UniqueConstraint): string {
  return JSON.stringify([u.columns, u.nullsNotDistinct, u.deferrable ?? null]);
}

function indexDefinition(i: Index): string {
  const elements = i.elements.map((e) => ('column' in e ? e.column : normalizeCheck(e.expression)));
  const where = i.where === null ? null : normalizeCheck(i.where);
  return JSON.stringify([i.unique, elements, where, i.using ?? 'btree', i.include, i.nullsNotDistinct, Object.entries(i.operatorClasses).sort()]);
}

function foreignKeyDefinition(fk: ForeignKey): string {
  return JSON.stringify([fk.columns, fk.referredSchema, fk.referredTable, fk.referredColumns, fk.onDelete, fk.onUpdate, fk.deferrable ?? null]);
}

/**
 * The column SQLAlchemy's PostgreSQL dialect renders as SERIAL: the table's autoincrement
 * column (a lone integer primary key, or the one marked autoincrement=True) with no
 * server default, identity, computed value or Python default, and no foreign key unless
 * autoincrement says to ignore it.
 */
function serialColumn(pk: ColumnDraft[]): string | null {
  const candidates = pk.length === 1 ? pk.filter((c) => c.autoincrement !== false) : pk.filter((c) => c.autoincrement === true);
  const c = candidates.length === 1 ? candidates[0]! : null;
  if (!c || !c.type || !INTEGER_TYPES.has(c.type.name) || c.type.arrayDimensions) return null;
  if (c.identity || c.computed || c.serverDefault !== null) return null;
  if (c.default !== null && c.autoincrement !== true) return null;
  if (c.foreignKeys.length && c.autoincrement !== true && c.autoincrement !== 'ignore_fk') return null;
  return c.key;
}

/**
 * PostgreSQL names an unnamed CHECK `<table>_<column>_check` when its expression refers to
 * exactly one column, else `<table>_check`.
 */
function singleReferencedColumn(expression: string, columns: string[]): string | null {
  const withoutStrings = expression.replace(/'(?:[^']|'')*'/g, ' ');
  const found = new Set<string>();
  for (const m of withoutStrings.matchAll(/"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)/g)) {
    const name = m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!.toLowerCase();
    if (columns.includes(name)) found.add(name);
    else if (m[2] !== undefined && columns.includes(m[2])) found.add(m[2]);
  }
  return found.size === 1 ? [...found][0]! : null;
}

function usesColumnToken(template: string | undefined): boolean {
  return template !== undefined && /%\(column_\d+/.test(template);
}

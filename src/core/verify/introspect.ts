/**
 * Reads a live PostgreSQL catalog into the schema model, so that what a migration produced
 * can be compared with what the models describe (compare.ts).
 *
 * The result follows the model's conventions exactly (see model.ts): types as
 * `format_type()` prints them, split into name and modifiers; a column whose default is
 * `nextval()` of a sequence it owns is `serial` with no server default; constraint and index
 * names as stored; `schema` is null for `public`; the NO ACTION referential action is null.
 * What a catalog cannot know (source locations, `info`, Python-side defaults) is empty.
 * Alembic's own `alembic_version` table is left out.
 */
import pg from 'pg';
import { connect } from './database.js';
import type {
  CheckConstraint,
  Column,
  ColumnType,
  Deferral,
  EnumType,
  ForeignKey,
  Index,
  IndexElement,
  ReferentialAction,
  Schema,
  Table,
  UniqueConstraint,
} from '../schema/model.js';

/** Tables that belong to the migration tool, not to the application's schema. */
const IGNORED_TABLES = ['alembic_version'];

/**
 * The schema `schemaName` of the database `client` is connected to (or the database at a URL,
 * connected to for the duration of the call). Tables and enums are sorted by name, columns
 * in table order, constraints and indexes by name.
 */
export async function introspectSchema(client: pg.Client | string, schemaName = 'public'): Promise<Schema> {
  if (typeof client !== 'string') return readCatalog(client, schemaName);
  const own = await connect(client);
  try {
    return await readCatalog(own, schemaName);
  } finally {
    await own.end();
  }
}

async function readCatalog(client: pg.Client, schemaName: string): Promise<Schema> {
  const schema = schemaName === 'public' ? null : schemaName;
  const tableRows = (
    await client.query<{ oid: number; name: string; comment: string | null }>(
      `SELECT c.oid, c.relname AS name, obj_description(c.oid, 'pg_class') AS comment
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND c.relname <> ALL ($2::text[])
        ORDER BY c.relname`,
      [schemaName, IGNORED_TABLES],
    )
  ).rows;
  const oids = tableRows.map((t) => t.oid);
  // One client runs one query at a time.
  const nullsNotDistinct = await hasNullsNotDistinct(client);
  const columns = await readColumns(client, oids);
  const constraints = await readConstraints(client, oids, nullsNotDistinct);
  const indexes = await readIndexes(client, oids, nullsNotDistinct);
  const enums = await readEnums(client, schemaName, schema);

  const tables = tableRows.map((row): Table => {
    const cols = columns.get(row.oid) ?? [];
    const names = new Map(cols.map((c) => [c.attnum, c.column.name]));
    const nameOf = (attnum: number): string => names.get(attnum) ?? `#${attnum}`;
    const cons = constraints.get(row.oid) ?? [];
    const pk = cons.find((c) => c.contype === 'p');
    return {
      name: row.name,
      schema,
      comment: row.comment,
      columns: cols.map((c) => c.column),
      primaryKey: pk ? { name: pk.name, columns: pk.conkey.map(nameOf), location: null } : null,
      foreignKeys: cons.filter((c) => c.contype === 'f').map((c) => foreignKey(c, nameOf)),
      uniqueConstraints: cons
        .filter((c) => c.contype === 'u')
        .map((c): UniqueConstraint => ({ name: c.name, columns: c.conkey.map(nameOf), nullsNotDistinct: c.nulls_not_distinct, deferrable: deferral(c), location: null })),
      indexes: (indexes.get(row.oid) ?? []).map((i) => index(i, nameOf)),
      checkConstraints: cons
        .filter((c) => c.contype === 'c')
        .map((c): CheckConstraint => ({ name: c.name, expression: c.check_expr ?? '', location: null })),
      info: {},
      location: null,
    };
  });
  return { tables, enums };
}

// ---------------------------------------------------------------------------------------
// Columns

interface ColumnRow {
  table_oid: number;
  attnum: number;
  name: string;
  full_type: string;
  enum_name: string | null;
  is_array: boolean;
  attndims: number;
  not_null: boolean;
  default_expr: string | null;
  identity: string;
  generated: string;
  comment: string | null;
  owned_sequence: boolean;
  seq_start: string | null;
  seq_increment: string | null;
}

async function readColumns(client: pg.Client, oids: number[]): Promise<Map<number, { attnum: number; column: Column }[]>> {
  const { rows } = await client.query<ColumnRow>(
    `SELECT a.attrelid AS table_oid, a.attnum, a.attname AS name,
            format_type(a.atttypid, a.atttypmod) AS full_type,
            CASE WHEN et.typtype = 'e' THEN et.typname::text END AS enum_name,
            t.typcategory = 'A' AS is_array, a.attndims,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_expr,
            a.attidentity AS identity, a.attgenerated AS generated,
            col_description(a.attrelid, a.attnum) AS comment,
            seq.oid IS NOT NULL AS owned_sequence,
            s.seqstart::text AS seq_start, s.seqincrement::text AS seq_increment
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_type et ON et.oid = CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       LEFT JOIN LATERAL (
            SELECT sc.oid FROM pg_depend dep JOIN pg_class sc ON sc.oid = dep.objid AND sc.relkind = 'S'
             WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid
               AND dep.refobjsubid = a.attnum AND dep.deptype IN ('a', 'i')
             LIMIT 1) seq ON true
       LEFT JOIN pg_sequence s ON s.seqrelid = seq.oid
      WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`,
    [oids],
  );
  const byTable = new Map<number, { attnum: number; column: Column }[]>();
  for (const row of rows) {
    const list = byTable.get(row.table_oid) ?? [];
    list.push({ attnum: row.attnum, column: column(row) });
    byTable.set(row.table_oid, list);
  }
  return byTable;
}

const SERIAL_TYPES = new Set(['smallint', 'integer', 'bigint']);

function column(row: ColumnRow): Column {
  const type = columnType(row);
  const computed = row.generated === 's' ? { expression: row.default_expr ?? '', persisted: true } : null;
  const identity =
    row.identity === 'a' || row.identity === 'd'
      ? { always: row.identity === 'a', start: toNumber(row.seq_start), increment: toNumber(row.seq_increment) }
      : null;
  // SERIAL is shorthand for an owned sequence plus this default; the model records the shorthand.
  const serial =
    identity === null &&
    row.owned_sequence &&
    type.arrayDimensions === 0 &&
    SERIAL_TYPES.has(type.name) &&
    /^nextval\('.+'::regclass\)$/.test(row.default_expr ?? '');
  return {
    name: row.name,
    type,
    nullable: !row.not_null,
    serverDefault: computed || serial ? null : row.default_expr,
    default: null,
    serial,
    identity,
    computed,
    comment: row.comment,
    info: {},
    location: null,
  };
}

function toNumber(value: string | null): number | null {
  return value === null ? null : Number(value);
}

/** Modifiers that are a length; the others (`numeric`, `timestamp`, `time`, `interval`) are a precision. */
const LENGTH_TYPES = new Set(['character varying', 'character', 'bit', 'bit varying']);

/**
 * `format_type()` output split into the model's parts. `format_type` prints one `[]` whatever
 * the dimensions, so those come from `attndims` (set when the DDL spelled them out).
 */
export function parseFormattedType(fullType: string, isArray: boolean, attndims: number, enumName: string | null): ColumnType {
  const scalar = fullType.replace(/(\[\])+$/, '');
  const m = /^(.*?)\((\d+)(?:,(\d+))?\)(.*)$/.exec(scalar);
  let name = scalar;
  let length: number | null = null;
  let precision: number | null = null;
  let scale: number | null = null;
  if (m) {
    name = `${m[1]}${m[4]}`;
    if (LENGTH_TYPES.has(name)) {
      length = Number(m[2]);
    } else {
      precision = Number(m[2]);
      scale = m[3] === undefined ? null : Number(m[3]);
    }
  }
  return {
    name: enumName ?? name,
    length,
    precision,
    scale,
    arrayDimensions: isArray ? Math.max(attndims, 1) : 0,
    isEnum: enumName !== null,
  };
}

function columnType(row: ColumnRow): ColumnType {
  return parseFormattedType(row.full_type, row.is_array, row.attndims, row.enum_name);
}

// ---------------------------------------------------------------------------------------
// Constraints

interface ConstraintRow {
  table_oid: number;
  name: string;
  contype: 'p' | 'f' | 'u' | 'c';
  conkey: number[];
  confkey: number[] | null;
  ref_table: string | null;
  ref_schema: string | null;
  ref_columns: string[] | null;
  confdeltype: string;
  confupdtype: string;
  check_expr: string | null;
  nulls_not_distinct: boolean;
  condeferrable: boolean;
  condeferred: boolean;
}

function deferral(c: ConstraintRow): Deferral | undefined {
  if (!c.condeferrable) return undefined;
  return c.condeferred ? 'deferred' : 'immediate';
}

/** `NULLS NOT DISTINCT` exists from PostgreSQL 15 on (pg_index.indnullsnotdistinct). */
async function hasNullsNotDistinct(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ version: number }>(`SELECT current_setting('server_version_num')::int AS version`);
  return rows[0]!.version >= 150000;
}

async function readConstraints(client: pg.Client, oids: number[], nullsNotDistinct: boolean): Promise<Map<number, ConstraintRow[]>> {
  const { rows } = await client.query<ConstraintRow>(
    `SELECT c.conrelid AS table_oid, c.conname AS name, c.contype, c.conkey::int2[] AS conkey,
            ${nullsNotDistinct ? `COALESCE((SELECT i.indnullsnotdistinct FROM pg_index i WHERE i.indexrelid = c.conindid), false)` : 'false'} AS nulls_not_distinct,
            rc.relname::text AS ref_table, rn.nspname::text AS ref_schema,
            ARRAY(SELECT ra.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.attnum
                   ORDER BY k.ord) AS ref_columns,
            c.confdeltype, c.confupdtype, c.condeferrable, c.condeferred,
            CASE WHEN c.contype = 'c' THEN pg_get_expr(c.conbin, c.conrelid) END AS check_expr
       FROM pg_constraint c
       LEFT JOIN pg_class rc ON rc.oid = c.confrelid
       LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
      WHERE c.conrelid = ANY ($1::oid[]) AND c.contype IN ('p', 'f', 'u', 'c')
      ORDER BY c.conrelid, c.conname`,
    [oids],
  );
  const byTable = new Map<number, ConstraintRow[]>();
  for (const row of rows) {
    const list = byTable.get(row.table_oid) ?? [];
    list.push(row);
    byTable.set(row.table_oid, list);
  }
  return byTable;
}

const ACTIONS: Record<string, ReferentialAction | null> = {
  a: null,
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

/** A reference into `public` has no schema, as a model's `ForeignKey("users.id")` has none. */
function foreignKey(c: ConstraintRow, nameOf: (attnum: number) => string): ForeignKey {
  return {
    name: c.name,
    columns: c.conkey.map(nameOf),
    referredSchema: c.ref_schema === 'public' ? null : c.ref_schema,
    referredTable: c.ref_table ?? '',
    referredColumns: c.ref_columns ?? [],
    onDelete: ACTIONS[c.confdeltype] ?? null,
    onUpdate: ACTIONS[c.confupdtype] ?? null,
    deferrable: deferral(c),
    location: null,
  };
}

// ---------------------------------------------------------------------------------------
// Indexes

interface IndexRow {
  table_oid: number;
  name: string;
  unique: boolean;
  key_count: number;
  keys: number[];
  /** Per key column: bit 0 DESC, bit 1 NULLS FIRST (pg_index.indoption). */
  options: number[];
  definitions: string[];
  method: string;
  predicate: string | null;
  nulls_not_distinct: boolean;
  /** Per key column: its operator class when not the default one, else null. */
  operator_classes: (string | null)[];
}

/** Indexes of their own: the ones backing a primary key or unique constraint are part of it. */
async function readIndexes(client: pg.Client, oids: number[], nullsNotDistinct: boolean): Promise<Map<number, IndexRow[]>> {
  const { rows } = await client.query<IndexRow>(
    `SELECT i.indrelid AS table_oid, ic.relname AS name, i.indisunique AS unique,
            ${nullsNotDistinct ? 'i.indnullsnotdistinct' : 'false'} AS nulls_not_distinct,
            ARRAY(SELECT CASE WHEN NOT opc.opcdefault THEN opc.opcname::text END
                    FROM unnest(i.indclass::oid[]) WITH ORDINALITY k(opclass, ord) JOIN pg_opclass opc ON opc.oid = k.opclass
                   ORDER BY k.ord) AS operator_classes,
            i.indnkeyatts AS key_count, i.indkey::int2[] AS keys, i.indoption::int2[] AS options,
            ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnatts) k ORDER BY k) AS definitions,
            am.amname AS method, pg_get_expr(i.indpred, i.indrelid) AS predicate
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam
      WHERE i.indrelid = ANY ($1::oid[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                         WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
      ORDER BY i.indrelid, ic.relname`,
    [oids],
  );
  const byTable = new Map<number, IndexRow[]>();
  for (const row of rows) {
    const list = byTable.get(row.table_oid) ?? [];
    list.push(row);
    byTable.set(row.table_oid, list);
  }
  return byTable;
}

/**
 * A key column sorted other than ascending (`expires_at DESC`) is an expression element, as
 * the model has no other place for the ordering.
 */
function index(row: IndexRow, nameOf: (attnum: number) => string): Index {
  const elements: IndexElement[] = row.keys.slice(0, row.key_count).map((attnum, i) => {
    const ordering = orderingOf(row.options[i] ?? 0);
    if (attnum !== 0 && ordering === '') return { column: nameOf(attnum) };
    return { expression: `${row.definitions[i] ?? ''}${ordering}` };
  });
  return {
    name: row.name,
    unique: row.unique,
    elements,
    where: row.predicate,
    using: row.method === 'btree' ? null : row.method,
    include: row.keys.slice(row.key_count).map(nameOf),
    nullsNotDistinct: row.nulls_not_distinct,
    operatorClasses: Object.fromEntries(
      elements.flatMap((e, i) => ('column' in e && row.operator_classes[i] ? [[e.column, row.operator_classes[i]!]] : [])),
    ),
    location: null,
  };
}

function orderingOf(option: number): string {
  const desc = (option & 1) !== 0;
  const nullsFirst = (option & 2) !== 0;
  // Each direction's default NULLS placement goes unsaid, as PostgreSQL prints it.
  if (desc) return nullsFirst ? ' DESC' : ' DESC NULLS LAST';
  return nullsFirst ? ' NULLS FIRST' : '';
}

// ---------------------------------------------------------------------------------------
// Enums

async function readEnums(client: pg.Client, schemaName: string, schema: string | null): Promise<EnumType[]> {
  const { rows } = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t
       JOIN pg_namespace n ON n.oid = t.typnamespace
       JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE n.nspname = $1
      GROUP BY t.typname
      ORDER BY t.typname`,
    [schemaName],
  );
  return rows.map((r) => ({ name: r.name, schema, labels: r.labels, location: null }));
}

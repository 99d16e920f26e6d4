/**
 * The schema model: the one data type that flows from the reader to the planner, the
 * verifier (which builds one from a live catalog) and the reports.
 *
 * Everything here describes what PostgreSQL ends up with, not how the models spelled it:
 * types are PostgreSQL types as `format_type()` prints them, constraint names are the names
 * the database will hold (explicit, from the naming convention, or the one PostgreSQL picks
 * for an unnamed constraint). That makes a schema read from models and a schema read from a
 * catalog directly comparable.
 *
 * Plain JSON-serialisable data only: no classes, no functions, no Maps.
 */

/** Where an element came from. `file` is the path as the source tree names it. */
export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Schema {
  tables: Table[];
  enums: EnumType[];
}

export interface EnumType {
  name: string;
  schema: string | null;
  /** In declaration order: PostgreSQL sorts enum values by it. */
  labels: string[];
  location: SourceLocation | null;
}

export interface Table {
  name: string;
  schema: string | null;
  comment: string | null;
  /** In `CREATE TABLE` order. */
  columns: Column[];
  primaryKey: PrimaryKey | null;
  foreignKeys: ForeignKey[];
  uniqueConstraints: UniqueConstraint[];
  indexes: Index[];
  checkConstraints: CheckConstraint[];
  /** The `info` dict of `__table_args__` / `Table(..., info=)`, as JSON. */
  info: Record<string, unknown>;
  location: SourceLocation | null;
}

/**
 * A PostgreSQL type. `name` is `format_type()` without modifiers or array brackets
 * (`character varying`, `timestamp with time zone`, `numeric`, or an enum's name).
 */
export interface ColumnType {
  name: string;
  /** `character varying(n)`, `character(n)`, `bit(n)`. */
  length: number | null;
  /** `numeric(p, s)`, `timestamp(p)`, `time(p)`, `interval(p)`. */
  precision: number | null;
  scale: number | null;
  /** 0 for a scalar; `integer[]` is 1. */
  arrayDimensions: number;
  /** True when `name` is a user-defined enum type listed in `Schema.enums`. */
  isEnum: boolean;
}

export interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /**
   * The DDL default as SQL (`'active'`, `now()`, `false`), or null. Never set for a
   * serial column: its `nextval(...)` default is implied by `serial`.
   */
  serverDefault: string | null;
  /** A Python-side `default=`: no DDL, but a literal one is a sound backfill value. */
  default: PythonDefault | null;
  /** SQLAlchemy renders a lone integer primary key as SERIAL / BIGSERIAL / SMALLSERIAL. */
  serial: boolean;
  identity: Identity | null;
  computed: Computed | null;
  comment: string | null;
  info: Record<string, unknown>;
  location: SourceLocation | null;
}

export interface PythonDefault {
  /** The expression as written in the model. */
  python: string;
  /** The same value as a SQL literal when it is a plain constant, else null (a callable). */
  sql: string | null;
}

export interface Identity {
  always: boolean;
  start: number | null;
  increment: number | null;
}

export interface Computed {
  expression: string;
  /** PostgreSQL only has stored generated columns. */
  persisted: boolean;
}

export interface PrimaryKey {
  name: string;
  columns: string[];
  location: SourceLocation | null;
}

export type ReferentialAction = 'CASCADE' | 'SET NULL' | 'SET DEFAULT' | 'RESTRICT' | 'NO ACTION';

/**
 * `DEFERRABLE INITIALLY IMMEDIATE` / `DEFERRABLE INITIALLY DEFERRED` (`deferrable=True`,
 * `initially="DEFERRED"`); a constraint without one is NOT DEFERRABLE, PostgreSQL's default.
 */
export type Deferral = 'immediate' | 'deferred';

export interface ForeignKey {
  name: string;
  columns: string[];
  referredSchema: string | null;
  referredTable: string;
  referredColumns: string[];
  /** null means PostgreSQL's default, NO ACTION. */
  onDelete: ReferentialAction | null;
  onUpdate: ReferentialAction | null;
  deferrable?: Deferral;
  location: SourceLocation | null;
}

export interface UniqueConstraint {
  name: string;
  columns: string[];
  /** `postgresql_nulls_not_distinct=True` (PostgreSQL 15+): NULLs count as equal. */
  nullsNotDistinct: boolean;
  deferrable?: Deferral;
  location: SourceLocation | null;
}

export type IndexElement = { column: string } | { expression: string };

export interface Index {
  name: string;
  unique: boolean;
  elements: IndexElement[];
  /** Partial index predicate (`postgresql_where=`), as SQL. */
  where: string | null;
  /** Access method (`postgresql_using=`); null means btree. */
  using: string | null;
  /** Covering columns (`postgresql_include=`). */
  include: string[];
  /** `postgresql_nulls_not_distinct=True` (PostgreSQL 15+), for a unique index. */
  nullsNotDistinct: boolean;
  /** Column name → operator class other than the default (`postgresql_ops=`), e.g. `gin_trgm_ops`. */
  operatorClasses: Record<string, string>;
  location: SourceLocation | null;
}

export interface CheckConstraint {
  name: string;
  expression: string;
  location: SourceLocation | null;
}

export type Severity = 'error' | 'warning' | 'info';

/** Something a stage could not determine or wants a person to know, pointing at the source. */
export interface Diagnostic {
  severity: Severity;
  /** Stable kebab-case identifier, e.g. `unknown-column-type`. */
  code: string;
  message: string;
  location: SourceLocation | null;
}

export function qualifiedName(t: { schema: string | null; name: string }): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name;
}

export function emptySchema(): Schema {
  return { tables: [], enums: [] };
}

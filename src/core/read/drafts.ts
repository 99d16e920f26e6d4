import type {
  ColumnType,
  Computed,
  Deferral,
  EnumType,
  Identity,
  PythonDefault,
  ReferentialAction,
  SourceLocation,
} from '../schema/model.js';
import type { ClassInfo } from './classes.js';
import type { MetadataInfo } from './declarative.js';

/**
 * What the reader knows of a table before names are chosen and foreign-key types are
 * filled in. Columns are referred to by key (the attribute name in a mapped class), as
 * SQLAlchemy's `table.c[...]` does; the database names come in at the end.
 */
export interface TableDraft {
  name: string;
  schema: string | null;
  comment: string | null;
  info: Record<string, unknown>;
  columns: ColumnDraft[];
  /** From `PrimaryKeyConstraint(...)`; null means the columns with `primary_key=True`. */
  primaryKey: { name: string | null; columns: string[]; location: SourceLocation } | null;
  foreignKeys: ForeignKeyDraft[];
  uniques: { name: string | null; columns: string[]; nullsNotDistinct: boolean; deferrable?: Deferral; location: SourceLocation }[];
  indexes: IndexDraft[];
  checks: CheckDraft[];
  metadata: MetadataInfo;
  location: SourceLocation;
  /** The mapped class, for `ForeignKey(User.id)` and inheritance. */
  cls: ClassInfo | null;
}

export interface ColumnDraft {
  /** The attribute name of a mapped class (the column key of a `Table(...)` column). */
  key: string;
  name: string;
  /** SQLAlchemy's `Column.key`: `key=` when given, else the name. Strings in constraints name it. */
  columnKey: string;
  /** Null: take the type of the column the foreign key refers to. */
  type: ColumnType | null;
  enum: EnumType | null;
  nullable: boolean;
  primaryKey: boolean;
  index: boolean;
  unique: boolean;
  serverDefault: string | null;
  default: PythonDefault | null;
  /** SQLAlchemy's `autoincrement=`: 'auto' unless given. */
  autoincrement: boolean | 'auto' | 'ignore_fk';
  identity: Identity | null;
  computed: Computed | null;
  comment: string | null;
  info: Record<string, unknown>;
  /** `mapped_column(sort_order=)`. */
  sortOrder: number;
  location: SourceLocation;
  /** Checks written inside the column, `Column(..., CheckConstraint(...))`. */
  checks: CheckDraft[];
  foreignKeys: ForeignKeyDraft[];
}

/** Where a foreign key points, before the referred table is known. */
export type ForeignKeyTarget =
  /** `"users.id"` / `"auth.users.id"`. */
  | { kind: 'string'; spec: string }
  /** `User.id`. */
  | { kind: 'attribute'; cls: ClassInfo; attribute: string }
  /** `users_table.c.id`: `table` is the `Table(...)` call's key (see `nodeKey`). */
  | { kind: 'table-column'; table: string; column: string };

export interface ForeignKeyDraft {
  name: string | null;
  columns: string[];
  targets: ForeignKeyTarget[];
  onDelete: ReferentialAction | null;
  onUpdate: ReferentialAction | null;
  deferrable?: Deferral;
  location: SourceLocation;
}

export type IndexElementDraft = { key: string } | { expression: string };

export interface IndexDraft {
  name: string | null;
  unique: boolean;
  elements: IndexElementDraft[];
  where: string | null;
  using: string | null;
  include: string[];
  nullsNotDistinct: boolean;
  /** Column key → operator class. */
  operatorClasses: Record<string, string>;
  location: SourceLocation;
}

export interface CheckDraft {
  name: string | null;
  expression: string;
  /**
   * The column keys a naming convention's column tokens see: none for SQL text (SQLAlchemy
   * then fills them with ''), null for a clause, whose columns are not tracked.
   */
  columns: string[] | null;
  location: SourceLocation;
}

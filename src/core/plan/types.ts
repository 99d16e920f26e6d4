import type {
  CheckConstraint,
  Column,
  ColumnType,
  EnumType,
  ForeignKey,
  Identity,
  Index,
  PrimaryKey,
  Severity,
  SourceLocation,
  Table,
  UniqueConstraint,
} from '../schema/model.js';

/** A rename a person confirmed: `tasks.status=current_status` (column) or `bots=flowbots` (table). */
export type RenameRequest =
  | { kind: 'column'; table: string; from: string; to: string }
  | { kind: 'table'; from: string; to: string };

export interface PlanOptions {
  renames: RenameRequest[];
  /** Confirms drops, narrowing type changes and enum value removals. */
  allowDataLoss: boolean;
  /**
   * Build new indexes on existing tables with CREATE INDEX CONCURRENTLY (and drop them
   * concurrently). Off by default: a concurrent build runs outside the migration's
   * transaction, so a failure leaves an INVALID index behind and the revision is no longer
   * all-or-nothing; teams with large tables opt in.
   */
  concurrentIndexes?: boolean;
  /**
   * Tables (as `--assume-empty` names them) a person says hold no rows, e.g. created one
   * revision ago: a NOT NULL column with no value for existing rows is added to them as is.
   */
  assumeEmpty?: string[];
}

/** What would let a refused plan through; rendered as a CLI flag or a PR command. */
export type Confirmation =
  | { kind: 'allow-data-loss' }
  /** `from` is `table.column` for a column, `table` for a table; `to` is the new name. */
  | { kind: 'rename'; from: string; to: string }
  /** The table holds no rows, so a NOT NULL column needs no value for them. */
  | { kind: 'assume-empty'; table: string };

export type ConstraintDef =
  | ({ kind: 'primaryKey' } & PrimaryKey)
  | ({ kind: 'unique' } & UniqueConstraint)
  | ({ kind: 'foreignKey' } & ForeignKey)
  | ({ kind: 'check' } & CheckConstraint);

/** One change to one aspect of a column, so each maps to exactly one SQL statement. */
export type ColumnChange =
  | { kind: 'type'; type: ColumnType; /** `postgresql_using` expression, when PostgreSQL needs one. */ using: string | null }
  | { kind: 'nullable'; nullable: boolean }
  | { kind: 'serverDefault'; serverDefault: string | null }
  | { kind: 'comment'; comment: string | null }
  | { kind: 'rename'; newName: string };

/**
 * A column whose type is an enum being rebuilt. A default cannot be cast between the old and
 * the new type: `defaultBefore` is dropped before the conversion and `defaultAfter` set after.
 */
export interface EnumColumnUse {
  schema: string | null;
  table: string;
  column: string;
  arrayDimensions: number;
  defaultBefore: string | null;
  defaultAfter: string | null;
}

export interface EnumRef {
  schema: string | null;
  name: string;
}

/**
 * A primitive step: the renderers turn each into one `op.*` call (or one small block) and
 * the equivalent SQL statements. `why` is the short comment a reviewer needs before a
 * non-obvious step.
 */
export type Operation = OperationBody & { why?: string };

export type OperationBody =
  /** `CREATE EXTENSION IF NOT EXISTS`: what an operator class needs; never dropped again. */
  | { kind: 'createExtension'; name: string }
  /**
   * Creates the type if it is missing (an older migration may have left it) and, only when it
   * creates it, marks it as created here, so that a downgrade drops no type it did not create.
   */
  | { kind: 'createEnum'; enum: EnumType }
  /** `ifCreatedHere`: the undo of a `createEnum`, dropping the type only if that step created it. */
  | { kind: 'dropEnum'; enum: EnumType; ifCreatedHere: boolean }
  /** `ALTER TYPE ... ADD VALUE`, outside the transaction. At most one of before/after is set. */
  | { kind: 'addEnumValue'; enum: EnumRef; value: string; before: string | null; after: string | null }
  /** Rename old type, create the new one, convert every column, drop the old one. */
  | { kind: 'rebuildEnum'; enum: EnumRef; labels: string[]; columns: EnumColumnUse[] }
  /** Indexes are separate `createIndex` operations; `table.indexes` is ignored. */
  | { kind: 'createTable'; table: Table }
  | { kind: 'dropTable'; table: Table }
  | { kind: 'renameTable'; schema: string | null; from: string; to: string }
  | { kind: 'setTableComment'; schema: string | null; table: string; comment: string | null; existing: string | null }
  | { kind: 'addColumn'; schema: string | null; table: string; column: Column }
  | { kind: 'dropColumn'; schema: string | null; table: string; column: Column }
  /** `existing` is the column as it is just before this step. */
  | { kind: 'alterColumn'; schema: string | null; table: string; existing: Column; change: ColumnChange }
  /** `ALTER COLUMN ... DROP EXPRESSION`: a generated column becomes a plain one, keeping its values. */
  | { kind: 'dropExpression'; schema: string | null; table: string; column: string }
  /** `UPDATE table SET column = value WHERE column IS NULL`. */
  | { kind: 'backfill'; schema: string | null; table: string; column: string; value: string }
  | { kind: 'createIndex'; schema: string | null; table: string; index: Index; concurrently: boolean }
  | { kind: 'dropIndex'; schema: string | null; table: string; index: Index; concurrently: boolean }
  | { kind: 'renameIndex'; schema: string | null; table: string; from: string; to: string }
  | { kind: 'addConstraint'; schema: string | null; table: string; constraint: ConstraintDef }
  | { kind: 'dropConstraint'; schema: string | null; table: string; constraint: ConstraintDef }
  | { kind: 'renameConstraint'; schema: string | null; table: string; from: string; to: string }
  | { kind: 'renameSequence'; schema: string | null; from: string; to: string }
  /** `ALTER SEQUENCE ... AS type`: a serial column's sequence keeps its type when the column's changes. */
  | { kind: 'setSequenceType'; schema: string | null; sequence: string; type: ColumnType }
  /** Switches how a column numbers new rows; the sequence continues after the existing values. */
  | { kind: 'changeNumbering'; schema: string | null; table: string; column: string; type: ColumnType; from: Numbering; to: Numbering };

/** How a column gets values for new rows: nothing, SERIAL (a sequence default), or an identity. */
export type Numbering = { kind: 'none' } | { kind: 'serial' } | { kind: 'identity'; identity: Identity };

export type OperationKind = OperationBody['kind'];

/**
 * One logical change. `downgrade` undoes exactly this change; the plan's downgrade is every
 * operation's `downgrade`, operations taken in reverse order.
 */
export interface PlannedOperation {
  /** Lower-case phrase for messages and revision slugs: "add last_login to users". */
  summary: string;
  /** Qualified name of the table it touches, or null (enum types). */
  table: string | null;
  upgrade: Operation[];
  downgrade: Operation[];
}

export type RiskRuleId =
  | 'drop-table'
  | 'drop-column'
  | 'narrow-type'
  | 'unconfirmed-rename'
  | 'enum-remove-value'
  | 'rename-column'
  | 'rename-table'
  | 'change-type-rewrite'
  | 'change-type-cheap'
  | 'cast-needed'
  | 'add-column-volatile-default'
  | 'add-column-default'
  | 'add-not-null-no-default'
  | 'set-not-null'
  | 'drop-not-null'
  | 'add-foreign-key'
  | 'add-check'
  | 'add-unique-constraint'
  | 'add-primary-key'
  | 'create-index'
  | 'drop-index'
  | 'enum-add-value'
  | 'change-fk-action'
  | 'change-server-default'
  | 'add-not-null-python-default'
  | 'no-lock-timeout';

export interface Finding {
  rule: RiskRuleId;
  severity: Severity;
  /** Qualified table name, or null for an enum type. */
  table: string | null;
  column: string | null;
  /** The model line: the head element, or the base element for something removed. */
  location: SourceLocation | null;
  /** One sentence: what happens in PostgreSQL. */
  message: string;
  /** One sentence: the safe alternative. */
  fix: string;
  /**
   * For errors: any one of these lets the change through (empty when only a model change
   * can, as for a NOT NULL column with no value to fill existing rows with).
   */
  confirmations: Confirmation[];
  /** An error the options already confirm (it stays listed, but does not refuse the plan). */
  confirmed: boolean;
  /** Index into `Plan.operations`, or null. */
  operation: number | null;
  /**
   * Which side of the revision runs the statement. A downgrade finding never refuses the plan
   * (its severity is at most `warning`): it says what rolling back would do.
   */
  side: 'upgrade' | 'downgrade';
}

/** A dropped + added pair with compatible definitions that may be one rename. */
export interface PossibleRename {
  kind: 'column' | 'table';
  /** Qualified table name (the table holding the column, or the old table name). */
  table: string;
  from: string;
  to: string;
  confirmation: Confirmation;
}

export interface Plan {
  operations: PlannedOperation[];
  findings: Finding[];
  possibleRenames: PossibleRename[];
  /** True when an error finding is not confirmed: nothing may be written. */
  refused: boolean;
  /** Some step (upgrade or downgrade) takes a lock that holds up an existing table's traffic: set `lock_timeout`. */
  needsLockTimeout: boolean;
  /** Some step scans or rewrites an existing table under its lock: set `statement_timeout`. */
  scansExistingTable: boolean;
  /** Qualified names of the tables whose emptiness (`assumeEmpty`) a step relies on. */
  assumedEmpty: string[];
  /** Every enum type the operations mention (head labels where the type survives), for rendering column types. */
  enums: EnumType[];
}

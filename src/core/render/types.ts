/** How the backend writes its revisions; the backend stage fills it from existing files. */
export interface RenderStyle {
  /** Wrap index and constraint names in `op.f()`, as autogenerate does with a naming convention. */
  wrapNamesInOpF: boolean;
  /**
   * `SET LOCAL lock_timeout` value opening upgrade() and downgrade() (e.g. `'5s'`). When null
   * and the plan `needsLockTimeout`, `DEFAULT_LOCK_TIMEOUT` is used: a migration that locks an
   * existing table never runs without one.
   */
  lockTimeout: string | null;
  /** One level of indentation inside upgrade()/downgrade(), e.g. four spaces. */
  indent: string;
}

export interface AlembicBody {
  /** Import lines beyond the template's `from alembic import op` / `import sqlalchemy as sa`. */
  imports: string[];
  /** The indented body of upgrade() (always at least one statement: `pass`). */
  upgrade: string;
  downgrade: string;
}

export interface SqlStatement {
  sql: string;
  /** False for steps that must run outside a transaction (CONCURRENTLY, ADD VALUE). */
  transactional: boolean;
  /** The locks it takes, e.g. `ACCESS EXCLUSIVE on tasks`, `SHARE on tasks (new)`, or `none`. */
  lock: string;
  /** Its locks on tables that exist before the side runs (`SHARE ROW EXCLUSIVE on users`): what can hold up traffic. */
  existingTableLocks: string[];
  /** Index into `Plan.operations`, or null for the lock_timeout preamble. */
  operation: number | null;
}

export interface SqlScript {
  upgrade: SqlStatement[];
  downgrade: SqlStatement[];
}

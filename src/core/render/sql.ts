import type { Column, ColumnType, EnumType, ForeignKey, Identity, Index, Table } from '../schema/model.js';
import { qualify, quoteIdent, quoteLiteral, typeSql } from '../plan/sql-quote.js';
import { formatLocks, sideLocks } from '../plan/locks.js';
import { formatDeferral } from '../schema/format.js';
import type { ConstraintDef, EnumColumnUse, EnumRef, Operation, Plan } from '../plan/types.js';
import type { RenderStyle, SqlScript, SqlStatement } from './types.js';

/** The lock_timeout used when the plan takes locks on existing tables and the backend sets none. */
export const DEFAULT_LOCK_TIMEOUT = '5s';

/**
 * The statement_timeout set for the steps that scan or rewrite an existing table: bounds how
 * long one holds its lock. A larger table needs more, set by editing the revision.
 */
export const DEFAULT_STATEMENT_TIMEOUT = '5min';

/** The lock_timeout a rendered migration opens with, or null for none. */
export function lockTimeoutFor(plan: Plan, style: Pick<RenderStyle, 'lockTimeout'> | undefined): string | null {
  return style?.lockTimeout ?? (plan.needsLockTimeout ? DEFAULT_LOCK_TIMEOUT : null);
}

export function lockTimeoutSql(timeout: string): string {
  return `SET LOCAL lock_timeout = ${quoteLiteral(timeout)}`;
}

export function statementTimeoutSql(timeout: string): string {
  return `SET LOCAL statement_timeout = ${quoteLiteral(timeout)}`;
}

/** The `SET LOCAL` statements each transaction of a side opens with (both are gone at its commit). */
export function timeoutPreamble(plan: Plan, style: Pick<RenderStyle, 'lockTimeout'> | undefined): string[] {
  const timeout = lockTimeoutFor(plan, style);
  return [...(timeout ? [lockTimeoutSql(timeout)] : []), ...(plan.scansExistingTable ? [statementTimeoutSql(DEFAULT_STATEMENT_TIMEOUT)] : [])];
}

/**
 * The plan as PostgreSQL statements, the same ones Alembic runs for the rendered revision
 * (upgrade, then downgrade: each operation's downgrade, operations in reverse order).
 */
export function renderSql(plan: Plan, style?: Pick<RenderStyle, 'lockTimeout'>): SqlScript {
  const sql = new SqlWriter(plan.enums);
  const preamble = timeoutPreamble(plan, style);
  const side = (entries: { ops: Operation[]; index: number }[]) => {
    const indexOf = new Map(entries.flatMap(({ ops, index }) => ops.map((o) => [o, index] as const)));
    const statements = sideLocks(entries.flatMap((e) => e.ops)).flatMap(({ op, locks }) =>
      sql.statements(op).map((s): SqlStatement => ({
        ...s,
        lock: formatLocks(locks),
        existingTableLocks: locks.filter((l) => l.kind === 'table' && !l.onNewTable).map((l) => `${l.mode} on ${l.name}`),
        operation: indexOf.get(op)!,
      })),
    );
    return withPreamble(statements, preamble);
  };
  return {
    upgrade: side(plan.operations.map((op, index) => ({ ops: op.upgrade, index }))),
    downgrade: side(plan.operations.map((op, index) => ({ ops: op.downgrade, index })).reverse()),
  };
}

/** `SET LOCAL` lasts for one transaction: set it at the start and after every autocommit step. */
function withPreamble(statements: SqlStatement[], preamble: string[]): SqlStatement[] {
  if (!preamble.length) return statements;
  const set = preamble.map((sql): SqlStatement => ({ sql, transactional: true, lock: 'none', existingTableLocks: [], operation: null }));
  const out: SqlStatement[] = [...set];
  statements.forEach((s, i) => {
    out.push(s);
    const next = statements[i + 1];
    if (!s.transactional && next?.transactional) out.push(...set);
  });
  return out;
}

type Statement = Pick<SqlStatement, 'sql' | 'transactional'>;

/** SQL for single operations; the Alembic renderer uses it for steps it writes as `op.execute`. */
export class SqlWriter {
  constructor(private readonly enums: EnumType[]) {}

  type(type: ColumnType): string {
    return typeSql(type, type.isEnum ? (this.enums.find((e) => e.name === type.name)?.schema ?? null) : null);
  }

  statements(op: Operation): Statement[] {
    const tx = (sql: string): Statement => ({ sql, transactional: true });
    switch (op.kind) {
      case 'createExtension':
        return [tx(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(op.name)}`)];
      case 'createEnum':
        return [tx(createEnumIfMissing(op.enum))];
      case 'dropEnum':
        return [tx(op.ifCreatedHere ? dropEnumIfCreatedHere(op.enum) : `DROP TYPE ${qualify(op.enum.schema, op.enum.name)}`)];
      case 'addEnumValue': {
        // It commits on its own: if a later step fails, a retry must not trip over it.
        const position = op.before !== null ? ` BEFORE ${quoteLiteral(op.before)}` : op.after !== null ? ` AFTER ${quoteLiteral(op.after)}` : '';
        return [{ sql: `ALTER TYPE ${qualify(op.enum.schema, op.enum.name)} ADD VALUE IF NOT EXISTS ${quoteLiteral(op.value)}${position}`, transactional: false }];
      }
      case 'rebuildEnum':
        return this.rebuildEnum(op.enum, op.labels, op.columns).map(tx);
      case 'createTable':
        return this.createTable(op.table).map(tx);
      case 'dropTable':
        return [tx(`DROP TABLE ${qualify(op.table.schema, op.table.name)}`)];
      case 'renameTable':
        return [tx(`ALTER TABLE ${qualify(op.schema, op.from)} RENAME TO ${quoteIdent(op.to)}`)];
      case 'setTableComment':
        return [tx(`COMMENT ON TABLE ${qualify(op.schema, op.table)} IS ${commentLiteral(op.comment)}`)];
      case 'addColumn': {
        const t = qualify(op.schema, op.table);
        const out = [tx(`ALTER TABLE ${t} ADD COLUMN ${this.columnDef(op.column)}`)];
        if (op.column.comment !== null) {
          out.push(tx(`COMMENT ON COLUMN ${t}.${quoteIdent(op.column.name)} IS ${commentLiteral(op.column.comment)}`));
        }
        return out;
      }
      case 'dropColumn':
        return [tx(`ALTER TABLE ${qualify(op.schema, op.table)} DROP COLUMN ${quoteIdent(op.column.name)}`)];
      case 'alterColumn':
        return [tx(this.alterColumn(op))];
      case 'backfill': {
        const c = quoteIdent(op.column);
        return [tx(`UPDATE ${qualify(op.schema, op.table)} SET ${c} = ${op.value} WHERE ${c} IS NULL`)];
      }
      case 'createIndex':
        return [{ sql: this.createIndex(op.schema, op.table, op.index, op.concurrently), transactional: !op.concurrently }];
      case 'dropIndex':
        return [{ sql: `DROP INDEX ${op.concurrently ? 'CONCURRENTLY IF EXISTS ' : ''}${qualify(op.schema, op.index.name)}`, transactional: !op.concurrently }];
      case 'renameIndex':
        return [tx(`ALTER INDEX ${qualify(op.schema, op.from)} RENAME TO ${quoteIdent(op.to)}`)];
      case 'addConstraint':
        return [tx(`ALTER TABLE ${qualify(op.schema, op.table)} ADD ${this.constraintDef(op.constraint)}`)];
      case 'dropConstraint':
        return [tx(`ALTER TABLE ${qualify(op.schema, op.table)} DROP CONSTRAINT ${quoteIdent(op.constraint.name)}`)];
      case 'renameConstraint':
        return [tx(`ALTER TABLE ${qualify(op.schema, op.table)} RENAME CONSTRAINT ${quoteIdent(op.from)} TO ${quoteIdent(op.to)}`)];
      case 'dropExpression':
        return [tx(`ALTER TABLE ${qualify(op.schema, op.table)} ALTER COLUMN ${quoteIdent(op.column)} DROP EXPRESSION`)];
      case 'setSequenceType':
        return [tx(`ALTER SEQUENCE ${qualify(op.schema, op.sequence)} AS ${this.type(op.type)}`)];
      case 'changeNumbering':
        return this.changeNumbering(op).map(tx);
      case 'renameSequence':
        return [tx(`ALTER SEQUENCE ${qualify(op.schema, op.from)} RENAME TO ${quoteIdent(op.to)}`)];
    }
  }

  /**
   * PostgreSQL cannot drop or reorder enum labels: rename the old type away, create the new
   * one, convert each column through text (dropping and restoring its default, which
   * cannot be cast between the two types), then drop the old type.
   */
  rebuildEnum(ref: EnumRef, labels: string[], columns: EnumColumnUse[]): string[] {
    const type = qualify(ref.schema, ref.name);
    const oldName = `${ref.name}_old`;
    const out = [`ALTER TYPE ${type} RENAME TO ${quoteIdent(oldName)}`, createEnum(ref, labels)];
    for (const c of columns) {
      const t = qualify(c.schema, c.table);
      const col = quoteIdent(c.column);
      const dims = '[]'.repeat(c.arrayDimensions);
      if (c.defaultBefore !== null) out.push(`ALTER TABLE ${t} ALTER COLUMN ${col} DROP DEFAULT`);
      out.push(`ALTER TABLE ${t} ALTER COLUMN ${col} TYPE ${type}${dims} USING ${col}::text${dims}::${type}${dims}`);
      if (c.defaultAfter !== null) out.push(`ALTER TABLE ${t} ALTER COLUMN ${col} SET DEFAULT ${c.defaultAfter}`);
    }
    out.push(`DROP TYPE ${qualify(ref.schema, oldName)}`);
    return out;
  }

  /**
   * Drops the old way of numbering rows, adds the new one, and moves its sequence past the
   * existing values so the next insert does not collide with them.
   */
  changeNumbering(op: Extract<Operation, { kind: 'changeNumbering' }>): string[] {
    const t = qualify(op.schema, op.table);
    const col = quoteIdent(op.column);
    const sequence = qualify(op.schema, `${op.table}_${op.column}_seq`);
    const out: string[] = [];
    if (op.from.kind === 'serial') out.push(`ALTER TABLE ${t} ALTER COLUMN ${col} DROP DEFAULT`, `DROP SEQUENCE ${sequence}`);
    if (op.from.kind === 'identity') out.push(`ALTER TABLE ${t} ALTER COLUMN ${col} DROP IDENTITY`);
    if (op.to.kind === 'none') return out;
    if (op.to.kind === 'serial') {
      out.push(
        `CREATE SEQUENCE ${sequence} AS ${this.type(op.type)} OWNED BY ${t}.${col}`,
        `ALTER TABLE ${t} ALTER COLUMN ${col} SET DEFAULT nextval(${quoteLiteral(sequence)}::regclass)`,
      );
    } else {
      out.push(`ALTER TABLE ${t} ALTER COLUMN ${col} ADD ${identityClause(op.to.identity)}`);
    }
    out.push(`SELECT setval(pg_get_serial_sequence(${quoteLiteral(t)}, ${quoteLiteral(op.column)}), max(${col})) FROM ${t} HAVING max(${col}) IS NOT NULL`);
    return out;
  }

  createTable(table: Table): string[] {
    const t = qualify(table.schema, table.name);
    const lines = table.columns.map((c) => this.columnDef(c, table));
    if (table.primaryKey) lines.push(this.constraintDef({ kind: 'primaryKey', ...table.primaryKey }));
    for (const u of table.uniqueConstraints) lines.push(this.constraintDef({ kind: 'unique', ...u }));
    for (const c of table.checkConstraints) lines.push(this.constraintDef({ kind: 'check', ...c }));
    for (const fk of table.foreignKeys) lines.push(this.constraintDef({ kind: 'foreignKey', ...fk }));
    const out = [`CREATE TABLE ${t} (\n    ${lines.join(',\n    ')}\n)`];
    if (table.comment !== null) out.push(`COMMENT ON TABLE ${t} IS ${commentLiteral(table.comment)}`);
    for (const c of table.columns) {
      if (c.comment !== null) out.push(`COMMENT ON COLUMN ${t}.${quoteIdent(c.name)} IS ${commentLiteral(c.comment)}`);
    }
    return out;
  }

  columnDef(c: Column, table?: Table): string {
    const parts = [quoteIdent(c.name), c.serial && isPrimaryKeyOf(c, table) !== false ? serialType(c.type) : this.type(c.type)];
    if (c.identity) parts.push(identityClause(c.identity));
    if (c.computed) parts.push(`GENERATED ALWAYS AS (${c.computed.expression}) STORED`);
    if (c.serverDefault !== null) parts.push(`DEFAULT ${c.serverDefault}`);
    if (!c.nullable) parts.push('NOT NULL');
    return parts.join(' ');
  }

  constraintDef(c: ConstraintDef): string {
    const name = `CONSTRAINT ${quoteIdent(c.name)} `;
    const cols = (names: string[]) => names.map(quoteIdent).join(', ');
    switch (c.kind) {
      case 'primaryKey':
        return `${name}PRIMARY KEY (${cols(c.columns)})`;
      case 'unique':
        return [`${name}UNIQUE ${c.nullsNotDistinct ? 'NULLS NOT DISTINCT ' : ''}(${cols(c.columns)})`, formatDeferral(c.deferrable)].filter(Boolean).join(' ');
      case 'check':
        return `${name}CHECK (${c.expression})`;
      case 'foreignKey':
        return `${name}${foreignKeyBody(c)}`;
    }
  }

  createIndex(schema: string | null, table: string, index: Index, concurrently: boolean): string {
    const opclass = (column: string) => (index.operatorClasses[column] ? ` ${index.operatorClasses[column]}` : '');
    const elements = index.elements.map((e) => ('column' in e ? quoteIdent(e.column) + opclass(e.column) : indexExpression(e.expression)));
    return [
      `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${concurrently ? 'CONCURRENTLY IF NOT EXISTS ' : ''}${quoteIdent(index.name)}`,
      `ON ${qualify(schema, table)}${index.using ? ` USING ${index.using}` : ''} (${elements.join(', ')})`,
      index.include.length ? `INCLUDE (${index.include.map(quoteIdent).join(', ')})` : null,
      index.nullsNotDistinct ? 'NULLS NOT DISTINCT' : null,
      index.where !== null ? `WHERE ${index.where}` : null,
    ]
      .filter((x) => x !== null)
      .join(' ');
  }

  private alterColumn(op: Extract<Operation, { kind: 'alterColumn' }>): string {
    const t = qualify(op.schema, op.table);
    const col = quoteIdent(op.existing.name);
    const alter = (rest: string) => `ALTER TABLE ${t} ALTER COLUMN ${col} ${rest}`;
    const change = op.change;
    switch (change.kind) {
      case 'type':
        return alter(`TYPE ${this.type(change.type)}${change.using ? ` USING ${change.using}` : ''}`);
      case 'nullable':
        return alter(change.nullable ? 'DROP NOT NULL' : 'SET NOT NULL');
      case 'serverDefault':
        return alter(change.serverDefault === null ? 'DROP DEFAULT' : `SET DEFAULT ${change.serverDefault}`);
      case 'comment':
        return `COMMENT ON COLUMN ${t}.${col} IS ${commentLiteral(change.comment)}`;
      case 'rename':
        return `ALTER TABLE ${t} RENAME COLUMN ${col} TO ${quoteIdent(change.newName)}`;
    }
  }
}

function identityClause(identity: Identity): string {
  const options = [
    identity.start !== null ? `START WITH ${identity.start}` : null,
    identity.increment !== null ? `INCREMENT BY ${identity.increment}` : null,
  ].filter((x) => x !== null);
  return `GENERATED ${identity.always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY${options.length ? ` (${options.join(' ')})` : ''}`;
}

/**
 * The comment that marks an enum type as made by a `createEnum` step. PostgreSQL records
 * nothing else that tells, at downgrade time, a type the upgrade created from one that was
 * already there; no model declares a type comment, so nothing compares or changes it.
 */
export const CREATED_HERE = 'created by flow-migrate: the downgrade of the revision that created it drops it';

function createEnumIfMissing(e: EnumType): string {
  const type = qualify(e.schema, e.name);
  return [
    'DO $$ BEGIN',
    `  IF to_regtype(${quoteLiteral(type)}) IS NULL THEN`,
    `    ${createEnum(e, e.labels)};`,
    `    COMMENT ON TYPE ${type} IS ${quoteLiteral(CREATED_HERE)};`,
    '  END IF;',
    'END $$',
  ].join('\n');
}

function dropEnumIfCreatedHere(e: EnumType): string {
  const type = qualify(e.schema, e.name);
  return [
    'DO $$ BEGIN',
    `  IF obj_description(to_regtype(${quoteLiteral(type)}), 'pg_type') = ${quoteLiteral(CREATED_HERE)} THEN`,
    `    DROP TYPE ${type};`,
    '  END IF;',
    'END $$',
  ].join('\n');
}

function createEnum(ref: EnumRef, labels: string[]): string {
  return `CREATE TYPE ${qualify(ref.schema, ref.name)} AS ENUM (${labels.map(quoteLiteral).join(', ')})`;
}

function foreignKeyBody(fk: ForeignKey): string {
  const cols = (names: string[]) => names.map(quoteIdent).join(', ');
  return [
    `FOREIGN KEY(${cols(fk.columns)}) REFERENCES ${qualify(fk.referredSchema, fk.referredTable)} (${cols(fk.referredColumns)})`,
    fk.onDelete ? `ON DELETE ${fk.onDelete}` : null,
    fk.onUpdate ? `ON UPDATE ${fk.onUpdate}` : null,
    formatDeferral(fk.deferrable) || null,
  ]
    .filter((x) => x !== null)
    .join(' ');
}

/** A serial column only becomes SERIAL as part of its table's primary key (SQLAlchemy's rule). */
function isPrimaryKeyOf(c: Column, table: Table | undefined): boolean | undefined {
  return table ? (table.primaryKey?.columns.includes(c.name) ?? false) : undefined;
}

function serialType(type: ColumnType): string {
  return type.name === 'bigint' ? 'BIGSERIAL' : type.name === 'smallint' ? 'SMALLSERIAL' : 'SERIAL';
}

/**
 * An index element as CREATE INDEX takes it: an expression other than a column or a bare
 * function call needs its own parentheses, and its ordering (`DESC NULLS LAST`) stays outside.
 */
export function indexExpression(expression: string): string {
  const m = /^(.*?)((?:\s+(?:ASC|DESC))?(?:\s+NULLS\s+(?:FIRST|LAST))?)$/is.exec(expression.trim())!;
  const core = m[1]!;
  const ordering = m[2]!;
  const bare = /^(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")$/.test(core) || isFunctionCall(core);
  return `${bare ? core : `(${core})`}${ordering}`;
}

/** `lower(email)` is; `lower(a) || b` is not: the first call's parenthesis must close at the end. */
function isFunctionCall(e: string): boolean {
  const m = /^[A-Za-z_][\w.]*\(/.exec(e);
  if (!m) return false;
  let depth = 0;
  let quoted = false;
  for (let i = m[0].length - 1; i < e.length; i++) {
    const ch = e[i];
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    if (ch === ')' && --depth === 0) return i === e.length - 1;
  }
  return false;
}

function commentLiteral(comment: string | null): string {
  return comment === null ? 'NULL' : quoteLiteral(comment);
}



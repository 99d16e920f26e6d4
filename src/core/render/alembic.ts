import type { Column, ColumnType, Deferral, EnumType, ForeignKey, Index, Table } from '../schema/model.js';
import type { ConstraintDef, Operation, Plan } from '../plan/types.js';
import { indexExpression, SqlWriter, timeoutPreamble } from './sql.js';
import type { AlembicBody, RenderStyle } from './types.js';

const POSTGRESQL_IMPORT = 'from sqlalchemy.dialects import postgresql';
/** black's default line length: the width hand-formatted revisions are usually kept to. */
const LINE_LENGTH = 88;

/** The bodies of upgrade() and downgrade() for the plan, as Alembic 1.13 / SQLAlchemy 2.0 Python. */
export function renderAlembic(plan: Plan, style: RenderStyle): AlembicBody {
  const writer = new PythonWriter(plan.enums, style, timeoutPreamble(plan, style).map((sql) => `op.execute(${pyStr(sql)})`));
  const upgrade = writer.body(plan.operations.flatMap((o) => o.upgrade));
  const downgrade = writer.body([...plan.operations].reverse().flatMap((o) => o.downgrade));
  const indent = (lines: string[]) => lines.map((l) => (l ? style.indent + l : l)).join('\n');
  return {
    imports: writer.usesPostgresql ? [POSTGRESQL_IMPORT] : [],
    upgrade: indent(upgrade),
    downgrade: indent(downgrade),
  };
}

/** A Python string literal as `repr()` writes it: single quotes unless the text holds one and no double quote. */
function nullsNotDistinct(item: { nullsNotDistinct: boolean }): string[] {
  return item.nullsNotDistinct ? ['postgresql_nulls_not_distinct=True'] : [];
}

/** Alembic's and SQLAlchemy's `deferrable=True, initially='DEFERRED'`. */
function deferral(item: { deferrable?: Deferral }): string[] {
  return item.deferrable ? ['deferrable=True', `initially=${pyStr(item.deferrable.toUpperCase())}`] : [];
}

function operatorClasses(index: Index): string[] {
  const entries = Object.entries(index.operatorClasses);
  return entries.length ? [`postgresql_ops={${entries.map(([c, opclass]) => `${pyStr(c)}: ${pyStr(opclass)}`).join(', ')}}`] : [];
}

export function pyStr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value
    .replaceAll('\\', '\\\\')
    .replaceAll(quote, `\\${quote}`)
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\t', '\\t');
  return `${quote}${escaped}${quote}`;
}

/** SQL for `sa.text()` / `op.execute()`: a `:name` would be taken for a bind parameter. */
function pySql(sql: string): string {
  return pyStr(sql.replace(/(?<![:\w\\]):(?=\w)/g, '\\:'));
}

class PythonWriter {
  usesPostgresql = false;
  private readonly sql: SqlWriter;

  constructor(
    private readonly enums: EnumType[],
    private readonly style: RenderStyle,
    /** The `op.execute(...)` lines setting lock_timeout and statement_timeout. */
    private readonly timeouts: string[],
  ) {
    this.sql = new SqlWriter(enums);
  }

  /**
   * The lines of upgrade() or downgrade() (relative indent). Steps that cannot run in a
   * transaction share an autocommit block; `SET LOCAL` only lasts for its transaction, so
   * the timeouts are set again after each block.
   */
  body(ops: Operation[]): string[] {
    const lines: string[] = [...this.timeouts];
    let lastWhy: string | undefined;
    const emit = (op: Operation): string[] => {
      const why = op.why && op.why !== lastWhy ? [`# ${op.why}`] : [];
      lastWhy = op.why;
      return [...why, ...this.code(op)];
    };
    let i = 0;
    while (i < ops.length) {
      if (!runsOutsideTransaction(ops[i]!)) {
        lines.push(...emit(ops[i++]!));
        continue;
      }
      const group: Operation[] = [];
      while (i < ops.length && runsOutsideTransaction(ops[i]!)) group.push(ops[i++]!);
      lines.push(
        '# these statements cannot run inside a transaction block',
        'with op.get_context().autocommit_block():',
        ...group.flatMap(emit).map((l) => this.style.indent + l),
      );
      if (i < ops.length) lines.push(...this.timeouts);
    }
    return lines.length ? lines : ['pass'];
  }

  private code(op: Operation): string[] {
    const schema = (s: string | null) => (s ? [`schema=${pyStr(s)}`] : []);
    switch (op.kind) {
      case 'createEnum':
        return [`# ${op.enum.name} may exist already (an older migration can leave it): created, and marked as created here, only if missing`, ...this.sql.statements(op).map((s) => `op.execute(${pySql(s.sql)})`)];
      case 'dropEnum':
        if (!op.ifCreatedHere) return [`${this.enumType(op.enum.name, op.enum.schema, op.enum.labels, false)}.drop(op.get_bind(), checkfirst=True)`];
        return [`# drop ${op.enum.name} only if the upgrade created it`, ...this.sql.statements(op).map((s) => `op.execute(${pySql(s.sql)})`)];
      case 'createExtension':
      case 'addEnumValue':
      case 'rebuildEnum':
      case 'renameIndex':
      case 'renameConstraint':
      case 'renameSequence':
      case 'setSequenceType':
      case 'changeNumbering':
      case 'dropExpression':
      case 'backfill':
        return this.sql.statements(op).map((s) => `op.execute(${pySql(s.sql)})`);
      case 'createTable':
        return this.createTable(op.table);
      case 'dropTable':
        return this.call('op.drop_table', [pyStr(op.table.name), ...schema(op.table.schema)]);
      case 'renameTable':
        return this.call('op.rename_table', [pyStr(op.from), pyStr(op.to), ...schema(op.schema)]);
      case 'setTableComment':
        return op.comment === null
          ? this.call('op.drop_table_comment', [pyStr(op.table), ...optional('existing_comment', op.existing), ...schema(op.schema)])
          : this.call('op.create_table_comment', [pyStr(op.table), pyStr(op.comment), ...optional('existing_comment', op.existing), ...schema(op.schema)]);
      case 'addColumn':
        return this.call('op.add_column', [pyStr(op.table), this.column(op.column, true), ...schema(op.schema)]);
      case 'dropColumn':
        return this.call('op.drop_column', [pyStr(op.table), pyStr(op.column.name), ...schema(op.schema)]);
      case 'alterColumn':
        return this.alterColumn(op);
      case 'createIndex':
        return this.createIndex(op.schema, op.table, op.index, op.concurrently);
      case 'dropIndex':
        return this.call('op.drop_index', [
          this.name(op.index.name),
          `table_name=${pyStr(op.table)}`,
          ...schema(op.schema),
          ...(op.concurrently ? ['postgresql_concurrently=True', 'if_exists=True'] : []),
        ]);
      case 'addConstraint':
        return this.addConstraint(op.schema, op.table, op.constraint);
      case 'dropConstraint':
        return this.call('op.drop_constraint', [
          this.name(op.constraint.name),
          pyStr(op.table),
          `type_=${pyStr(CONSTRAINT_TYPE[op.constraint.kind])}`,
          ...schema(op.schema),
        ]);
    }
  }

  private createTable(t: Table): string[] {
    const args = [pyStr(t.name), ...t.columns.map((c) => this.column(c, false, t))];
    if (t.primaryKey) args.push(`sa.PrimaryKeyConstraint(${[...t.primaryKey.columns.map(pyStr), `name=${this.name(t.primaryKey.name)}`].join(', ')})`);
    for (const u of t.uniqueConstraints) {
      args.push(`sa.UniqueConstraint(${[...u.columns.map(pyStr), `name=${this.name(u.name)}`, ...nullsNotDistinct(u), ...deferral(u)].join(', ')})`);
    }
    for (const c of t.checkConstraints) args.push(`sa.CheckConstraint(${pySql(c.expression)}, name=${this.name(c.name)})`);
    for (const fk of t.foreignKeys) args.push(this.foreignKeyConstraint(fk));
    if (t.schema) args.push(`schema=${pyStr(t.schema)}`);
    if (t.comment !== null) args.push(`comment=${pyStr(t.comment)}`);
    return this.call('op.create_table', args, true);
  }

  private foreignKeyConstraint(fk: ForeignKey): string {
    const target = (c: string) => pyStr([fk.referredSchema, fk.referredTable, c].filter((x) => x !== null).join('.'));
    return `sa.ForeignKeyConstraint(${[
      `[${fk.columns.map(pyStr).join(', ')}]`,
      `[${fk.referredColumns.map(target).join(', ')}]`,
      `name=${this.name(fk.name)}`,
      ...optional('ondelete', fk.onDelete),
      ...optional('onupdate', fk.onUpdate),
      ...deferral(fk),
    ].join(', ')})`;
  }

  /**
   * `sa.Column(...)`. SQLAlchemy makes a lone integer primary key SERIAL unless told
   * otherwise, so a non-serial one says `autoincrement=False`; `op.add_column` only emits
   * SERIAL for a column marked as primary key (Alembic adds no primary key constraint for it).
   */
  private column(c: Column, added: boolean, table?: Table): string {
    const args = [pyStr(c.name), this.type(c.type)];
    if (c.identity) {
      const id = c.identity;
      args.push(`sa.Identity(${[`always=${id.always ? 'True' : 'False'}`, ...(id.start !== null ? [`start=${id.start}`] : []), ...(id.increment !== null ? [`increment=${id.increment}`] : [])].join(', ')})`);
    }
    if (c.computed) args.push(`sa.Computed(${pySql(c.computed.expression)}, persisted=True)`);
    if (c.serverDefault !== null) args.push(`server_default=sa.text(${pySql(c.serverDefault)})`);
    if (c.serial && added) args.push('primary_key=True', 'autoincrement=True');
    const pk = table?.primaryKey?.columns ?? [];
    // In a composite primary key only autoincrement=True makes a column SERIAL.
    if (c.serial && !added && pk.length > 1) args.push('autoincrement=True');
    if (!c.serial && !c.identity && table && pk.length === 1 && pk[0] === c.name && INTEGER_TYPES.has(c.type.name) && c.type.arrayDimensions === 0) {
      args.push('autoincrement=False');
    }
    args.push(`nullable=${c.nullable ? 'True' : 'False'}`);
    if (c.comment !== null) args.push(`comment=${pyStr(c.comment)}`);
    return `sa.Column(${args.join(', ')})`;
  }

  private alterColumn(op: Extract<Operation, { kind: 'alterColumn' }>): string[] {
    const e = op.existing;
    const change = op.change;
    const args = [pyStr(op.table), pyStr(e.name)];
    switch (change.kind) {
      case 'type':
        args.push(`type_=${this.type(change.type)}`);
        break;
      case 'nullable':
        args.push(`nullable=${change.nullable ? 'True' : 'False'}`);
        break;
      case 'serverDefault':
        args.push(`server_default=${change.serverDefault === null ? 'None' : `sa.text(${pySql(change.serverDefault)})`}`);
        break;
      case 'comment':
        args.push(`comment=${change.comment === null ? 'None' : pyStr(change.comment)}`);
        break;
      case 'rename':
        args.push(`new_column_name=${pyStr(change.newName)}`);
        break;
    }
    args.push(`existing_type=${this.type(e.type)}`, `existing_nullable=${e.nullable ? 'True' : 'False'}`);
    if (e.serverDefault !== null && change.kind !== 'serverDefault') {
      args.push(`existing_server_default=sa.text(${pySql(e.serverDefault)})`);
    }
    if (e.comment !== null && change.kind !== 'comment') args.push(`existing_comment=${pyStr(e.comment)}`);
    if (change.kind === 'comment' && e.comment !== null) args.push(`existing_comment=${pyStr(e.comment)}`);
    if (op.schema) args.push(`schema=${pyStr(op.schema)}`);
    if (change.kind === 'type' && change.using) args.push(`postgresql_using=${pyStr(change.using)}`);
    return this.call('op.alter_column', args);
  }

  private createIndex(schema: string | null, table: string, index: Index, concurrently: boolean): string[] {
    const elements = index.elements.map((e) => ('column' in e ? pyStr(e.column) : `sa.text(${pySql(indexExpression(e.expression))})`));
    return this.call('op.create_index', [
      this.name(index.name),
      pyStr(table),
      `[${elements.join(', ')}]`,
      `unique=${index.unique ? 'True' : 'False'}`,
      ...(schema ? [`schema=${pyStr(schema)}`] : []),
      ...(index.using ? [`postgresql_using=${pyStr(index.using)}`] : []),
      ...(index.include.length ? [`postgresql_include=[${index.include.map(pyStr).join(', ')}]`] : []),
      ...nullsNotDistinct(index),
      ...operatorClasses(index),
      ...(index.where !== null ? [`postgresql_where=sa.text(${pySql(index.where)})`] : []),
      ...(concurrently ? ['postgresql_concurrently=True', 'if_not_exists=True'] : []),
    ]);
  }

  private addConstraint(schema: string | null, table: string, c: ConstraintDef): string[] {
    const tail = schema ? [`schema=${pyStr(schema)}`] : [];
    const list = (names: string[]) => `[${names.map(pyStr).join(', ')}]`;
    switch (c.kind) {
      case 'primaryKey':
        return this.call('op.create_primary_key', [this.name(c.name), pyStr(table), list(c.columns), ...tail]);
      case 'unique':
        return this.call('op.create_unique_constraint', [this.name(c.name), pyStr(table), list(c.columns), ...tail, ...nullsNotDistinct(c), ...deferral(c)]);
      case 'check':
        return this.call('op.create_check_constraint', [this.name(c.name), pyStr(table), pySql(c.expression), ...tail]);
      case 'foreignKey':
        return this.call('op.create_foreign_key', [
          this.name(c.name),
          pyStr(table),
          pyStr(c.referredTable),
          list(c.columns),
          list(c.referredColumns),
          ...(schema ? [`source_schema=${pyStr(schema)}`] : []),
          ...(c.referredSchema ? [`referent_schema=${pyStr(c.referredSchema)}`] : []),
          ...optional('ondelete', c.onDelete),
          ...optional('onupdate', c.onUpdate),
          ...deferral(c),
        ]);
    }
  }

  private name(name: string): string {
    return this.style.wrapNamesInOpF ? `op.f(${pyStr(name)})` : pyStr(name);
  }

  /** A column type says `create_type=False`: enum types are created and dropped by their own steps. */
  private enumType(name: string, schema: string | null, labels: string[], columnType: boolean): string {
    this.usesPostgresql = true;
    const args = [...labels.map(pyStr), `name=${pyStr(name)}`];
    if (schema) args.push(`schema=${pyStr(schema)}`);
    if (columnType) args.push('create_type=False');
    return `postgresql.ENUM(${args.join(', ')})`;
  }

  private type(t: ColumnType): string {
    if (t.arrayDimensions > 0) {
      this.usesPostgresql = true;
      const inner = this.type({ ...t, arrayDimensions: 0 });
      return `postgresql.ARRAY(${inner}${t.arrayDimensions > 1 ? `, dimensions=${t.arrayDimensions}` : ''})`;
    }
    if (t.isEnum) {
      const e = this.enums.find((x) => x.name === t.name);
      return this.enumType(t.name, e?.schema ?? null, e?.labels ?? [], true);
    }
    const render = SA_TYPES[t.name];
    if (!render) throw new Error(`no SQLAlchemy type known for PostgreSQL type "${t.name}"`);
    const rendered = render(t);
    if (rendered.startsWith('postgresql.')) this.usesPostgresql = true;
    return rendered;
  }

  /** `fn(a, b)` on one line when it fits, else one argument per line (black's style). */
  private call(fn: string, args: string[], multiline = false): string[] {
    const one = `${fn}(${args.join(', ')})`;
    if (!multiline && this.style.indent.length + one.length <= LINE_LENGTH) return [one];
    return [`${fn}(`, ...args.flatMap((a) => this.fit(a, 1)), ')'];
  }

  /** One argument at `level` indents inside the body; a call too long for the line is split the same way. */
  private fit(arg: string, level: number): string[] {
    const pad = this.style.indent.repeat(level);
    const parts = this.style.indent.length * (level + 1) + arg.length + 1 > LINE_LENGTH ? splitCall(arg) : null;
    if (!parts) return [`${pad}${arg},`];
    return [`${pad}${parts.fn}(`, ...parts.args.flatMap((a) => this.fit(a, level + 1)), `${pad}),`];
  }
}

/** `fn(a, [b, c], d='x, y')` (or `key=fn(...)`) → `fn` and its top-level arguments; null for anything else. */
function splitCall(text: string): { fn: string; args: string[] } | null {
  const m = /^((?:\w+=)?[A-Za-z_][\w.]*)\((.*)\)$/s.exec(text);
  if (!m) return null;
  const args: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  const inner = m[2]!;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      args.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0 || quote) return null;
  args.push(inner.slice(start).trim());
  return args.length > 1 ? { fn: m[1]!, args } : null;
}

function optional(keyword: string, value: string | null): string[] {
  return value === null ? [] : [`${keyword}=${pyStr(value)}`];
}

function runsOutsideTransaction(op: Operation): boolean {
  return op.kind === 'addEnumValue' || ((op.kind === 'createIndex' || op.kind === 'dropIndex') && op.concurrently);
}

const CONSTRAINT_TYPE: Record<ConstraintDef['kind'], string> = {
  primaryKey: 'primary',
  unique: 'unique',
  foreignKey: 'foreignkey',
  check: 'check',
};

const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);

const args = (pairs: [string, number | null][]) =>
  pairs
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** PostgreSQL types (format_type names) → the SQLAlchemy type that emits them (generic where one exists). */
const SA_TYPES: Record<string, (t: ColumnType) => string> = {
  smallint: () => 'sa.SmallInteger()',
  integer: () => 'sa.Integer()',
  bigint: () => 'sa.BigInteger()',
  boolean: () => 'sa.Boolean()',
  text: () => 'sa.Text()',
  'character varying': (t) => `sa.String(${args([['length', t.length]])})`,
  character: (t) => `sa.CHAR(${args([['length', t.length]])})`,
  numeric: (t) => `sa.Numeric(${args([['precision', t.precision], ['scale', t.scale]])})`,
  real: () => 'sa.REAL()',
  'double precision': () => 'sa.Double()',
  date: () => 'sa.Date()',
  'timestamp without time zone': (t) => (t.precision === null ? 'sa.DateTime()' : `postgresql.TIMESTAMP(precision=${t.precision})`),
  'timestamp with time zone': (t) =>
    t.precision === null ? 'sa.DateTime(timezone=True)' : `postgresql.TIMESTAMP(timezone=True, precision=${t.precision})`,
  'time without time zone': (t) => (t.precision === null ? 'sa.Time()' : `postgresql.TIME(precision=${t.precision})`),
  'time with time zone': (t) => (t.precision === null ? 'sa.Time(timezone=True)' : `postgresql.TIME(timezone=True, precision=${t.precision})`),
  bytea: () => 'sa.LargeBinary()',
  uuid: () => 'sa.Uuid()',
  json: () => 'sa.JSON()',
  jsonb: () => 'postgresql.JSONB(astext_type=sa.Text())',
  interval: (t) => `postgresql.INTERVAL(${args([['precision', t.precision]])})`,
  inet: () => 'postgresql.INET()',
  cidr: () => 'postgresql.CIDR()',
  macaddr: () => 'postgresql.MACADDR()',
  money: () => 'postgresql.MONEY()',
  tsvector: () => 'postgresql.TSVECTOR()',
  bit: (t) => `postgresql.BIT(${args([['length', t.length]])})`,
  'bit varying': (t) => `postgresql.BIT(${[args([['length', t.length]]), 'varying=True'].filter(Boolean).join(', ')})`,
  oid: () => 'postgresql.OID()',
};

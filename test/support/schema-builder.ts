/**
 * Small builders for `Schema` values in tests: every field gets the value a plain model
 * would give it, so a test spells out only what it is about.
 *
 *   schema([table('users', [col('id', 'integer', { serial: true }), col('email', 'varchar', { length: 200 })])])
 */
import type {
  CheckConstraint,
  Column,
  ColumnType,
  EnumType,
  ForeignKey,
  Index,
  PrimaryKey,
  Schema,
  SourceLocation,
  Table,
  UniqueConstraint,
} from '../../src/core/schema/model.js';

const TYPE_ALIASES: Record<string, string> = {
  varchar: 'character varying',
  int: 'integer',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  bool: 'boolean',
  float: 'double precision',
  char: 'character',
};

export function at(line: number, file = 'models.py'): SourceLocation {
  return { file, line, column: 1 };
}

export function type(name: string, fields: Partial<ColumnType> = {}): ColumnType {
  return {
    name: TYPE_ALIASES[name] ?? name,
    length: null,
    precision: null,
    scale: null,
    arrayDimensions: 0,
    isEnum: false,
    ...fields,
  };
}

export type ColumnOptions = Partial<Omit<Column, 'name' | 'type'>> &
  Partial<Pick<ColumnType, 'length' | 'precision' | 'scale' | 'arrayDimensions' | 'isEnum'>>;

/** A nullable column unless `serial` or `nullable: false`; `length` etc. go to the type. */
export function col(name: string, typeName: string, options: ColumnOptions = {}): Column {
  const { length, precision, scale, arrayDimensions, isEnum, ...rest } = options;
  const typeFields: Partial<ColumnType> = {};
  if (length !== undefined) typeFields.length = length;
  if (precision !== undefined) typeFields.precision = precision;
  if (scale !== undefined) typeFields.scale = scale;
  if (arrayDimensions !== undefined) typeFields.arrayDimensions = arrayDimensions;
  if (isEnum !== undefined) typeFields.isEnum = isEnum;
  return {
    name,
    type: type(typeName, typeFields),
    nullable: !(rest.serial ?? false),
    serverDefault: null,
    default: null,
    serial: false,
    identity: null,
    computed: null,
    comment: null,
    info: {},
    location: null,
    ...rest,
  };
}

export type TableOptions = Partial<Omit<Table, 'name' | 'columns' | 'primaryKey'>> & {
  /** Columns of the primary key; default: the serial columns, or `id` when present. */
  pk?: string[] | null;
};

/** The primary key defaults to `<table>_pkey` on the serial column(s) or `id`. */
export function table(name: string, columns: Column[], options: TableOptions = {}): Table {
  const { pk, ...rest } = options;
  const serial = columns.filter((c) => c.serial).map((c) => c.name);
  const pkColumns =
    pk !== undefined ? pk : serial.length ? serial : columns.some((c) => c.name === 'id') ? ['id'] : null;
  const primaryKey: PrimaryKey | null = pkColumns ? { name: `${name}_pkey`, columns: pkColumns, location: null } : null;
  const pkSet = new Set(pkColumns ?? []);
  return {
    name,
    schema: null,
    comment: null,
    columns: columns.map((c) => (pkSet.has(c.name) ? { ...c, nullable: false } : c)),
    primaryKey,
    foreignKeys: [],
    uniqueConstraints: [],
    indexes: [],
    checkConstraints: [],
    info: {},
    location: null,
    ...rest,
  };
}

export function fk(
  name: string,
  columns: string[],
  referredTable: string,
  referredColumns: string[],
  fields: Partial<ForeignKey> = {},
): ForeignKey {
  return {
    name,
    columns,
    referredSchema: null,
    referredTable,
    referredColumns,
    onDelete: null,
    onUpdate: null,
    location: null,
    ...fields,
  };
}

export function unique(name: string, columns: string[], fields: Partial<UniqueConstraint> = {}): UniqueConstraint {
  return { name, columns, nullsNotDistinct: false, location: null, ...fields };
}

export function index(name: string, columns: string[], fields: Partial<Index> = {}): Index {
  return {
    name,
    unique: false,
    elements: columns.map((column) => ({ column })),
    where: null,
    using: null,
    include: [],
    nullsNotDistinct: false,
    operatorClasses: {},
    location: null,
    ...fields,
  };
}

export function check(name: string, expression: string, fields: Partial<CheckConstraint> = {}): CheckConstraint {
  return { name, expression, location: null, ...fields };
}

export function enumType(name: string, labels: string[], fields: Partial<EnumType> = {}): EnumType {
  return { name, schema: null, labels, location: null, ...fields };
}

/** A column of enum type `enumName`. */
export function enumCol(name: string, enumName: string, options: ColumnOptions = {}): Column {
  return col(name, enumName, { ...options, isEnum: true });
}

export function schema(tables: Table[], enums: EnumType[] = []): Schema {
  return { tables, enums };
}

import type { Schema } from '../schema/model.js';
import type { Plan } from './types.js';

/**
 * Operator classes that only exist once an extension is installed (from each extension's
 * `CREATE OPERATOR CLASS` statements in PostgreSQL's contrib). btree_gin's names are also
 * btree classes of the core, so they count only for a gin index.
 */
const BY_OPERATOR_CLASS: Record<string, string> = {
  gin_trgm_ops: 'pg_trgm',
  gist_trgm_ops: 'pg_trgm',
  gin__int_ops: 'intarray',
  gist__int_ops: 'intarray',
  gist__intbig_ops: 'intarray',
  ...Object.fromEntries(
    [
      'bit', 'bool', 'bpchar', 'bytea', 'cash', 'cidr', 'date', 'enum', 'float4', 'float8', 'inet', 'int2', 'int4', 'int8',
      'interval', 'macaddr8', 'macaddr', 'numeric', 'oid', 'text', 'time', 'timestamp', 'timestamptz', 'timetz', 'uuid', 'vbit',
    ].map((t) => [`gist_${t}_ops`, 'btree_gist']),
  ),
};

const BTREE_GIN = new Set([
  'bit_ops', 'bool_ops', 'bpchar_ops', 'bytea_ops', 'char_ops', 'cidr_ops', 'date_ops', 'enum_ops', 'float4_ops', 'float8_ops',
  'inet_ops', 'int2_ops', 'int4_ops', 'int8_ops', 'interval_ops', 'macaddr8_ops', 'macaddr_ops', 'money_ops', 'name_ops',
  'numeric_ops', 'oid_ops', 'text_ops', 'time_ops', 'timestamp_ops', 'timestamptz_ops', 'timetz_ops', 'uuid_ops', 'varbit_ops',
  'varchar_ops',
]);

/** The extension an index's operator class comes from, or null for one of the core's. */
export function operatorClassExtension(using: string | null, operatorClass: string): string | null {
  const name = operatorClass.toLowerCase();
  if (using === 'gin' && BTREE_GIN.has(name)) return 'btree_gin';
  return BY_OPERATOR_CLASS[name] ?? null;
}

/** The extensions a plan creates when missing: what a server must offer to run it. */
export function requiredExtensions(plan: Plan): string[] {
  return [...new Set(plan.operations.flatMap((p) => p.upgrade.flatMap((o) => (o.kind === 'createExtension' ? [o.name] : []))))];
}

/** The extensions the operator classes of `schema`'s indexes come from: what building it from nothing needs. */
export function schemaExtensions(schema: Schema): string[] {
  const needed = schema.tables.flatMap((t) =>
    t.indexes.flatMap((index) => Object.values(index.operatorClasses).flatMap((opclass) => operatorClassExtension(index.using, opclass) ?? [])),
  );
  return [...new Set(needed)];
}

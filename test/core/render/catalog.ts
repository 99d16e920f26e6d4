/** Helpers for the round-trip tests: run rendered SQL and read back what PostgreSQL holds. */
import type pg from 'pg';
import type { SqlStatement } from '../../../src/core/render/index.js';

/**
 * Runs statements as Alembic would: consecutive transactional ones in one transaction, the
 * others (CONCURRENTLY, ADD VALUE) on their own in autocommit.
 */
export async function applySql(client: pg.Client, statements: SqlStatement[]): Promise<void> {
  let inTransaction = false;
  for (const s of statements) {
    if (s.transactional && !inTransaction) {
      await client.query('BEGIN');
      inTransaction = true;
    } else if (!s.transactional && inTransaction) {
      await client.query('COMMIT');
      inTransaction = false;
    }
    try {
      await client.query(s.sql);
    } catch (error) {
      if (inTransaction) await client.query('ROLLBACK');
      throw new Error(`${(error as Error).message}\n  in: ${s.sql}`);
    }
  }
  if (inTransaction) await client.query('COMMIT');
}

/**
 * What the database's own schemas hold, independent of creation order: tables, columns (type,
 * nullability, default, comment), constraints, indexes, enum types, sequences.
 * Column order is left out: ADD COLUMN appends, which a downgrade cannot undo.
 */
export async function catalog(client: pg.Client): Promise<Record<string, unknown>> {
  const rows = async (sql: string) => (await client.query(sql)).rows as Record<string, unknown>[];
  return {
    tables: await rows(`
      SELECT n.nspname AS schema, c.relname AS name, obj_description(c.oid, 'pg_class') AS comment
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind = 'r' AND c.relname <> 'alembic_version' ORDER BY 1, 2`),
    columns: await rows(`
      SELECT n.nspname AS schema, c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
             a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default,
             col_description(c.oid, a.attnum) AS comment, a.attidentity AS identity
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname <> 'alembic_version'
      ORDER BY 1, 2, 3`),
    constraints: await rows(`
      SELECT n.nspname AS schema, c.relname AS table, k.conname AS name, k.contype AS type, pg_get_constraintdef(k.oid) AS definition
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND c.relname <> 'alembic_version' ORDER BY 1, 2, 3`),
    indexes: await rows(`
      SELECT schemaname AS schema, tablename AS table, indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename <> 'alembic_version' ORDER BY 1, 2, 3`),
    enums: await rows(`
      SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' GROUP BY 1, 2 ORDER BY 1, 2`),
    sequences: await rows(`SELECT schemaname AS schema, sequencename AS name, data_type::text AS type FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`),
  };
}

import { describe, expect, it } from 'vitest';
import { plan, type PlanOptions } from '../../../src/core/plan/index.js';
import { renderSql } from '../../../src/core/render/index.js';
import type { Schema } from '../../../src/core/schema/model.js';
import { col, enumCol, enumType, fk, index, schema, table, unique } from '../../support/schema-builder.js';

function sql(base: Schema, head: Schema, options: Partial<PlanOptions> = {}) {
  return renderSql(plan(base, head, { renames: [], allowDataLoss: true, ...options }));
}

const users = (...extra: ReturnType<typeof col>[]) => table('users', [col('id', 'integer', { serial: true }), ...extra]);

describe('renderSql', () => {
  it('creates a table with SERIAL, named constraints and quoted reserved identifiers', () => {
    const order = table('order', [col('id', 'integer', { serial: true }), col('user', 'integer', { nullable: false }), col('Total', 'numeric', { precision: 10, scale: 2 })], {
      foreignKeys: [fk('order_user_fkey', ['user'], 'users', ['id'], { onDelete: 'CASCADE' })],
    });
    const script = sql(schema([users()]), schema([users(), order]));
    expect(script.upgrade).toEqual([
      { sql: "SET LOCAL lock_timeout = '5s'", transactional: true, lock: 'none', existingTableLocks: [], operation: null },
      {
        sql: [
          'CREATE TABLE "order" (',
          '    id SERIAL NOT NULL,',
          '    "user" integer NOT NULL,',
          '    "Total" numeric(10,2),',
          '    CONSTRAINT order_pkey PRIMARY KEY (id),',
          '    CONSTRAINT order_user_fkey FOREIGN KEY("user") REFERENCES users (id) ON DELETE CASCADE',
          ')',
        ].join('\n'),
        transactional: true,
        // The new table blocks nobody; the referenced one is locked against writes.
        lock: 'ACCESS EXCLUSIVE on order (new), SHARE ROW EXCLUSIVE on users',
        existingTableLocks: ['SHARE ROW EXCLUSIVE on users'],
        operation: 0,
      },
    ]);
    // Dropping the table removes its foreign key's trigger from users too.
    expect(script.downgrade.slice(1)).toEqual([
      { sql: 'DROP TABLE "order"', transactional: true, lock: 'ACCESS EXCLUSIVE on order, ACCESS EXCLUSIVE on users', existingTableLocks: ['ACCESS EXCLUSIVE on order', 'ACCESS EXCLUSIVE on users'], operation: 0 },
    ]);
  });

  it('opens with lock_timeout when a step locks an existing table, and sets it again after autocommit steps', () => {
    const t = (labels: string[], n: string) => schema([users(enumCol('status', 'task_status'), col('n', n))], [enumType('task_status', labels)]);
    const script = sql(t(['todo'], 'integer'), t(['todo', 'done'], 'bigint'));
    expect(script.upgrade.map((s) => [s.sql, s.transactional, s.operation])).toEqual([
      ["SET LOCAL lock_timeout = '5s'", true, null],
      // The rewrite (and the downgrade's rebuild) hold their lock while every row is rewritten.
      ["SET LOCAL statement_timeout = '5min'", true, null],
      ["ALTER TYPE task_status ADD VALUE IF NOT EXISTS 'done'", false, 0],
      ["SET LOCAL lock_timeout = '5s'", true, null],
      ["SET LOCAL statement_timeout = '5min'", true, null],
      // Operation 1 is the enum's downgrade-only rebuild.
      ['ALTER TABLE users ALTER COLUMN n TYPE bigint', true, 2],
    ]);
    expect(script.upgrade[5]!.lock).toBe('ACCESS EXCLUSIVE on users');
  });

  it('sets lock_timeout for a catalog-only ADD COLUMN: its ACCESS EXCLUSIVE lock queues behind a long transaction and holds up every query', () => {
    const script = sql(schema([users()]), schema([users(col('bio', 'text', { comment: 'About' }))]));
    expect(script.upgrade.map((s) => s.sql)).toEqual(["SET LOCAL lock_timeout = '5s'", 'ALTER TABLE users ADD COLUMN bio text', "COMMENT ON COLUMN users.bio IS 'About'"]);
    // The comment belongs to the step, whose ADD COLUMN already holds ACCESS EXCLUSIVE.
    expect(script.upgrade.map((s) => s.lock)).toEqual(['none', 'ACCESS EXCLUSIVE on users', 'ACCESS EXCLUSIVE on users']);
  });

  it('needs no lock_timeout for a comment: SHARE UPDATE EXCLUSIVE queues no reads or writes', () => {
    const script = sql(schema([users(col('bio', 'text'))]), schema([users(col('bio', 'text', { comment: 'About' }))]));
    expect(script.upgrade.map((s) => s.sql)).toEqual(["COMMENT ON COLUMN users.bio IS 'About'"]);
  });

  it('fills existing rows for a NOT NULL column from the model default, then drops the temporary default', () => {
    const script = sql(schema([users()]), schema([users(col('score', 'integer', { nullable: false, default: { python: '0', sql: '0' } }))]));
    expect(script.upgrade.map((s) => s.sql)).toEqual([
      "SET LOCAL lock_timeout = '5s'",
      'ALTER TABLE users ADD COLUMN score integer DEFAULT 0 NOT NULL',
      'ALTER TABLE users ALTER COLUMN score DROP DEFAULT',
    ]);
  });

  it('casts with USING both ways where PostgreSQL needs it', () => {
    const script = sql(schema([users(col('data', 'text'))]), schema([users(col('data', 'jsonb'))]));
    expect(script.upgrade.at(-1)!.sql).toBe('ALTER TABLE users ALTER COLUMN data TYPE jsonb USING data::jsonb');
    expect(script.downgrade.at(-1)!.sql).toBe('ALTER TABLE users ALTER COLUMN data TYPE text');
    const back = sql(schema([users(col('n', 'text'))]), schema([users(col('n', 'integer'))]));
    expect(back.upgrade.at(-1)!.sql).toBe('ALTER TABLE users ALTER COLUMN n TYPE integer USING n::integer');
  });

  it('builds and drops indexes concurrently outside the transaction, retry-safe', () => {
    const t = (indexes: ReturnType<typeof index>[]) => ({ ...users(col('email', 'text')), indexes });
    const script = sql(schema([t([])]), schema([t([index('ix_users_email', ['email'], { where: "email <> ''" })])]), { concurrentIndexes: true });
    expect(script.upgrade).toEqual([
      {
        sql: "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email ON users (email) WHERE email <> ''",
        transactional: false,
        lock: 'SHARE UPDATE EXCLUSIVE on users',
        existingTableLocks: ['SHARE UPDATE EXCLUSIVE on users'],
        operation: 0,
      },
    ]);
    expect(script.downgrade[0]).toMatchObject({ sql: 'DROP INDEX CONCURRENTLY IF EXISTS ix_users_email', transactional: false });
  });

  it('writes DEFERRABLE INITIALLY DEFERRED / IMMEDIATE on foreign keys and unique constraints', () => {
    const orgs = table('orgs', [col('id', 'integer', { serial: true })]);
    const teams = (extra: Partial<Parameters<typeof table>[2]> = {}) =>
      table('teams', [col('id', 'integer', { serial: true }), col('org_id', 'integer'), col('slug', 'text')], extra);
    const script = sql(
      schema([orgs, teams()]),
      schema([
        orgs,
        teams({
          foreignKeys: [fk('teams_org_id_fkey', ['org_id'], 'orgs', ['id'], { onDelete: 'CASCADE', deferrable: 'deferred' })],
          uniqueConstraints: [unique('uq_teams_slug', ['slug'], { deferrable: 'immediate' })],
        }),
      ]),
    );
    expect(script.upgrade.map((s) => s.sql).filter((s) => !s.startsWith('SET LOCAL'))).toEqual([
      'ALTER TABLE teams ADD CONSTRAINT uq_teams_slug UNIQUE (slug) DEFERRABLE INITIALLY IMMEDIATE',
      'ALTER TABLE teams ADD CONSTRAINT teams_org_id_fkey FOREIGN KEY(org_id) REFERENCES orgs (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED',
    ]);
  });

  it('writes operator classes, NULLS NOT DISTINCT and the extension an operator class needs', () => {
    const docs = (extra: Partial<Parameters<typeof table>[2]> = {}) => table('docs', [col('id', 'integer', { serial: true }), col('body', 'text'), col('slug', 'text')], extra);
    const script = sql(
      schema([docs()]),
      schema([
        docs({
          uniqueConstraints: [unique('uq_docs_slug', ['slug'], { nullsNotDistinct: true })],
          indexes: [index('ix_docs_body_trgm', ['body', 'slug'], { unique: true, using: 'gin', nullsNotDistinct: true, operatorClasses: { body: 'gin_trgm_ops' }, where: 'slug IS NOT NULL' })],
        }),
      ]),
    );
    expect(script.upgrade.map((s) => s.sql).filter((s) => !s.startsWith('SET LOCAL'))).toEqual([
      'CREATE EXTENSION IF NOT EXISTS pg_trgm',
      'ALTER TABLE docs ADD CONSTRAINT uq_docs_slug UNIQUE NULLS NOT DISTINCT (slug)',
      'CREATE UNIQUE INDEX ix_docs_body_trgm ON docs USING gin (body gin_trgm_ops, slug) NULLS NOT DISTINCT WHERE slug IS NOT NULL',
    ]);
    expect(script.downgrade.map((s) => s.sql).filter((s) => !s.startsWith('SET LOCAL'))).toEqual([
      'DROP INDEX ix_docs_body_trgm',
      'ALTER TABLE docs DROP CONSTRAINT uq_docs_slug',
    ]);
  });

  it('wraps an index expression in parentheses unless it is one function call', () => {
    const t = (indexes: ReturnType<typeof index>[]) => ({ ...users(col('a', 'text'), col('b', 'text')), indexes });
    const script = sql(
      schema([t([])]),
      schema([t([index('ix_lower_a', [], { elements: [{ expression: 'lower(a)' }] }), index('ix_ab', [], { elements: [{ expression: 'a || b' }, { column: 'b' }] })])]),
    );
    expect(script.upgrade.map((s) => s.sql).filter((s) => s.startsWith('CREATE'))).toEqual([
      'CREATE INDEX ix_lower_a ON users (lower(a))',
      'CREATE INDEX ix_ab ON users ((a || b), b)',
    ]);
  });

  it('keeps an index element ordering outside the parentheses', () => {
    const t = (indexes: ReturnType<typeof index>[]) => ({ ...users(col('a', 'text'), col('b', 'text')), indexes });
    const elements = [{ expression: 'a DESC' }, { expression: 'lower(b) desc nulls last' }, { expression: 'a || b ASC' }];
    const script = sql(schema([t([])]), schema([t([index('ix_ab', [], { elements })])]));
    expect(script.upgrade.at(-1)!.sql).toBe('CREATE INDEX ix_ab ON users (a DESC, lower(b) desc nulls last, (a || b) ASC)');
  });
});

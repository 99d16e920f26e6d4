import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../../src/core/schema/model.js';
import { columnOrderNotes, compareSchemas, formatDifferences } from '../../../src/core/verify/compare.js';
import { introspectSchema } from '../../../src/core/verify/introspect.js';
import { type EphemeralDatabase, freshDatabase, runSql } from '../../support/database.js';
import { at, check, col, enumCol, enumType, fk, index, schema, table, unique } from '../../support/schema-builder.js';

/** What a reader would produce for DDL below: model spellings, source locations, info. */
function modelSchema(): Schema {
  return schema(
    [
      table(
        'users',
        [
          col('id', 'integer', { serial: true, location: at(3) }),
          col('email', 'varchar', { length: 200, nullable: false, info: { pii: true }, default: { python: '""', sql: "''" } }),
          enumCol('status', 'status', { nullable: false, serverDefault: "'ACTIVE'" }),
          col('score', 'integer', { serverDefault: '-1' }),
          col('created_at', 'timestamptz', { nullable: false, serverDefault: 'CURRENT_TIMESTAMP' }),
          col('name', 'text'),
          col('seen_utc', 'timestamp', { serverDefault: "timezone('utc', now())" }),
          col('tags', 'text', { arrayDimensions: 1, serverDefault: "'{}'" }),
        ],
        {
          location: at(1),
          info: { owner: 'core' },
          uniqueConstraints: [unique('uq_users_email', ['email'])],
          checkConstraints: [check('ck_users_score', 'score BETWEEN -1 AND 100')],
          indexes: [
            index('ix_users_lower_email', [], { unique: true, elements: [{ expression: 'lower(email)' }] }),
            index('ix_users_active', ['created_at'], { where: "status IN ('ACTIVE', 'SUSPENDED')" }),
          ],
        },
      ),
      table('teams', [col('id', 'integer', { serial: true }), col('owner_id', 'integer')], {
        foreignKeys: [fk('teams_owner_id_fkey', ['owner_id'], 'users', ['id'], { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })],
      }),
    ],
    [enumType('status', ['ACTIVE', 'SUSPENDED'])],
  );
}

const DDL = `
CREATE TYPE status AS ENUM ('ACTIVE', 'SUSPENDED');
CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  email VARCHAR(200) NOT NULL,
  status status NOT NULL DEFAULT 'ACTIVE',
  score INTEGER DEFAULT -1,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  name TEXT,
  seen_utc TIMESTAMP DEFAULT (now() AT TIME ZONE 'utc'),
  tags TEXT[] DEFAULT '{}',
  CONSTRAINT uq_users_email UNIQUE (email),
  CONSTRAINT ck_users_score CHECK (score BETWEEN -1 AND 100)
);
CREATE UNIQUE INDEX ix_users_lower_email ON users (lower(email));
CREATE INDEX ix_users_active ON users (created_at) WHERE status IN ('ACTIVE', 'SUSPENDED');
CREATE TABLE teams (id SERIAL PRIMARY KEY, owner_id INTEGER REFERENCES users (id) ON DELETE CASCADE);
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
`;

describe('compareSchemas against a live catalog', () => {
  let db: EphemeralDatabase;
  let live: Schema;

  beforeAll(async () => {
    db = await freshDatabase();
    await runSql(db.url, DDL);
    live = await introspectSchema(db.url);
  });
  afterAll(() => db?.close());

  it('finds no difference between the models and the schema they create', () => {
    expect(formatDifferences(compareSchemas(modelSchema(), live))).toBe('');
  });

  it('finds each kind of difference after the database drifts', async () => {
    const drifted = await freshDatabase();
    try {
      await runSql(drifted.url, DDL);
      await runSql(
        drifted.url,
        `ALTER TYPE status ADD VALUE 'GONE';
         DROP INDEX ix_users_active;
         ALTER TABLE users ALTER COLUMN email TYPE VARCHAR(100), ALTER COLUMN name SET NOT NULL,
           ALTER COLUMN score SET DEFAULT 0, DROP COLUMN created_at, ADD COLUMN extra TEXT;
         ALTER TABLE users RENAME CONSTRAINT uq_users_email TO users_email_key;
         ALTER TABLE users DROP CONSTRAINT ck_users_score, ADD CONSTRAINT ck_users_score CHECK (score > 0);
         ALTER TABLE teams DROP CONSTRAINT teams_owner_id_fkey,
           ADD CONSTRAINT teams_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE SET NULL;
         CREATE TABLE stray (x INTEGER);`,
      );
      const messages = compareSchemas(modelSchema(), await introspectSchema(drifted.url)).map((d) => d.message);
      expect(messages).toEqual([
        'enum status: labels are ACTIVE, SUSPENDED, GONE, expected ACTIVE, SUSPENDED',
        'column users.email: type is character varying(100), expected character varying(200)',
        'column users.score: server default is 0, expected -1',
        'column users.created_at: missing (expected timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP)',
        'column users.name: nullability is NOT NULL, expected NULL',
        'column users.extra: not expected (text NULL)',
        'unique constraint UNIQUE (email) on users: named users_email_key, expected uq_users_email',
        'index ix_users_active on users: missing (expected USING btree (created_at) WHERE status IN (\'ACTIVE\', \'SUSPENDED\'))',
        'check constraint ck_users_score on users: is CHECK (score > 0), expected CHECK (score >= -1 AND score <= 100)',
        'foreign key teams_owner_id_fkey on teams: is (owner_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE NO ACTION, expected (owner_id) REFERENCES users (id) ON DELETE CASCADE ON UPDATE NO ACTION',
        'table stray: not expected',
      ]);
    } finally {
      await drifted.close();
    }
  });
});

describe('compareSchemas', () => {
  const base = (): Schema =>
    schema([table('users', [col('id', 'integer', { serial: true }), col('a', 'text'), col('b', 'text')])], [enumType('e', ['x'])]);

  it('reports a missing table and enum, with structured fields', () => {
    const diffs = compareSchemas(base(), schema([]));
    expect(diffs).toEqual([
      { kind: 'enum', table: null, object: 'e', subject: 'e', expected: 'x', actual: null, message: 'enum e: missing (expected labels x)' },
      { kind: 'table', table: 'users', object: null, subject: 'users', expected: 'present', actual: null, message: 'table users: missing' },
    ]);
  });

  it('notes column order, never as a difference', () => {
    const actual = base();
    actual.tables[0]!.columns.reverse();
    expect(compareSchemas(base(), actual)).toEqual([]);
    expect(columnOrderNotes(base(), actual)).toEqual(['table users: columns are in the order b, a, id, expected id, a, b']);
    expect(columnOrderNotes(base(), base())).toEqual([]);
  });

  it('notes the order of the columns both sides have only', () => {
    const actual = base();
    actual.tables[0]!.columns = [actual.tables[0]!.columns[0]!, col('c', 'text'), actual.tables[0]!.columns[1]!];
    expect(compareSchemas(base(), actual).map((d) => d.message)).toEqual([
      'column users.b: missing (expected text NULL)',
      'column users.c: not expected (text NULL)',
    ]);
    expect(columnOrderNotes(base(), actual)).toEqual([]);
  });

  it('reports serial, identity, generated and comment differences', () => {
    const expected = schema([
      table('t', [
        col('id', 'integer', { serial: true }),
        col('n', 'bigint', { identity: { always: false, start: null, increment: null } }),
        col('g', 'text', { computed: { expression: 'lower(name)', persisted: true }, comment: 'x' }),
      ]),
    ]);
    const actual = schema([
      table('t', [
        col('id', 'integer', { nullable: false }),
        col('n', 'bigint', { identity: { always: false, start: 1, increment: 2 } }),
        col('g', 'text', { computed: { expression: 'upper((name)::text)', persisted: true } }),
      ], { pk: ['id'] }),
    ]);
    expect(compareSchemas(expected, actual).map((d) => d.message)).toEqual([
      'column t.id: serial is false, expected true',
      'column t.n: identity is GENERATED BY DEFAULT AS IDENTITY (START 1 INCREMENT 2), expected GENERATED BY DEFAULT AS IDENTITY (START 1 INCREMENT 1)',
      'column t.g: generated expression is GENERATED ALWAYS AS (upper((name)::text)) STORED, expected GENERATED ALWAYS AS (lower(name)) STORED',
      'column t.g: comment is none, expected x',
    ]);
  });

  it('treats identity defaults, NO ACTION and btree as their null spellings', () => {
    const expected = schema([
      table('t', [col('id', 'bigint', { identity: { always: true, start: null, increment: null } }), col('r', 'integer')], {
        pk: ['id'],
        foreignKeys: [fk('f', ['r'], 't', ['id'])],
        indexes: [index('i', ['r'])],
      }),
    ]);
    const actual = schema([
      table('t', [col('id', 'bigint', { identity: { always: true, start: 1, increment: 1 } }), col('r', 'integer')], {
        pk: ['id'],
        foreignKeys: [fk('f', ['r'], 't', ['id'], { onDelete: 'NO ACTION', onUpdate: 'NO ACTION' })],
        indexes: [index('i', ['r'], { using: 'btree' })],
      }),
    ]);
    expect(compareSchemas(expected, actual)).toEqual([]);
  });

  it('compares a boolean default by its value, as PostgreSQL stores it', () => {
    const withDefault = (d: string, typeName = 'boolean') => schema([table('t', [col('id', 'integer'), col('b', typeName, { serverDefault: d })])]);
    expect(compareSchemas(withDefault("'0'"), withDefault('false'))).toEqual([]);
    expect(compareSchemas(withDefault("'t'"), withDefault('true'))).toEqual([]);
    expect(compareSchemas(withDefault('1'), withDefault('true'))).toEqual([]);
    expect(compareSchemas(withDefault('1'), withDefault('false')).map((d) => d.message)).toEqual([
      'column t.b: server default is false, expected 1',
    ]);
    expect(compareSchemas(withDefault("'t'", 'text'), withDefault("'true'::text", 'text'))).toHaveLength(1);
  });

  it('reports NULLS NOT DISTINCT and operator class differences', () => {
    const t = (nnd: boolean, opclass: Record<string, string>) =>
      schema([
        table('t', [col('id', 'integer'), col('r', 'text')], {
          uniqueConstraints: [unique('uq_t_r', ['r'], { nullsNotDistinct: nnd })],
          indexes: [index('i', ['r'], { using: 'gin', operatorClasses: opclass })],
        }),
      ]);
    expect(compareSchemas(t(true, { r: 'gin_trgm_ops' }), t(true, { r: 'gin_trgm_ops' }))).toEqual([]);
    expect(compareSchemas(t(true, { r: 'gin_trgm_ops' }), t(false, {})).map((d) => d.message)).toEqual([
      'unique constraint uq_t_r on t: is UNIQUE (r), expected UNIQUE NULLS NOT DISTINCT (r)',
      'index i on t: is USING gin (r), expected USING gin (r gin_trgm_ops)',
    ]);
  });

  it('reports DEFERRABLE / INITIALLY differences of foreign keys and unique constraints', () => {
    const t = (deferrable?: 'immediate' | 'deferred') =>
      schema([
        table('t', [col('id', 'integer'), col('r', 'integer')], {
          foreignKeys: [fk('fk_t_r', ['r'], 't', ['id'], { deferrable })],
          uniqueConstraints: [unique('uq_t_r', ['r'], { deferrable })],
        }),
      ]);
    expect(compareSchemas(t('deferred'), t('deferred'))).toEqual([]);
    expect(compareSchemas(t('deferred'), t()).map((d) => d.message)).toEqual([
      'foreign key fk_t_r on t: is (r) REFERENCES t (id) ON DELETE NO ACTION ON UPDATE NO ACTION, expected (r) REFERENCES t (id) ON DELETE NO ACTION ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED',
      'unique constraint uq_t_r on t: is UNIQUE (r), expected UNIQUE (r) DEFERRABLE INITIALLY DEFERRED',
    ]);
    expect(compareSchemas(t('deferred'), t('immediate')).map((d) => d.message)[1]).toBe(
      'unique constraint uq_t_r on t: is UNIQUE (r) DEFERRABLE INITIALLY IMMEDIATE, expected UNIQUE (r) DEFERRABLE INITIALLY DEFERRED',
    );
  });

  it('reports primary key and index definition changes', () => {
    const expected = schema([
      table('t', [col('id', 'integer'), col('r', 'integer')], {
        pk: ['id'],
        indexes: [index('i', ['r'], { unique: true, include: ['id'] })],
      }),
    ]);
    const actual = schema([
      table('t', [col('id', 'integer'), col('r', 'integer', { nullable: false })], {
        pk: ['id', 'r'],
        indexes: [index('i', ['r'], { using: 'hash' })],
      }),
    ]);
    expect(compareSchemas(expected, actual).map((d) => d.message)).toEqual([
      'column t.r: nullability is NOT NULL, expected NULL',
      'table t: primary key is t_pkey (id, r), expected t_pkey (id)',
      'index i on t: is USING hash (r), expected UNIQUE USING btree (r) INCLUDE (id)',
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../../src/core/schema/model.js';
import { introspectSchema, parseFormattedType } from '../../../src/core/verify/introspect.js';
import { type EphemeralDatabase, freshDatabase, runSql } from '../../support/database.js';
import { check, col, enumCol, enumType, fk, index, schema, table, type, unique } from '../../support/schema-builder.js';

const DDL = `
CREATE TYPE status AS ENUM ('ACTIVE', 'SUSPENDED', 'DELETED');
CREATE TYPE "Mood" AS ENUM ('happy', 'sad');
CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  email VARCHAR(200) NOT NULL,
  name TEXT,
  status status NOT NULL DEFAULT 'ACTIVE',
  moods "Mood"[],
  balance NUMERIC(12, 2) DEFAULT 0,
  ratio REAL,
  score DOUBLE PRECISION DEFAULT -1,
  is_admin BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  seen_at TIMESTAMP(3) WITHOUT TIME ZONE,
  code CHAR(4),
  tags VARCHAR(20)[],
  grid INTEGER[][],
  payload JSONB DEFAULT '{}',
  token UUID,
  blob BYTEA,
  lower_email TEXT GENERATED ALWAYS AS (lower(email)) STORED,
  CONSTRAINT uq_users_email UNIQUE (email),
  CONSTRAINT ck_users_balance CHECK (balance >= 0)
);
COMMENT ON TABLE users IS 'People who log in';
COMMENT ON COLUMN users.email IS 'Login address';
CREATE TABLE teams (
  team_id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5),
  slug TEXT NOT NULL,
  owner_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (team_id),
  UNIQUE (slug, owner_id)
);
CREATE TABLE memberships (
  user_id INTEGER NOT NULL,
  team_id BIGINT NOT NULL,
  role TEXT,
  CONSTRAINT memberships_pkey PRIMARY KEY (team_id, user_id),
  CONSTRAINT fk_m_user FOREIGN KEY (user_id) REFERENCES users (id) ON UPDATE SET NULL,
  CONSTRAINT fk_m_team FOREIGN KEY (team_id) REFERENCES teams (team_id) ON DELETE RESTRICT
);
CREATE INDEX ix_users_name ON users (name);
CREATE UNIQUE INDEX ix_users_lower_email ON users (lower(email));
CREATE INDEX ix_users_active ON users (created_at) INCLUDE (name) WHERE status = 'ACTIVE';
CREATE INDEX ix_users_payload ON users USING gin (payload);
CREATE INDEX ix_users_recent ON users (created_at DESC, name NULLS FIRST, lower(name) DESC NULLS LAST, email);
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
CREATE SCHEMA other;
CREATE TABLE other.anchor (id INTEGER PRIMARY KEY);
CREATE TABLE other.elsewhere (id INTEGER, user_id INTEGER REFERENCES users (id), self_id INTEGER REFERENCES other.anchor (id));
`;

describe('introspectSchema', () => {
  let db: EphemeralDatabase;
  let actual: Schema;

  beforeAll(async () => {
    db = await freshDatabase();
    await runSql(db.url, DDL);
    actual = await introspectSchema(db.url);
  });
  afterAll(() => db?.close());

  it('reads enums with their labels in order', () => {
    expect(actual.enums).toEqual([enumType('Mood', ['happy', 'sad']), enumType('status', ['ACTIVE', 'SUSPENDED', 'DELETED'])]);
  });

  it('reads only the application tables of the schema, sorted by name', () => {
    expect(actual.tables.map((t) => t.name)).toEqual(['memberships', 'teams', 'users']);
  });

  it('reads columns in order with types, nullability, defaults, serial, generated and comments', () => {
    const users = actual.tables.find((t) => t.name === 'users')!;
    expect(users).toEqual(
      table(
        'users',
        [
          col('id', 'integer', { serial: true, nullable: false }),
          col('email', 'varchar', { length: 200, nullable: false, comment: 'Login address' }),
          col('name', 'text'),
          enumCol('status', 'status', { nullable: false, serverDefault: "'ACTIVE'::status" }),
          enumCol('moods', 'Mood', { arrayDimensions: 1 }),
          col('balance', 'numeric', { precision: 12, scale: 2, serverDefault: '0' }),
          col('ratio', 'real'),
          col('score', 'double precision', { serverDefault: "'-1'::integer" }),
          col('is_admin', 'boolean', { nullable: false, serverDefault: 'false' }),
          col('created_at', 'timestamptz', { nullable: false, serverDefault: 'now()' }),
          col('seen_at', 'timestamp', { precision: 3 }),
          col('code', 'character', { length: 4 }),
          col('tags', 'varchar', { length: 20, arrayDimensions: 1 }),
          col('grid', 'integer', { arrayDimensions: 2 }),
          col('payload', 'jsonb', { serverDefault: "'{}'::jsonb" }),
          col('token', 'uuid'),
          col('blob', 'bytea'),
          col('lower_email', 'text', { computed: { expression: 'lower((email)::text)', persisted: true } }),
        ],
        {
          comment: 'People who log in',
          uniqueConstraints: [unique('uq_users_email', ['email'])],
          checkConstraints: [check('ck_users_balance', '(balance >= (0)::numeric)')],
          indexes: [
            index('ix_users_active', ['created_at'], { include: ['name'], where: "(status = 'ACTIVE'::status)" }),
            index('ix_users_lower_email', [], { unique: true, elements: [{ expression: 'lower(email::text)' }] }),
            index('ix_users_name', ['name']),
            index('ix_users_payload', ['payload'], { using: 'gin' }),
            index('ix_users_recent', [], {
              elements: [
                { expression: 'created_at DESC' },
                { expression: 'name NULLS FIRST' },
                { expression: 'lower(name) DESC NULLS LAST' },
                { column: 'email' },
              ],
            }),
          ],
        },
      ),
    );
  });

  it('reads identity columns, composite keys, foreign keys with actions and server-named constraints', () => {
    const teams = actual.tables.find((t) => t.name === 'teams')!;
    expect(teams).toEqual(
      table(
        'teams',
        [
          col('team_id', 'bigint', { nullable: false, identity: { always: true, start: 10, increment: 5 } }),
          col('slug', 'text', { nullable: false }),
          col('owner_id', 'integer'),
        ],
        {
          pk: ['team_id'],
          foreignKeys: [fk('teams_owner_id_fkey', ['owner_id'], 'users', ['id'], { onDelete: 'CASCADE' })],
          uniqueConstraints: [unique('teams_slug_owner_id_key', ['slug', 'owner_id'])],
        },
      ),
    );
    const memberships = actual.tables.find((t) => t.name === 'memberships')!;
    expect(memberships.primaryKey).toEqual({ name: 'memberships_pkey', columns: ['team_id', 'user_id'], location: null });
    expect(memberships.foreignKeys).toEqual([
      fk('fk_m_team', ['team_id'], 'teams', ['team_id'], { onDelete: 'RESTRICT' }),
      fk('fk_m_user', ['user_id'], 'users', ['id'], { onUpdate: 'SET NULL' }),
    ]);
  });

  it('reads NULLS NOT DISTINCT and operator classes other than the default', async () => {
    const other = await freshDatabase();
    try {
      await runSql(
        other.url,
        `CREATE EXTENSION IF NOT EXISTS pg_trgm;
         CREATE TABLE docs (id integer PRIMARY KEY, title varchar(80), body text, slug text,
           CONSTRAINT uq_docs_slug UNIQUE NULLS NOT DISTINCT (slug), CONSTRAINT uq_docs_title UNIQUE (title));
         CREATE INDEX ix_docs_body ON docs USING gin (body gin_trgm_ops);
         CREATE UNIQUE INDEX ix_docs_title ON docs (title varchar_pattern_ops, slug text_ops, lower(body) text_pattern_ops) NULLS NOT DISTINCT;
         CREATE INDEX ix_docs_plain ON docs (title, body);`,
      );
      const [docs] = (await introspectSchema(other.url)).tables;
      expect(docs!.uniqueConstraints.map((u) => [u.name, u.nullsNotDistinct])).toEqual([
        ['uq_docs_slug', true],
        ['uq_docs_title', false],
      ]);
      expect(docs!.indexes.map((i) => [i.name, i.nullsNotDistinct, i.operatorClasses])).toEqual([
        ['ix_docs_body', false, { body: 'gin_trgm_ops' }],
        ['ix_docs_plain', false, {}],
        ['ix_docs_title', true, { title: 'varchar_pattern_ops' }],
      ]);
    } finally {
      await other.close();
    }
  });

  it('reads DEFERRABLE and INITIALLY DEFERRED of foreign keys and unique constraints (condeferrable, condeferred)', async () => {
    const other = await freshDatabase();
    try {
      await runSql(
        other.url,
        `CREATE TABLE orgs (id integer PRIMARY KEY);
         CREATE TABLE teams (id integer PRIMARY KEY, a integer, b integer, c integer, slug text, code text, name text,
           CONSTRAINT fk_a FOREIGN KEY (a) REFERENCES orgs (id) DEFERRABLE INITIALLY DEFERRED,
           CONSTRAINT fk_b FOREIGN KEY (b) REFERENCES orgs (id) DEFERRABLE,
           CONSTRAINT fk_c FOREIGN KEY (c) REFERENCES orgs (id),
           CONSTRAINT uq_code UNIQUE (code) INITIALLY DEFERRED,
           CONSTRAINT uq_name UNIQUE (name),
           CONSTRAINT uq_slug UNIQUE (slug) DEFERRABLE INITIALLY IMMEDIATE);`,
      );
      const teams = (await introspectSchema(other.url)).tables.find((t) => t.name === 'teams')!;
      expect(teams.foreignKeys.map((f) => [f.name, f.deferrable])).toEqual([
        ['fk_a', 'deferred'],
        ['fk_b', 'immediate'],
        ['fk_c', undefined],
      ]);
      expect(teams.uniqueConstraints.map((u) => [u.name, u.deferrable])).toEqual([
        ['uq_code', 'deferred'],
        ['uq_name', undefined],
        ['uq_slug', 'immediate'],
      ]);
    } finally {
      await other.close();
    }
  });

  it('reads another schema when asked, naming it', async () => {
    const other = await introspectSchema(db.url, 'other');
    expect(other.tables.map((t) => t.name)).toEqual(['anchor', 'elsewhere']);
    expect(other.tables[1]).toEqual({
      ...table('elsewhere', [col('id', 'integer'), col('user_id', 'integer'), col('self_id', 'integer')], {
        pk: null,
        foreignKeys: [
          fk('elsewhere_self_id_fkey', ['self_id'], 'anchor', ['id'], { referredSchema: 'other' }),
          fk('elsewhere_user_id_fkey', ['user_id'], 'users', ['id']),
        ],
      }),
      schema: 'other',
    });
  });
});

describe('parseFormattedType', () => {
  it.each([
    ['character varying(50)', false, 0, type('varchar', { length: 50 })],
    ['numeric(10,0)', false, 0, type('numeric', { precision: 10, scale: 0 })],
    ['timestamp(6) with time zone', false, 0, type('timestamptz', { precision: 6 })],
    ['time(2) without time zone', false, 0, type('time without time zone', { precision: 2 })],
    ['interval', false, 0, type('interval')],
    ['bit varying(8)', false, 0, type('bit varying', { length: 8 })],
    ['text[]', true, 0, type('text', { arrayDimensions: 1 })],
    ['character(1)', false, 0, type('character', { length: 1 })],
  ] as const)('%s', (full, isArray, dims, expected) => {
    expect(parseFormattedType(full, isArray, dims, null)).toEqual(expected);
  });
});

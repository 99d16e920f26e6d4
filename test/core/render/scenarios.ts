/**
 * Representative base → head pairs for the round-trip tests on real PostgreSQL: each one is
 * built from nothing (`plan(empty, base)`), seeded, upgraded, downgraded and upgraded again.
 */
import type { PlanOptions } from '../../../src/core/plan/index.js';
import { parseRename } from '../../../src/core/plan/index.js';
import type { Schema } from '../../../src/core/schema/model.js';
import { check, col, enumCol, enumType, fk, index, schema, table, unique } from '../../support/schema-builder.js';

export interface Scenario {
  name: string;
  base: Schema;
  head: Schema;
  options: PlanOptions;
  /** SQL run on every fresh database before anything else (e.g. CREATE SCHEMA). */
  setup?: string[];
  /**
   * The setup leaves an object no base model declares (a type an older migration left):
   * verification rightly reports it at its base step, so only the render round trips use it.
   */
  outsideModels?: boolean;
  /** Rows inserted into the base schema before the upgrade. */
  seed: string[];
  /** A query on the base schema whose result must be the same after upgrade → downgrade. */
  probeBase?: string;
  /** A query on the head schema and the rows it must return after the upgrade (data kept). */
  probeHead?: { sql: string; rows: Record<string, unknown>[] };
}

const id = () => col('id', 'integer', { serial: true });
const options = (o: Partial<PlanOptions> = {}): PlanOptions => ({ renames: [], allowDataLoss: false, ...o });

const users = (...extra: ReturnType<typeof col>[]) =>
  table('users', [id(), col('email', 'varchar', { length: 200, nullable: false }), ...extra], {
    indexes: [index('ix_users_email', ['email'], { unique: true })],
  });

export const scenarios: Scenario[] = [
  {
    name: 'add columns: nullable, NOT NULL with server default, NOT NULL with Python default',
    base: schema([users()]),
    head: schema([
      users(
        col('last_login', 'timestamptz'),
        col('active', 'boolean', { nullable: false, serverDefault: 'true' }),
        col('score', 'integer', { nullable: false, default: { python: '0', sql: '0' } }),
        col('bio', 'text', { comment: "user's bio" }),
      ),
    ]),
    options: options(),
    seed: ["INSERT INTO users (email) VALUES ('a@x'), ('b@x')"],
    probeBase: 'SELECT id, email FROM users ORDER BY id',
    probeHead: {
      sql: 'SELECT email, active, score FROM users ORDER BY id',
      rows: [
        { email: 'a@x', active: true, score: 0 },
        { email: 'b@x', active: true, score: 0 },
      ],
    },
  },
  {
    name: 'new tables with foreign keys, unique, composite and partial indexes, checks, a cycle',
    base: schema([users()]),
    head: schema([
      { ...users(col('team_id', 'integer')), foreignKeys: [fk('users_team_id_fkey', ['team_id'], 'teams', ['id'])] },
      table(
        'teams',
        [id(), col('name', 'varchar', { length: 80, nullable: false }), col('owner_id', 'integer'), col('deleted', 'boolean', { nullable: false, serverDefault: 'false' })],
        {
          foreignKeys: [fk('teams_owner_id_fkey', ['owner_id'], 'users', ['id'], { onDelete: 'SET NULL' })],
          uniqueConstraints: [unique('uq_teams_name', ['name'])],
          checkConstraints: [check('ck_teams_name_not_empty', "length(name) > 0")],
          indexes: [
            index('ix_teams_owner_id_name', ['owner_id', 'name']),
            index('ix_teams_live_name', ['name'], { where: 'NOT deleted' }),
            index('ix_teams_lower_name', [], { elements: [{ expression: 'lower(name)' }] }),
          ],
        },
      ),
      table('a', [id(), col('b_id', 'integer')], { foreignKeys: [fk('a_b_id_fkey', ['b_id'], 'b', ['id'])] }),
      table('b', [id(), col('a_id', 'integer')], { foreignKeys: [fk('b_a_id_fkey', ['a_id'], 'a', ['id'], { onDelete: 'CASCADE' })] }),
    ]),
    options: options(),
    seed: ["INSERT INTO users (email) VALUES ('a@x')"],
    probeBase: 'SELECT id, email FROM users ORDER BY id',
  },
  {
    name: 'renames: column by flag, table by model hint (indexes, constraints, sequence)',
    base: schema([
      table('tasks', [id(), col('status', 'varchar', { length: 20, nullable: false, serverDefault: "'todo'" })], {
        indexes: [index('ix_tasks_status', ['status']), index('ix_tasks_open', ['id'], { where: "status <> 'done'" })],
        checkConstraints: [check('ck_tasks_status', "status <> ''")],
      }),
      table('bots', [id(), col('name', 'varchar', { length: 50 }), col('task_id', 'integer')], {
        indexes: [index('ix_bots_name', ['name'])],
        uniqueConstraints: [unique('bots_name_key', ['name'])],
        foreignKeys: [fk('bots_task_id_fkey', ['task_id'], 'tasks', ['id'])],
      }),
    ]),
    head: schema([
      table('tasks', [id(), col('current_status', 'varchar', { length: 20, nullable: false, serverDefault: "'todo'" })], {
        indexes: [index('ix_tasks_current_status', ['current_status']), index('ix_tasks_open', ['id'], { where: "current_status <> 'done'" })],
        checkConstraints: [check('ck_tasks_status', "current_status <> ''")],
      }),
      table('flowbots', [id(), col('name', 'varchar', { length: 50 }), col('task_id', 'integer')], {
        indexes: [index('ix_flowbots_name', ['name'])],
        uniqueConstraints: [unique('flowbots_name_key', ['name'])],
        foreignKeys: [fk('flowbots_task_id_fkey', ['task_id'], 'tasks', ['id'])],
        info: { renamed_from: 'bots' },
      }),
    ]),
    options: options({ renames: [parseRename('tasks.status=current_status')] }),
    seed: ["INSERT INTO tasks (status) VALUES ('doing')", "INSERT INTO bots (name, task_id) VALUES ('r2', 1)"],
    probeBase: 'SELECT t.status, b.name FROM tasks t JOIN bots b ON b.task_id = t.id',
    probeHead: {
      sql: 'SELECT t.current_status, b.name FROM tasks t JOIN flowbots b ON b.task_id = t.id',
      rows: [{ current_status: 'doing', name: 'r2' }],
    },
  },
  {
    name: 'type changes: widening, USING casts both ways, rewrite, narrowing with consent, defaults',
    base: schema([
      table('items', [
        id(),
        col('name', 'varchar', { length: 50 }),
        col('code', 'varchar', { length: 10, serverDefault: "'7'" }),
        col('qty', 'integer'),
        col('data', 'text'),
        col('price', 'numeric', { precision: 10, scale: 2 }),
        col('label', 'text'),
      ]),
    ]),
    head: schema([
      table('items', [
        id(),
        col('name', 'varchar', { length: 100 }),
        col('code', 'integer', { serverDefault: '7' }),
        col('qty', 'bigint'),
        col('data', 'jsonb'),
        col('price', 'numeric', { precision: 8, scale: 2 }),
        col('label', 'varchar', { length: 20 }),
      ]),
    ]),
    options: options({ allowDataLoss: true }),
    seed: [`INSERT INTO items (name, code, qty, data, price, label) VALUES ('n', '42', 3, '{"a": 1}', 12.5, 'short')`],
    probeBase: 'SELECT name, code, qty, data, price, label FROM items',
    probeHead: {
      sql: 'SELECT code, qty::int AS qty, data FROM items',
      rows: [{ code: 42, qty: 3, data: { a: 1 } }],
    },
  },
  {
    name: 'nullability: SET NOT NULL with backfill, DROP NOT NULL with downgrade backfill; indexes built concurrently',
    base: schema([
      table('orders', [
        id(),
        col('state', 'varchar', { length: 20 }),
        col('note', 'text', { nullable: false, serverDefault: "''" }),
      ], { indexes: [index('ix_orders_note', ['note'])] }),
    ]),
    head: schema([
      table('orders', [
        id(),
        col('state', 'varchar', { length: 20, nullable: false, serverDefault: "'new'" }),
        col('note', 'text', { serverDefault: "''" }),
      ], { indexes: [index('ix_orders_state', ['state'], { unique: true })] }),
    ]),
    options: options({ concurrentIndexes: true }),
    seed: ["INSERT INTO orders (state) VALUES (NULL), ('paid')"],
    probeHead: {
      sql: 'SELECT state FROM orders ORDER BY id',
      rows: [{ state: 'new' }, { state: 'paid' }],
    },
  },
  {
    name: 'enums: add values, new enum column, enum in a new table, remove a value, drop with last column',
    base: schema(
      [
        table('tasks', [id(), enumCol('status', 'task_status', { nullable: false, serverDefault: "'todo'" }), enumCol('mood', 'mood')], {
          indexes: [index('ix_tasks_open', ['id'], { where: "status <> 'done'" })],
        }),
      ],
      [enumType('task_status', ['todo', 'done']), enumType('mood', ['happy', 'sad']), enumType('level', ['low', 'mid', 'high'])],
    ),
    head: schema(
      [
        table('tasks', [
          id(),
          enumCol('status', 'task_status', { nullable: false, serverDefault: "'todo'" }),
          enumCol('priority', 'priority', { serverDefault: "'normal'" }),
        ], { indexes: [index('ix_tasks_open', ['id'], { where: "status <> 'done'" })] }),
        table('labels', [id(), enumCol('color', 'color', { nullable: false }), enumCol('level', 'level')]),
      ],
      [
        enumType('task_status', ['backlog', 'new', 'todo', 'doing', 'done', 'archived']),
        enumType('priority', ['low', 'normal', 'high']),
        enumType('color', ['red', 'green']),
        enumType('level', ['low', 'high']),
      ],
    ),
    options: options({ allowDataLoss: true }),
    seed: ["INSERT INTO tasks (status, mood) VALUES ('done', 'sad'), (DEFAULT, NULL)"],
    probeBase: 'SELECT id, status::text FROM tasks ORDER BY id',
    probeHead: {
      sql: 'SELECT status::text, priority::text FROM tasks ORDER BY id',
      rows: [
        { status: 'done', priority: 'normal' },
        { status: 'todo', priority: 'normal' },
      ],
    },
  },
  {
    // An older migration dropped the table that used the type and left the type (op.drop_table
    // does not drop it): the upgrade finds it there, and the downgrade must leave it.
    name: 'a new enum column whose type an older migration left behind, and one whose type is new: the downgrade drops only the new one',
    base: schema([table('bots', [id()])]),
    head: schema([table('bots', [id(), enumCol('kind', 'botkind'), enumCol('mode', 'botmode')])], [enumType('botkind', ['CHAT', 'CRON']), enumType('botmode', ['ON', 'OFF'])]),
    options: options(),
    setup: ["CREATE TYPE botkind AS ENUM ('CHAT', 'CRON')"],
    outsideModels: true,
    seed: ['INSERT INTO bots DEFAULT VALUES'],
    probeBase: 'SELECT id FROM bots ORDER BY id',
  },
  {
    name: 'a NOT NULL column with no default added to a table said to be empty (--assume-empty)',
    base: schema([users(), table('jobs', [id()])]),
    head: schema([users(), table('jobs', [id(), col('queue', 'text', { nullable: false })])]),
    options: options({ assumeEmpty: ['jobs'] }),
    seed: ["INSERT INTO users (email) VALUES ('a@x')"],
  },
  {
    name: 'enum rebuild: a value removed and one added, the default naming the removed one, the column renamed by hint',
    base: schema(
      [
        table('jobs', [id(), enumCol('state', 'job_state', { nullable: false, serverDefault: "'queued'" }), enumCol('tags', 'job_state', { arrayDimensions: 1 })], {
          indexes: [index('ix_jobs_running', ['id'], { where: "state = 'running'" })],
          checkConstraints: [check('ck_jobs_not_done', "state <> 'done' OR id > 0")],
        }),
      ],
      [enumType('job_state', ['queued', 'running', 'done'])],
    ),
    head: schema(
      [
        table('jobs', [
          id(),
          enumCol('status', 'job_state', { nullable: false, serverDefault: "'pending'", info: { renamed_from: 'state' } }),
          enumCol('tags', 'job_state', { arrayDimensions: 1 }),
        ], {
          indexes: [index('ix_jobs_running', ['id'], { where: "status = 'running'" })],
          checkConstraints: [check('ck_jobs_not_done', "status <> 'done' OR id > 0")],
        }),
      ],
      [enumType('job_state', ['pending', 'running', 'done'])],
    ),
    options: options({ allowDataLoss: true }),
    seed: ["INSERT INTO jobs (state, tags) VALUES ('running', '{done,running}')"],
    probeBase: 'SELECT id, state::text, tags::text[] FROM jobs ORDER BY id',
    probeHead: { sql: 'SELECT status::text, tags::text[] FROM jobs', rows: [{ status: 'running', tags: ['done', 'running'] }] },
  },
  {
    name: 'renamed columns and tables whose constraints and indexes go away: the downgrade re-adds them under the old names',
    base: schema([
      table('owners', [id()]),
      table('pets', [id(), col('owner_id', 'integer'), col('tag', 'varchar', { length: 20 })], {
        foreignKeys: [fk('pets_owner_id_fkey', ['owner_id'], 'owners', ['id'])],
        uniqueConstraints: [unique('pets_tag_key', ['tag'])],
        indexes: [index('ix_pets_tag_lower', [], { elements: [{ expression: 'lower(tag)' }] }), index('ix_pets_owner_tag', ['owner_id', 'tag'])],
        checkConstraints: [check('ck_pets_tag', "tag <> ''")],
      }),
    ]),
    head: schema([
      table('people', [id()], { info: { renamed_from: 'owners' } }),
      table('pets', [id(), col('owner_id', 'integer'), col('label', 'varchar', { length: 20 })]),
    ]),
    options: options({ renames: [parseRename('pets.tag=label')] }),
    seed: ['INSERT INTO owners DEFAULT VALUES', "INSERT INTO pets (owner_id, tag) VALUES (1, 'rex')"],
    probeBase: 'SELECT owner_id, tag FROM pets',
    probeHead: { sql: 'SELECT owner_id, label FROM pets', rows: [{ owner_id: 1, label: 'rex' }] },
  },
  {
    name: 'a non-default schema: enum type, table rename, foreign keys and indexes all qualified',
    setup: ['CREATE SCHEMA app'],
    base: schema(
      [
        table('accounts', [id(), enumCol('kind', 'kind', { nullable: false, serverDefault: "'a'" }), col('name', 'varchar', { length: 50 })], {
          schema: 'app',
          indexes: [index('ix_app_accounts_name', ['name'])],
        }),
        table('members', [id(), col('account_id', 'integer')], {
          schema: 'app',
          foreignKeys: [fk('members_account_id_fkey', ['account_id'], 'accounts', ['id'], { referredSchema: 'app' })],
        }),
      ],
      [enumType('kind', ['a', 'b'], { schema: 'app' })],
    ),
    head: schema(
      [
        table('clients', [id(), enumCol('kind', 'kind', { nullable: false, serverDefault: "'a'" }), col('name', 'varchar', { length: 50 }), enumCol('tier', 'tier')], {
          schema: 'app',
          indexes: [index('ix_app_clients_name', ['name'])],
          info: { renamed_from: 'accounts' },
        }),
        table('members', [id(), col('account_id', 'integer')], {
          schema: 'app',
          foreignKeys: [fk('members_account_id_fkey', ['account_id'], 'clients', ['id'], { referredSchema: 'app', onDelete: 'CASCADE' })],
        }),
        table('notes', [id(), col('client_id', 'integer', { nullable: false })], {
          schema: 'app',
          foreignKeys: [fk('notes_client_id_fkey', ['client_id'], 'clients', ['id'], { referredSchema: 'app' })],
          indexes: [index('ix_app_notes_client_id', ['client_id'])],
        }),
      ],
      [enumType('kind', ['a', 'b', 'c'], { schema: 'app' }), enumType('tier', ['free', 'paid'], { schema: 'app' })],
    ),
    options: options(),
    seed: ["INSERT INTO app.accounts (kind, name) VALUES ('b', 'acme')", 'INSERT INTO app.members (account_id) VALUES (1)'],
    probeBase: 'SELECT a.kind::text, a.name, m.id FROM app.accounts a JOIN app.members m ON m.account_id = a.id',
    probeHead: { sql: 'SELECT c.kind::text AS kind, c.name FROM app.clients c', rows: [{ kind: 'b', name: 'acme' }] },
  },
  {
    name: 'constraints: ondelete change, check expression change, a referenced primary key change, index predicate change',
    base: schema([
      table('orgs', [id(), col('code', 'text')], { indexes: [index('ix_orgs_code', ['code'], { unique: true })] }),
      table('refs', [id(), col('link_a', 'integer'), col('code', 'text')], {
        foreignKeys: [fk('refs_link_a_fkey', ['link_a'], 'links', ['a']), fk('refs_code_fkey', ['code'], 'orgs', ['code'])],
      }),
      table('links', [col('a', 'integer', { nullable: false }), col('b', 'integer', { nullable: false }), col('org_id', 'integer'), col('qty', 'integer'), col('dead', 'boolean')], {
        pk: ['a'],
        foreignKeys: [fk('links_org_id_fkey', ['org_id'], 'orgs', ['id'])],
        checkConstraints: [check('ck_links_qty', 'qty > 0')],
        indexes: [index('ix_links_qty', ['qty'], { where: 'NOT dead' })],
      }),
    ]),
    head: schema([
      table('orgs', [id(), col('code', 'text')], { indexes: [index('ix_orgs_code', ['code'], { unique: true, include: ['id'] })] }),
      table('refs', [id(), col('link_a', 'integer'), col('code', 'text')], {
        foreignKeys: [fk('refs_link_a_fkey', ['link_a'], 'links', ['a']), fk('refs_code_fkey', ['code'], 'orgs', ['code'])],
      }),
      table('links', [col('a', 'integer', { nullable: false }), col('b', 'integer', { nullable: false }), col('org_id', 'integer'), col('qty', 'integer'), col('dead', 'boolean')], {
        pk: ['a', 'b'],
        uniqueConstraints: [unique('uq_links_a', ['a'])],
        foreignKeys: [fk('links_org_id_fkey', ['org_id'], 'orgs', ['id'], { onDelete: 'CASCADE' })],
        checkConstraints: [check('ck_links_qty', 'qty >= 0')],
        indexes: [index('ix_links_qty', ['qty'], { where: 'dead IS NOT TRUE' })],
      }),
    ]),
    options: options(),
    seed: ["INSERT INTO orgs (code) VALUES ('o1')", 'INSERT INTO links (a, b, org_id, qty) VALUES (1, 2, 1, 5)', "INSERT INTO refs (link_a, code) VALUES (1, 'o1')"],
    probeBase: 'SELECT a, b, org_id, qty FROM links',
  },
  {
    name: 'drops with consent: column, NOT NULL column, table with foreign keys, tables in a cycle',
    base: schema([
      users(col('nickname', 'varchar', { length: 40, nullable: false }), col('age', 'integer')),
      table('posts', [id(), col('user_id', 'integer', { nullable: false })], {
        foreignKeys: [fk('posts_user_id_fkey', ['user_id'], 'users', ['id'])],
        indexes: [index('ix_posts_user_id', ['user_id'])],
      }),
      table('a', [id(), col('b_id', 'integer')], { foreignKeys: [fk('a_b_id_fkey', ['b_id'], 'b', ['id'])] }),
      table('b', [id(), col('a_id', 'integer')], { foreignKeys: [fk('b_a_id_fkey', ['a_id'], 'a', ['id'])] }),
    ]),
    head: schema([users()]),
    options: options({ allowDataLoss: true }),
    seed: ["INSERT INTO users (email, nickname) VALUES ('a@x', 'al')", 'INSERT INTO posts (user_id) VALUES (1)'],
    probeBase: 'SELECT id, email FROM users ORDER BY id',
  },
  {
    name: 'a serial key replaced by a natural key, and a serial column added to a table without one',
    base: schema([
      table('tokens', [id(), col('code', 'varchar', { length: 20, nullable: false })]),
      table('codes', [col('code', 'varchar', { length: 20, nullable: false })], { pk: ['code'] }),
    ]),
    head: schema([
      table('tokens', [col('code', 'varchar', { length: 20, nullable: false })], { pk: ['code'] }),
      table('codes', [col('code', 'varchar', { length: 20, nullable: false }), id()], { pk: ['id'] }),
    ]),
    options: options({ allowDataLoss: true }),
    seed: ["INSERT INTO tokens (code) VALUES ('x'), ('y')", "INSERT INTO codes (code) VALUES ('p'), ('q')"],
    probeHead: { sql: 'SELECT code, id FROM codes ORDER BY id', rows: [{ code: 'p', id: 1 }, { code: 'q', id: 2 }] },
  },
  {
    name: 'numbering: a serial key widened with its sequence, serial to identity, identity to serial, plain to identity',
    base: schema([
      table('events', [col('id', 'integer', { serial: true }), col('at', 'timestamptz')]),
      table('logs', [col('id', 'integer', { serial: true })]),
      table('jobs', [col('id', 'bigint', { nullable: false, identity: { always: true, start: null, increment: null } })], { pk: ['id'] }),
      table('tickets', [col('id', 'integer', { nullable: false })], { pk: ['id'] }),
    ]),
    head: schema([
      table('events', [col('id', 'bigint', { serial: true }), col('at', 'timestamptz')]),
      table('logs', [col('id', 'integer', { nullable: false, identity: { always: false, start: null, increment: null } })], { pk: ['id'] }),
      table('jobs', [col('id', 'bigint', { serial: true })]),
      table('tickets', [col('id', 'integer', { nullable: false, identity: { always: false, start: 10, increment: 5 } })], { pk: ['id'] }),
    ]),
    options: options(),
    seed: [
      'INSERT INTO events (at) VALUES (now()), (now())',
      'INSERT INTO logs DEFAULT VALUES',
      'INSERT INTO logs DEFAULT VALUES',
      'INSERT INTO jobs DEFAULT VALUES',
      'INSERT INTO tickets (id) VALUES (40)',
    ],
    // The head probe inserts a row per table; the rows that were there before must survive.
    probeBase: 'SELECT e.id AS e, l.id AS l FROM events e JOIN logs l ON l.id = e.id WHERE e.id <= 2 ORDER BY 1',
    probeHead: {
      sql: `WITH e AS (INSERT INTO events (at) VALUES (now()) RETURNING id), l AS (INSERT INTO logs DEFAULT VALUES RETURNING id),
            j AS (INSERT INTO jobs DEFAULT VALUES RETURNING id), t AS (INSERT INTO tickets DEFAULT VALUES RETURNING id)
            SELECT e.id::int AS e, l.id AS l, j.id::int AS j, t.id AS t FROM e, l, j, t`,
      rows: [{ e: 3, l: 3, j: 2, t: 45 }],
    },
  },
  {
    name: 'generated columns: expression changed (with an index on it), generated to plain, plain to generated',
    base: schema([
      table('prices', [
        id(),
        col('net', 'numeric', { precision: 10, scale: 2, nullable: false }),
        col('gross', 'numeric', { computed: { expression: 'net * 1.2', persisted: true } }),
        col('label', 'text', { computed: { expression: "'net ' || net", persisted: true } }),
        col('note', 'text', { nullable: false, serverDefault: "''" }),
      ], { indexes: [index('ix_prices_gross', ['gross'])], checkConstraints: [check('ck_prices_gross', 'gross >= 0')] }),
    ]),
    head: schema([
      table('prices', [
        id(),
        col('net', 'numeric', { precision: 10, scale: 2, nullable: false }),
        col('gross', 'numeric', { computed: { expression: 'net * 1.25', persisted: true } }),
        col('label', 'varchar', { length: 40 }),
        col('note', 'text', { computed: { expression: "'n' || net", persisted: true } }),
      ], { indexes: [index('ix_prices_gross', ['gross'])], checkConstraints: [check('ck_prices_gross', 'gross >= 0')] }),
    ]),
    options: options({ allowDataLoss: true }),
    seed: ["INSERT INTO prices (net, note) VALUES (10, 'x')"],
    probeBase: 'SELECT id, net, gross, label FROM prices',
    probeHead: { sql: 'SELECT gross, label, note FROM prices', rows: [{ gross: '12.5000', label: 'net 10.00', note: 'n10.00' }] },
  },
  {
    name: 'an unconfirmed table rename taken as drop + create with consent: the new table reuses the index and key names',
    base: schema([
      table('bots', [id(), col('name', 'text'), col('gone', 'integer')], {
        indexes: [index('idx_name', ['name'])],
        uniqueConstraints: [unique('uq_bot_name', ['name'])],
      }),
      table('keep', [id(), col('old', 'text'), col('label', 'text')], { indexes: [index('idx_label', ['old'])] }),
    ]),
    head: schema([
      table('flowbots', [id(), col('name', 'text'), col('gone', 'integer')], {
        indexes: [index('idx_name', ['name'])],
        uniqueConstraints: [unique('uq_bot_name', ['name'])],
      }),
      table('keep', [id(), col('label', 'text')], { indexes: [index('idx_label', ['label'])] }),
    ]),
    options: options({ allowDataLoss: true }),
    seed: ["INSERT INTO bots (name) VALUES ('r2')", "INSERT INTO keep (old, label) VALUES ('o', 'l')"],
    probeBase: 'SELECT label FROM keep',
  },
  {
    name: 'operator classes (one from pg_trgm) and NULLS NOT DISTINCT: a new table, an index added, a constraint changed',
    base: schema([table('docs', [id(), col('title', 'varchar', { length: 80 }), col('body', 'text'), col('slug', 'text')], { uniqueConstraints: [unique('uq_docs_slug', ['slug'])] })]),
    head: schema([
      table('docs', [id(), col('title', 'varchar', { length: 80 }), col('body', 'text'), col('slug', 'text')], {
        uniqueConstraints: [unique('uq_docs_slug', ['slug'], { nullsNotDistinct: true })],
        indexes: [
          index('ix_docs_body_trgm', ['body'], { using: 'gin', operatorClasses: { body: 'gin_trgm_ops' } }),
          index('ix_docs_title', ['title', 'slug'], { unique: true, nullsNotDistinct: true, operatorClasses: { title: 'varchar_pattern_ops' } }),
        ],
      }),
      table('tags', [id(), col('name', 'text')], {
        uniqueConstraints: [unique('uq_tags_name', ['name'], { nullsNotDistinct: true })],
        indexes: [index('ix_tags_name_trgm', ['name'], { using: 'gist', operatorClasses: { name: 'gist_trgm_ops' } })],
      }),
    ]),
    options: options(),
    seed: ["INSERT INTO docs (title, body, slug) VALUES ('a', 'alpha', NULL), ('b', 'beta', 'b')"],
    probeBase: 'SELECT id, title, body, slug FROM docs ORDER BY id',
  },
  {
    name: 'deferrable= / initially= changed on a foreign key and a unique constraint, and given in a new table',
    base: schema([
      table('orgs', [id()]),
      table('teams', [id(), col('org_id', 'integer'), col('slug', 'text')], {
        foreignKeys: [fk('teams_org_id_fkey', ['org_id'], 'orgs', ['id'])],
        uniqueConstraints: [unique('uq_teams_slug', ['slug'], { deferrable: 'immediate' })],
      }),
    ]),
    head: schema([
      table('orgs', [id()]),
      table('teams', [id(), col('org_id', 'integer'), col('slug', 'text')], {
        foreignKeys: [fk('teams_org_id_fkey', ['org_id'], 'orgs', ['id'], { deferrable: 'deferred' })],
        uniqueConstraints: [unique('uq_teams_slug', ['slug'], { deferrable: 'deferred' })],
      }),
      table('members', [id(), col('team_id', 'integer'), col('email', 'text')], {
        foreignKeys: [fk('members_team_id_fkey', ['team_id'], 'teams', ['id'], { onDelete: 'CASCADE', deferrable: 'immediate' })],
        uniqueConstraints: [unique('uq_members_email', ['email'], { deferrable: 'deferred' })],
      }),
    ]),
    options: options(),
    seed: ['INSERT INTO orgs DEFAULT VALUES', "INSERT INTO teams (org_id, slug) VALUES (1, 'a'), (NULL, 'b')"],
    probeBase: 'SELECT id, org_id, slug FROM teams ORDER BY id',
  },
  {
    name: 'table comment, column comment and server default changes',
    base: schema([table('notes', [id(), col('body', 'text', { comment: 'old' }), col('kind', 'varchar', { length: 10, serverDefault: "'a'" })])]),
    head: schema([
      table('notes', [id(), col('body', 'text', { comment: "it's new" }), col('kind', 'varchar', { length: 10, serverDefault: "'b'" }), col('at', 'timestamptz', { nullable: false, serverDefault: 'now()' })], {
        comment: 'Notes',
      }),
    ]),
    options: options(),
    seed: ["INSERT INTO notes (body) VALUES ('x')"],
    probeBase: 'SELECT id, body, kind FROM notes',
  },
];

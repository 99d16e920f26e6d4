import { describe, expect, it } from 'vitest';
import { parseRename, plan, type PlanOptions } from '../../../src/core/plan/index.js';
import { renderAlembic, type RenderStyle } from '../../../src/core/render/index.js';
import type { Schema } from '../../../src/core/schema/model.js';
import { check, col, enumCol, enumType, fk, index, schema, table, unique } from '../../support/schema-builder.js';

const STYLE: RenderStyle = { wrapNamesInOpF: false, lockTimeout: null, indent: '    ' };

function render(base: Schema, head: Schema, options: Partial<PlanOptions> = {}, style: Partial<RenderStyle> = {}) {
  return renderAlembic(plan(base, head, { renames: [], allowDataLoss: true, ...options }), { ...STYLE, ...style });
}

const users = (...extra: ReturnType<typeof col>[]) => table('users', [col('id', 'integer', { serial: true }), ...extra]);

describe('renderAlembic', () => {
  it('writes pass for a side with nothing to do', () => {
    const s = schema([users()]);
    expect(render(s, s)).toEqual({ imports: [], upgrade: '    pass', downgrade: '    pass' });
  });

  it('adds a column with op.add_column and drops it on downgrade', () => {
    const body = render(schema([users()]), schema([users(col('seen', 'timestamptz'))]));
    expect(body.upgrade).toBe(`    op.execute("SET LOCAL lock_timeout = '5s'")\n    op.add_column('users', sa.Column('seen', sa.DateTime(timezone=True), nullable=True))`);
    expect(body.downgrade).toBe(`    op.execute("SET LOCAL lock_timeout = '5s'")\n    op.drop_column('users', 'seen')`);
  });

  it('creates a table with every constraint named exactly as the model names it', () => {
    const teams = table('teams', [col('id', 'integer', { serial: true }), col('name', 'varchar', { length: 80, nullable: false }), col('owner_id', 'integer')], {
      foreignKeys: [fk('fk_teams_owner', ['owner_id'], 'users', ['id'], { onDelete: 'CASCADE' })],
      uniqueConstraints: [unique('uq_teams_name', ['name'])],
      checkConstraints: [check('ck_teams_name', "name <> ''")],
      indexes: [index('ix_teams_owner_id', ['owner_id'])],
    });
    const body = render(schema([users()]), schema([users(), teams]));
    expect(body.upgrade).toBe(
      [
        // The foreign key locks users.
        `    op.execute("SET LOCAL lock_timeout = '5s'")`,
        '    op.create_table(',
        "        'teams',",
        "        sa.Column('id', sa.Integer(), nullable=False),",
        "        sa.Column('name', sa.String(length=80), nullable=False),",
        "        sa.Column('owner_id', sa.Integer(), nullable=True),",
        "        sa.PrimaryKeyConstraint('id', name='teams_pkey'),",
        "        sa.UniqueConstraint('name', name='uq_teams_name'),",
        `        sa.CheckConstraint("name <> ''", name='ck_teams_name'),`,
        // Too long for one line: split as black splits it.
        '        sa.ForeignKeyConstraint(',
        "            ['owner_id'],",
        "            ['users.id'],",
        "            name='fk_teams_owner',",
        "            ondelete='CASCADE',",
        '        ),',
        '    )',
        "    op.create_index('ix_teams_owner_id', 'teams', ['owner_id'], unique=False)",
      ].join('\n'),
    );
    expect(body.downgrade).toBe(`    op.execute("SET LOCAL lock_timeout = '5s'")\n    op.drop_table('teams')`);
    const wrapped = render(schema([users()]), schema([users(), teams]), {}, { wrapNamesInOpF: true });
    expect(wrapped.upgrade).toContain("name=op.f('uq_teams_name')");
    expect(wrapped.upgrade).toContain("op.create_index(op.f('ix_teams_owner_id'), 'teams'");
  });

  it('says autoincrement=False for a lone integer primary key that is not serial', () => {
    const codes = table('codes', [col('id', 'integer', { nullable: false })]);
    expect(render(schema([]), schema([codes])).upgrade).toContain("sa.Column('id', sa.Integer(), autoincrement=False, nullable=False)");
  });

  it('alters a column with existing_type, existing_nullable and an explicit USING cast both ways', () => {
    const body = render(schema([users(col('code', 'varchar', { length: 10, nullable: false }))]), schema([users(col('code', 'integer', { nullable: false }))]));
    expect(body.upgrade).toContain(
      [
        '    # PostgreSQL has no automatic cast from character varying(10) to integer',
        '    op.alter_column(',
        "        'users',",
        "        'code',",
        '        type_=sa.Integer(),',
        '        existing_type=sa.String(length=10),',
        '        existing_nullable=False,',
        "        postgresql_using='code::integer',",
        '    )',
      ].join('\n'),
    );
    expect(body.downgrade).toContain('type_=sa.String(length=10),\n        existing_type=sa.Integer(),');
    // Every type casts to a string type by assignment: no USING back.
    expect(body.downgrade).not.toContain('postgresql_using');
  });

  it('renames a column with new_column_name and keeps the data', () => {
    const tasks = (name: string) => table('tasks', [col('id', 'integer', { serial: true }), col(name, 'text')]);
    const body = render(schema([tasks('status')]), schema([tasks('current_status')]), { renames: [parseRename('tasks.status=current_status')], allowDataLoss: false });
    expect(body.upgrade).toContain("new_column_name='current_status'");
    expect(body.upgrade).not.toMatch(/drop_column|add_column/);
    expect(body.downgrade).toContain("'current_status',\n        new_column_name='status',");
  });

  it('creates an enum type before add_column, with create_type=False on the column, and drops it after', () => {
    const status = enumType('task_status', ['todo', 'done']);
    const body = render(schema([users()]), schema([users(enumCol('status', 'task_status'))], [status]));
    expect(body.imports).toEqual(['from sqlalchemy.dialects import postgresql']);
    const lines = body.upgrade.split('\n').map((l) => l.trim());
    expect(lines.slice(1, 3)).toEqual([
      '# task_status may exist already (an older migration can leave it): created, and marked as created here, only if missing',
      `op.execute("DO $$ BEGIN\\n  IF to_regtype('task_status') IS NULL THEN\\n    CREATE TYPE task_status AS ENUM ('todo', 'done');\\n    COMMENT ON TYPE task_status IS 'created by flow-migrate: the downgrade of the revision that created it drops it';\\n  END IF;\\nEND $$")`,
    ]);
    expect(body.upgrade).toContain("postgresql.ENUM('todo', 'done', name='task_status', create_type=False)");
    expect(body.downgrade.split('\n').slice(-2).map((l) => l.trim())).toEqual([
      '# drop task_status only if the upgrade created it',
      `op.execute("DO $$ BEGIN\\n  IF obj_description(to_regtype('task_status'), 'pg_type') = 'created by flow-migrate: the downgrade of the revision that created it drops it' THEN\\n    DROP TYPE task_status;\\n  END IF;\\nEND $$")`,
    ]);
  });

  it('adds enum values inside autocommit_block and sets lock_timeout again after it', () => {
    const t = (...labels: string[]) =>
      schema([users(enumCol('status', 'task_status', { serverDefault: "'todo'" }), col('n', 'integer'))], [enumType('task_status', labels)]);
    const head = t('todo', 'doing', 'done');
    head.tables[0]!.columns[2] = col('n', 'bigint');
    const body = render(t('todo', 'done'), head);
    expect(body.upgrade.split('\n').slice(0, 8)).toEqual([
      `    op.execute("SET LOCAL lock_timeout = '5s'")`,
      `    op.execute("SET LOCAL statement_timeout = '5min'")`,
      '    # these statements cannot run inside a transaction block',
      '    with op.get_context().autocommit_block():',
      `        op.execute("ALTER TYPE task_status ADD VALUE IF NOT EXISTS 'doing' AFTER 'todo'")`,
      `    op.execute("SET LOCAL lock_timeout = '5s'")`,
      `    op.execute("SET LOCAL statement_timeout = '5min'")`,
      '    op.alter_column(',
    ]);
    // The downgrade rebuilds the type, dropping and restoring the column default around it.
    expect(body.downgrade).toContain(
      [
        "    op.execute('ALTER TYPE task_status RENAME TO task_status_old')",
        `    op.execute("CREATE TYPE task_status AS ENUM ('todo', 'done')")`,
        "    op.execute('ALTER TABLE users ALTER COLUMN status DROP DEFAULT')",
        "    op.execute('ALTER TABLE users ALTER COLUMN status TYPE task_status USING status::text::task_status')",
        `    op.execute("ALTER TABLE users ALTER COLUMN status SET DEFAULT 'todo'")`,
        "    op.execute('DROP TYPE task_status_old')",
      ].join('\n'),
    );
  });

  it('comments the backfill before NOT NULL and escapes colons that SQLAlchemy would take for bind parameters', () => {
    const body = render(
      schema([users(col('opens', 'varchar', { length: 5 }))]),
      schema([users(col('opens', 'varchar', { length: 5, nullable: false, serverDefault: "'at :nine'" }))]),
    );
    expect(body.upgrade).toContain("    # rows where opens is NULL get 'at :nine' before NOT NULL\n");
    expect(body.upgrade).toContain(`op.execute("UPDATE users SET opens = 'at \\\\:nine' WHERE opens IS NULL")`);
    expect(body.upgrade).toContain(`server_default=sa.text("'at \\\\:nine'")`);
    // A colon after a word character is no bind parameter to SQLAlchemy: left alone.
    expect(render(schema([users()]), schema([users(col('t', 'text', { serverDefault: "'09:00'" }))])).upgrade).toContain(`sa.text("'09:00'")`);
  });

  it('writes postgresql_nulls_not_distinct and postgresql_ops, and creates the extension an operator class needs (never dropped)', () => {
    const docs = (extra: Partial<Parameters<typeof table>[2]> = {}) =>
      table('docs', [col('id', 'integer', { serial: true }), col('body', 'text'), col('slug', 'text')], extra);
    const body = render(
      schema([docs()]),
      schema([
        docs({
          uniqueConstraints: [unique('uq_docs_slug', ['slug'], { nullsNotDistinct: true })],
          indexes: [
            index('ix_docs_body_trgm', ['body'], { using: 'gin', operatorClasses: { body: 'gin_trgm_ops' } }),
            index('ix_docs_slug', ['slug'], { unique: true, nullsNotDistinct: true }),
          ],
        }),
        table('tags', [col('id', 'integer', { serial: true }), col('name', 'text')], { uniqueConstraints: [unique('uq_tags_name', ['name'], { nullsNotDistinct: true })] }),
      ]),
    );
    const block = (...lines: string[]) => lines.map((l) => `    ${l}`).join('\n');
    expect(body.upgrade).toContain(
      block(
        '# pg_trgm provides gin_trgm_ops (ix_docs_body_trgm); the downgrade leaves it installed',
        "op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')",
        'op.create_table(',
      ),
    );
    expect(body.upgrade).toContain(block('    sa.UniqueConstraint(', "        'name',", "        name='uq_tags_name',", '        postgresql_nulls_not_distinct=True,', '    ),'));
    expect(body.upgrade).toContain(block('op.create_unique_constraint(', "    'uq_docs_slug',", "    'docs',", "    ['slug'],", '    postgresql_nulls_not_distinct=True,', ')'));
    expect(body.upgrade).toContain(block("    postgresql_using='gin',", "    postgresql_ops={'body': 'gin_trgm_ops'},", ')'));
    expect(body.upgrade).toContain(block('    unique=True,', '    postgresql_nulls_not_distinct=True,', ')'));
    expect(body.downgrade).not.toContain('EXTENSION');
  });

  it("writes deferrable=True, initially='DEFERRED' on foreign keys and unique constraints, in create_table and added", () => {
    const orgs = table('orgs', [col('id', 'integer', { serial: true })]);
    const teams = (extra: Partial<Parameters<typeof table>[2]> = {}) =>
      table('teams', [col('id', 'integer', { serial: true }), col('org_id', 'integer'), col('slug', 'text')], extra);
    const deferred = {
      foreignKeys: [fk('teams_org_id_fkey', ['org_id'], 'orgs', ['id'], { deferrable: 'deferred' as const })],
      uniqueConstraints: [unique('uq_teams_slug', ['slug'], { deferrable: 'immediate' as const })],
    };
    const created = render(schema([orgs]), schema([orgs, teams(deferred)]));
    const block = (...lines: string[]) => lines.map((l) => `    ${l}`).join('\n');
    expect(created.upgrade).toContain(block("        name='uq_teams_slug',", '        deferrable=True,', "        initially='IMMEDIATE',", '    ),'));
    expect(created.upgrade).toContain(block("        name='teams_org_id_fkey',", '        deferrable=True,', "        initially='DEFERRED',", '    ),'));
    const added = render(schema([orgs, teams()]), schema([orgs, teams(deferred)]));
    expect(added.upgrade).toContain(block("    ['slug'],", '    deferrable=True,', "    initially='IMMEDIATE',", ')'));
    expect(added.upgrade).toContain(block("    ['id'],", '    deferrable=True,', "    initially='DEFERRED',", ')'));
    expect(added.downgrade).not.toContain('deferrable');
  });

  it('builds an index concurrently inside autocommit_block when asked to', () => {
    const t = (indexes: ReturnType<typeof index>[]) => ({ ...users(col('email', 'text')), indexes });
    const body = render(schema([t([])]), schema([t([index('ix_users_email', ['email'], { unique: true })])]), { concurrentIndexes: true });
    expect(body.upgrade).toContain('with op.get_context().autocommit_block():');
    expect(body.upgrade).toContain('postgresql_concurrently=True');
    expect(body.downgrade).toContain('with op.get_context().autocommit_block():');
  });

  it('uses the backend lock_timeout when it has one', () => {
    const body = render(schema([users(col('n', 'integer'))]), schema([users(col('n', 'bigint'))]), {}, { lockTimeout: '2s' });
    expect(body.upgrade.split('\n')[0]).toBe(`    op.execute("SET LOCAL lock_timeout = '2s'")`);
  });
});

import { describe, expect, it } from 'vitest';
import { plan, parseRename, confirmationFlag, confirmationCommand } from '../../../src/core/plan/index.js';
import type { Operation, Plan, PlanOptions } from '../../../src/core/plan/index.js';
import type { Schema } from '../../../src/core/schema/model.js';
import { InputError } from '../../../src/core/errors.js';
import { at, check, col, enumCol, enumType, fk, index, schema, table, unique } from '../../support/schema-builder.js';

const SAFE: PlanOptions = { renames: [], allowDataLoss: false };

function run(base: Schema, head: Schema, options: Partial<PlanOptions> = {}): Plan {
  return plan(base, head, { ...SAFE, ...options });
}

/** `kind:detail` for every upgrade step, in order. */
function steps(p: Plan, side: 'upgrade' | 'downgrade' = 'upgrade'): string[] {
  const ops = side === 'upgrade' ? p.operations.flatMap((o) => o.upgrade) : [...p.operations].reverse().flatMap((o) => o.downgrade);
  return ops.map(label);
}

function label(op: Operation): string {
  switch (op.kind) {
    case 'createExtension':
      return `createExtension:${op.name}`;
    case 'createTable':
    case 'dropTable':
      return `${op.kind}:${op.table.name}`;
    case 'createEnum':
    case 'dropEnum':
      return `${op.kind}:${op.enum.name}`;
    case 'addEnumValue':
      return `${op.kind}:${op.enum.name}.${op.value}`;
    case 'rebuildEnum':
      return `${op.kind}:${op.enum.name}(${op.labels.join(',')})`;
    case 'addColumn':
    case 'dropColumn':
      return `${op.kind}:${op.table}.${op.column.name}`;
    case 'alterColumn':
      return `alterColumn:${op.table}.${op.existing.name}:${op.change.kind}`;
    case 'createIndex':
    case 'dropIndex':
      return `${op.kind}:${op.index.name}`;
    case 'addConstraint':
    case 'dropConstraint':
      return `${op.kind}:${op.constraint.name}`;
    case 'renameTable':
    case 'renameIndex':
    case 'renameConstraint':
    case 'renameSequence':
      return `${op.kind}:${op.from}->${op.to}`;
    case 'backfill':
      return `backfill:${op.table}.${op.column}=${op.value}`;
    case 'setTableComment':
      return `setTableComment:${op.table}`;
    case 'dropExpression':
      return `dropExpression:${op.table}.${op.column}`;
    case 'setSequenceType':
      return `setSequenceType:${op.sequence}`;
    case 'changeNumbering':
      return `changeNumbering:${op.table}.${op.column}:${op.from.kind}->${op.to.kind}`;
  }
}

/** `severity:rule`, with `@downgrade` for a finding on a downgrade statement. */
function rules(p: Plan): string[] {
  return p.findings.map((f) => `${f.severity}:${f.rule}${f.side === 'downgrade' ? '@downgrade' : ''}`);
}

const users = (...extra: ReturnType<typeof col>[]) =>
  table('users', [col('id', 'integer', { serial: true }), col('email', 'varchar', { length: 200, nullable: false }), ...extra]);

describe('parseRename', () => {
  it('reads the column and the table form', () => {
    expect(parseRename('tasks.status=current_status')).toEqual({ kind: 'column', table: 'tasks', from: 'status', to: 'current_status' });
    expect(parseRename('bots=flowbots')).toEqual({ kind: 'table', from: 'bots', to: 'flowbots' });
  });
  it('rejects anything else with a clear error', () => {
    for (const bad of ['tasks.status', 'a.b.c=d', '=x', 'a=b.c', 'a b=c']) {
      expect(() => parseRename(bad), bad).toThrow(InputError);
    }
  });
  it('renders confirmations as flag and PR command', () => {
    expect(confirmationFlag({ kind: 'rename', from: 'tasks.status', to: 'state' })).toBe('--rename tasks.status=state');
    expect(confirmationCommand({ kind: 'allow-data-loss' })).toBe('/migration allow-data-loss');
  });
});

describe('plan: no change', () => {
  it('returns no operations for equal schemas', () => {
    const s = schema([users()]);
    const p = run(s, structuredClone(s));
    expect(p.operations).toEqual([]);
    expect(p.findings).toEqual([]);
    expect(p.refused).toBe(false);
  });
});

describe('plan: columns', () => {
  it('adds a nullable column in one step, dropped on downgrade', () => {
    const p = run(schema([users()]), schema([users(col('last_login', 'timestamptz'))]));
    expect(steps(p)).toEqual(['addColumn:users.last_login']);
    expect(steps(p, 'downgrade')).toEqual(['dropColumn:users.last_login']);
    expect(p.operations[0]!.summary).toBe('add last_login to users');
    expect(p.refused).toBe(false);
  });

  it('adds NOT NULL with a server default in one statement', () => {
    const p = run(schema([users()]), schema([users(col('active', 'boolean', { nullable: false, serverDefault: 'true' }))]));
    expect(steps(p)).toEqual(['addColumn:users.active']);
    expect(rules(p)).toEqual(['info:add-column-default']);
  });

  it('adds NOT NULL with a literal Python default: fills rows via a temporary server default, then drops it', () => {
    const c = col('score', 'integer', { nullable: false, default: { python: '0', sql: '0' }, location: at(12) });
    const p = run(schema([users()]), schema([users(c)]));
    const [add, drop] = p.operations[0]!.upgrade;
    expect(add).toMatchObject({ kind: 'addColumn', column: { serverDefault: '0', nullable: false } });
    expect(drop).toMatchObject({ kind: 'alterColumn', change: { kind: 'serverDefault', serverDefault: null } });
    expect(p.refused).toBe(false);
  });

  it('refuses NOT NULL with no value for existing rows, even with --allow-data-loss', () => {
    const c = col('tenant', 'integer', { nullable: false, location: at(7) });
    const p = run(schema([users()]), schema([users(c)]), { allowDataLoss: true });
    expect(p.refused).toBe(true);
    const f = p.findings.find((x) => x.rule === 'add-not-null-no-default')!;
    expect(f).toMatchObject({ severity: 'error', table: 'users', column: 'tenant', location: at(7), confirmations: [{ kind: 'assume-empty', table: 'users' }], confirmed: false });
    expect(f.message).toMatch(/existing rows need a value.*server_default=.*default=/);
    expect(f.message).not.toMatch(/lose|lost/);
  });

  it('adds NOT NULL with no value to a table said to be empty (--assume-empty) as is, and rejects an unknown table', () => {
    const c = col('tenant', 'integer', { nullable: false, location: at(7) });
    const p = run(schema([users()]), schema([users(c)]), { assumeEmpty: ['users'] });
    expect(p.refused).toBe(false);
    expect(p.findings).toEqual([]);
    expect(p.operations[0]!.upgrade).toEqual([
      { kind: 'addColumn', schema: null, table: 'users', column: c, why: 'users holds no rows (--assume-empty): no value is needed for existing ones' },
    ]);
    expect(() => run(schema([users()]), schema([users(c)]), { assumeEmpty: ['nope'] })).toThrow(/--assume-empty nope: no table "nope" in the head models/);
    expect(confirmationFlag({ kind: 'assume-empty', table: 'users' })).toBe('--assume-empty users');
  });

  it('warns that the old code cannot insert once a NOT NULL column filled from a Python default= keeps no server default', () => {
    const c = col('score', 'integer', { nullable: false, default: { python: '0', sql: '0' }, location: at(12) });
    const p = run(schema([users()]), schema([users(c)]));
    expect(rules(p)).toEqual(['warning:add-not-null-python-default']);
    expect(p.findings[0]!.message).toMatch(/temporary server default.*INSERTs by the old code.*fail/);
    expect(p.findings[0]!.fix).toMatch(/server_default=.*nullable, backfill it, and make it NOT NULL in a later revision/);
  });

  it('sets lock_timeout for any lock that holds up an existing table, even a catalog-only ADD COLUMN; statement_timeout only for scans and rewrites', () => {
    const add = run(schema([users()]), schema([users(col('bio', 'text'))]));
    expect([add.needsLockTimeout, add.scansExistingTable]).toEqual([true, false]);
    const comment = run(schema([users(col('bio', 'text'))]), schema([users(col('bio', 'text', { comment: 'About' }))]));
    expect(comment.needsLockTimeout).toBe(false);
    const fresh = run(schema([]), schema([users()]));
    // The downgrade drops the table, which by then has traffic.
    expect([fresh.needsLockTimeout, fresh.scansExistingTable]).toEqual([true, false]);
    const rewrite = run(schema([users(col('n', 'integer'))]), schema([users(col('n', 'bigint'))]));
    expect(rewrite.scansExistingTable).toBe(true);
  });

  it('gives downgrade statements the findings of upgrade ones: at most warnings, never refusing', () => {
    const p = run(schema([users(col('n', 'integer'))]), schema([users(col('n', 'bigint'))]));
    const down = p.findings.find((f) => f.side === 'downgrade')!;
    expect(down).toMatchObject({ rule: 'narrow-type', severity: 'warning', confirmations: [], operation: 0 });
    expect(down.message).toMatch(/fails on values written since the upgrade that do not fit \(ALTER TABLE users ALTER COLUMN n TYPE integer\)/);
    expect(p.refused).toBe(false);
  });

  it('treats a volatile default as a rewrite', () => {
    const p = run(schema([users()]), schema([users(col('token', 'uuid', { nullable: false, serverDefault: 'gen_random_uuid()' }))]));
    expect(rules(p)).toEqual(['warning:add-column-volatile-default']);
    expect(p.needsLockTimeout).toBe(true);
  });

  it('refuses a dropped column until data loss is allowed, and re-adds it on downgrade', () => {
    const base = schema([users(col('nickname', 'varchar', { length: 40, nullable: false, location: at(9) }))]);
    const refused = run(base, schema([users()]));
    expect(refused.refused).toBe(true);
    const f = refused.findings.find((x) => x.rule === 'drop-column')!;
    expect(f).toMatchObject({ severity: 'error', column: 'nickname', location: at(9), confirmations: [{ kind: 'allow-data-loss' }] });

    const allowed = run(base, schema([users()]), { allowDataLoss: true });
    expect(allowed.refused).toBe(false);
    expect(allowed.findings.find((x) => x.rule === 'drop-column')!.confirmed).toBe(true);
    expect(steps(allowed)).toEqual(['dropColumn:users.nickname']);
    // NOT NULL with no default: the downgrade fills existing rows with a placeholder.
    expect(allowed.operations[0]!.downgrade[0]).toMatchObject({ kind: 'addColumn', column: { serverDefault: "''" } });
    expect(steps(allowed, 'downgrade')).toEqual(['addColumn:users.nickname', 'alterColumn:users.nickname:serverDefault']);
  });

  it('makes a column NOT NULL after backfilling NULLs from the server default', () => {
    const base = schema([users(col('status', 'varchar', { length: 20 }))]);
    const head = schema([users(col('status', 'varchar', { length: 20, nullable: false, serverDefault: "'new'" }))]);
    const p = run(base, head);
    expect(steps(p)).toEqual([
      'alterColumn:users.status:serverDefault',
      "backfill:users.status='new'",
      'alterColumn:users.status:nullable',
    ]);
    expect(steps(p, 'downgrade')).toEqual(['alterColumn:users.status:nullable', 'alterColumn:users.status:serverDefault']);
    expect(rules(p)).toEqual(['info:change-server-default', 'warning:set-not-null']);
  });

  it('backfills on the downgrade of DROP NOT NULL when the old column had a default', () => {
    const base = schema([users(col('status', 'varchar', { nullable: false, serverDefault: "'new'" }))]);
    const head = schema([users(col('status', 'varchar', { serverDefault: "'new'" }))]);
    const p = run(base, head);
    expect(steps(p)).toEqual(['alterColumn:users.status:nullable']);
    expect(steps(p, 'downgrade')).toEqual(["backfill:users.status='new'", 'alterColumn:users.status:nullable']);
    expect(rules(p)).toEqual(['info:drop-not-null', 'warning:set-not-null@downgrade']);
    expect(p.findings[1]!.message).toMatch(/first set to 'new'/);
  });

  it('changes a table comment both ways', () => {
    const p = run(schema([users()]), schema([{ ...users(), comment: 'People' }]));
    expect(p.operations[0]!.upgrade).toEqual([{ kind: 'setTableComment', schema: null, table: 'users', comment: 'People', existing: null }]);
    expect(p.operations[0]!.downgrade).toEqual([{ kind: 'setTableComment', schema: null, table: 'users', comment: null, existing: 'People' }]);
    expect(p.findings).toEqual([]);
  });

  it('renames a constraint or index whose definition is unchanged, instead of rebuilding it', () => {
    const t = (uq: string, ix: string) =>
      table('items', [col('id', 'integer', { serial: true }), col('sku', 'text')], { uniqueConstraints: [unique(uq, ['sku'])], indexes: [index(ix, ['sku'])] });
    const p = run(schema([t('items_sku_key', 'items_sku_idx')]), schema([t('uq_items_sku', 'ix_items_sku')]));
    expect(steps(p)).toEqual(['renameConstraint:items_sku_key->uq_items_sku', 'renameIndex:items_sku_idx->ix_items_sku']);
    expect(p.findings).toEqual([]);
  });

  it('changes comments both ways', () => {
    const p = run(schema([users(col('bio', 'text'))]), schema([users(col('bio', 'text', { comment: 'About me' }))]));
    expect(p.operations[0]!.upgrade[0]).toMatchObject({ change: { kind: 'comment', comment: 'About me' } });
    expect(p.operations[0]!.downgrade[0]).toMatchObject({ change: { kind: 'comment', comment: null } });
  });
});

describe('plan: type changes', () => {
  const change = (from: ReturnType<typeof col>, to: ReturnType<typeof col>) => run(schema([users(from)]), schema([users(to)]));

  it('widening varchar is catalog-only info', () => {
    const p = change(col('name', 'varchar', { length: 50 }), col('name', 'varchar', { length: 100 }));
    expect(rules(p)).toEqual(['info:change-type-cheap', 'warning:narrow-type@downgrade']);
    expect(p.operations[0]!.upgrade[0]).toMatchObject({ change: { kind: 'type', using: null } });
  });

  it('int → bigint rewrites the table', () => {
    expect(rules(change(col('n', 'integer'), col('n', 'bigint')))).toEqual(['warning:change-type-rewrite', 'warning:narrow-type@downgrade']);
  });

  it('narrowing is data loss', () => {
    for (const [from, to] of [
      [col('name', 'varchar', { length: 100 }), col('name', 'varchar', { length: 50 })],
      [col('name', 'text'), col('name', 'varchar', { length: 50 })],
      [col('n', 'bigint'), col('n', 'integer')],
      [col('p', 'numeric', { precision: 10, scale: 2 }), col('p', 'numeric', { precision: 8, scale: 2 })],
      [col('t', 'timestamptz'), col('t', 'timestamp')],
    ] as const) {
      const p = change(from, to);
      expect(rules(p), `${from.type.name} → ${to.type.name}`).toContain('error:narrow-type');
      expect(p.refused).toBe(true);
      expect(change(from, to).findings.find((f) => f.rule === 'narrow-type')!.confirmations).toEqual([{ kind: 'allow-data-loss' }]);
    }
  });

  it('casts with USING where PostgreSQL has no assignment cast, and casts back', () => {
    const p = change(col('code', 'varchar', { length: 10 }), col('code', 'integer'));
    expect(p.operations[0]!.upgrade[0]).toMatchObject({ change: { kind: 'type', using: 'code::integer' } });
    expect(p.operations[0]!.downgrade[0]).toMatchObject({ change: { kind: 'type', using: null } });
    expect(rules(p)).toEqual(['warning:change-type-rewrite', 'warning:cast-needed', 'warning:change-type-rewrite@downgrade']);
    const json = change(col('data', 'text'), col('data', 'jsonb'));
    expect(json.operations[0]!.upgrade[0]).toMatchObject({ change: { using: 'data::jsonb' } });
  });

  it('drops and restores a default around a type change', () => {
    const p = change(col('n', 'varchar', { serverDefault: "'1'" }), col('n', 'integer', { serverDefault: '1' }));
    expect(steps(p)).toEqual(['alterColumn:users.n:serverDefault', 'alterColumn:users.n:type', 'alterColumn:users.n:serverDefault']);
    expect(steps(p, 'downgrade')).toEqual(['alterColumn:users.n:serverDefault', 'alterColumn:users.n:type', 'alterColumn:users.n:serverDefault']);
    expect(p.operations[1]!.downgrade[0]).toMatchObject({ change: { kind: 'serverDefault', serverDefault: null } });
    expect(p.operations[0]!.downgrade[1]).toMatchObject({ change: { kind: 'serverDefault', serverDefault: "'1'" } });
  });
});

describe('plan: numbering', () => {
  it('widens a serial key together with its sequence', () => {
    const t = (type: string) => table('events', [col('id', type, { serial: true })]);
    const p = run(schema([t('integer')]), schema([t('bigint')]));
    expect(steps(p)).toEqual(['alterColumn:events.id:type', 'setSequenceType:events_id_seq']);
    expect(steps(p, 'downgrade')).toEqual(['setSequenceType:events_id_seq', 'alterColumn:events.id:type']);
  });

  it('switches serial to identity and back', () => {
    const serial = table('events', [col('id', 'integer', { serial: true })]);
    const identity = table('events', [col('id', 'integer', { nullable: false, identity: { always: false, start: null, increment: null } })], { pk: ['id'] });
    const p = run(schema([serial]), schema([identity]));
    expect(steps(p)).toEqual(['changeNumbering:events.id:serial->identity']);
    expect(steps(p, 'downgrade')).toEqual(['changeNumbering:events.id:identity->serial']);
  });
});

describe('plan: generated columns', () => {
  const prices = (gross: ReturnType<typeof col>) =>
    table('prices', [col('id', 'integer', { serial: true }), col('net', 'numeric'), gross], { indexes: [index('ix_prices_gross', ['gross'])] });

  it('re-creates a column whose expression changed, with the index on it', () => {
    const p = run(
      schema([prices(col('gross', 'numeric', { computed: { expression: 'net * 1.2', persisted: true } }))]),
      schema([prices(col('gross', 'numeric', { computed: { expression: 'net * 1.25', persisted: true } }))]),
    );
    expect(steps(p)).toEqual(['dropIndex:ix_prices_gross', 'dropColumn:prices.gross', 'addColumn:prices.gross', 'createIndex:ix_prices_gross']);
    expect(rules(p)).toEqual([
      'info:drop-index',
      'warning:add-column-volatile-default',
      'warning:create-index',
      'warning:add-column-volatile-default@downgrade',
      'warning:create-index@downgrade',
    ]);
    expect(p.refused).toBe(false);
  });

  it('keeps the values of a generated column that becomes plain', () => {
    const p = run(schema([prices(col('gross', 'numeric', { computed: { expression: 'net * 1.2', persisted: true } }))]), schema([prices(col('gross', 'numeric'))]));
    expect(steps(p)).toContain('dropExpression:prices.gross');
    expect(steps(p, 'downgrade')).toContain('addColumn:prices.gross');
  });

  it('refuses a plain column becoming generated: its values are replaced', () => {
    const p = run(schema([prices(col('gross', 'numeric'))]), schema([prices(col('gross', 'numeric', { computed: { expression: 'net * 1.2', persisted: true } }))]));
    expect(rules(p)).toContain('error:drop-column');
    expect(p.refused).toBe(true);
  });
});

describe('plan: renames', () => {
  const tasks = (status: string, info: Record<string, unknown> = {}) =>
    table('tasks', [col('id', 'integer', { serial: true }), col(status, 'varchar', { length: 20, info, location: at(5) })]);

  it('treats a removed + added compatible pair as a possible rename: refused until confirmed', () => {
    const p = run(schema([tasks('status')]), schema([tasks('state')]));
    expect(p.possibleRenames).toEqual([
      { kind: 'column', table: 'tasks', from: 'status', to: 'state', confirmation: { kind: 'rename', from: 'tasks.status', to: 'state' } },
    ]);
    expect(p.refused).toBe(true);
    const f = p.findings.find((x) => x.rule === 'unconfirmed-rename')!;
    expect(f.severity).toBe('error');
    expect(f.confirmations.map(confirmationFlag)).toEqual(['--rename tasks.status=state', '--allow-data-loss']);
    expect(steps(p)).toEqual(['dropColumn:tasks.status', 'addColumn:tasks.state']);
    // Confirming the data loss instead makes it the drop + add it looks like.
    expect(run(schema([tasks('status')]), schema([tasks('state')]), { allowDataLoss: true }).refused).toBe(false);
  });

  it('renames a column confirmed by flag, keeping the data', () => {
    const p = run(schema([tasks('status')]), schema([tasks('state')]), { renames: [parseRename('tasks.status=state')] });
    expect(steps(p)).toEqual(['alterColumn:tasks.status:rename']);
    expect(steps(p, 'downgrade')).toEqual(['alterColumn:tasks.state:rename']);
    expect(p.refused).toBe(false);
    expect(rules(p)).toEqual(['warning:rename-column', 'warning:rename-column@downgrade']);
    expect(p.possibleRenames).toEqual([]);
  });

  it('renames a column confirmed by the model hint', () => {
    const p = run(schema([tasks('status')]), schema([tasks('state', { renamed_from: 'status' })]));
    expect(steps(p)).toEqual(['alterColumn:tasks.status:rename']);
    expect(p.refused).toBe(false);
  });

  it('keeps checks and partial indexes over a renamed column (PostgreSQL renames inside them)', () => {
    const t = (name: string, info: Record<string, unknown> = {}) =>
      table('items', [col('id', 'integer', { serial: true }), col(name, 'integer', { info })], {
        checkConstraints: [check('ck_items_qty', `${name} > 0`)],
        indexes: [index('ix_items_open', ['id'], { where: `"${name}" < 10 AND 'qty' <> ''` })],
      });
    const p = run(schema([t('qty')]), schema([t('amount', { renamed_from: 'qty' })]));
    expect(steps(p)).toEqual(['alterColumn:items.qty:rename']);
  });

  it('ignores a renamed_from hint whose rename already ran (or a database built from nothing)', () => {
    expect(steps(run(schema([]), schema([tasks('state', { renamed_from: 'status' })])))).toEqual(['createTable:tasks']);
    const done = schema([tasks('state', { renamed_from: 'status' })]);
    expect(run(done, structuredClone(done)).operations).toEqual([]);
  });

  it('rejects a table rename flag that matches nothing', () => {
    expect(() => run(schema([tasks('status')]), schema([tasks('status')]), { renames: [parseRename('bots=flowbots')] })).toThrow(
      /--rename bots=flowbots: no new table "flowbots"/,
    );
  });

  it('rejects a rename flag that matches nothing', () => {
    expect(() => run(schema([tasks('status')]), schema([tasks('state')]), { renames: [parseRename('tasks.nope=state')] })).toThrow(
      /--rename tasks.nope=state/,
    );
  });

  it('renames a table with its indexes, constraints and sequence', () => {
    const bots = table('bots', [col('id', 'integer', { serial: true }), col('name', 'varchar', { length: 50 })], {
      indexes: [index('ix_bots_name', ['name'])],
      uniqueConstraints: [unique('bots_name_key', ['name'])],
    });
    const flowbots = table('flowbots', [col('id', 'integer', { serial: true }), col('name', 'varchar', { length: 50 })], {
      indexes: [index('ix_flowbots_name', ['name'])],
      uniqueConstraints: [unique('flowbots_name_key', ['name'])],
      info: { renamed_from: 'bots' },
    });
    const p = run(schema([bots]), schema([flowbots]));
    expect(steps(p)).toEqual([
      'renameTable:bots->flowbots',
      'renameSequence:bots_id_seq->flowbots_id_seq',
      'renameConstraint:bots_pkey->flowbots_pkey',
      'renameConstraint:bots_name_key->flowbots_name_key',
      'renameIndex:ix_bots_name->ix_flowbots_name',
    ]);
    expect(steps(p, 'downgrade')).toEqual([
      'renameIndex:ix_flowbots_name->ix_bots_name',
      'renameConstraint:flowbots_name_key->bots_name_key',
      'renameConstraint:flowbots_pkey->bots_pkey',
      'renameSequence:flowbots_id_seq->bots_id_seq',
      'renameTable:flowbots->bots',
    ]);
    expect(rules(p)).toEqual(['warning:rename-table']);
    const byFlag = run(schema([bots]), schema([{ ...flowbots, info: {} }]), { renames: [parseRename('bots=flowbots')] });
    expect(steps(byFlag)).toEqual(steps(p));
  });

  it('reports a dropped + created table with the same columns as a possible rename', () => {
    const p = run(schema([table('bots', [col('id', 'integer', { serial: true })])]), schema([table('flowbots', [col('id', 'integer', { serial: true })])]));
    expect(p.possibleRenames.map((r) => r.confirmation)).toEqual([{ kind: 'rename', from: 'bots', to: 'flowbots' }]);
    expect(rules(p)).toEqual(['error:drop-table', 'error:unconfirmed-rename']);
  });
});

describe('plan: tables and ordering', () => {
  const org = table('orgs', [col('id', 'integer', { serial: true })]);
  const team = table('teams', [col('id', 'integer', { serial: true }), col('org_id', 'integer')], {
    foreignKeys: [fk('teams_org_id_fkey', ['org_id'], 'orgs', ['id'])],
  });
  const member = table('members', [col('id', 'integer', { serial: true }), col('team_id', 'integer')], {
    foreignKeys: [fk('members_team_id_fkey', ['team_id'], 'teams', ['id'], { onDelete: 'CASCADE' })],
    indexes: [index('ix_members_team_id', ['team_id'])],
  });

  it('creates referenced tables first, whatever the model order', () => {
    const p = run(schema([]), schema([member, team, org]));
    expect(steps(p)).toEqual(['createTable:orgs', 'createTable:teams', 'createTable:members', 'createIndex:ix_members_team_id']);
    expect(steps(p, 'downgrade')).toEqual(['dropTable:members', 'dropTable:teams', 'dropTable:orgs']);
    expect(p.findings).toEqual([]);
  });

  it('breaks a cycle: creates the tables, then adds the closing foreign key', () => {
    const a = table('a', [col('id', 'integer', { serial: true }), col('b_id', 'integer')], { foreignKeys: [fk('a_b_id_fkey', ['b_id'], 'b', ['id'])] });
    const b = table('b', [col('id', 'integer', { serial: true }), col('a_id', 'integer')], { foreignKeys: [fk('b_a_id_fkey', ['a_id'], 'a', ['id'])] });
    const p = run(schema([]), schema([a, b]));
    expect(steps(p)).toEqual(['createTable:a', 'createTable:b', 'addConstraint:a_b_id_fkey']);
    const createdA = p.operations[0]!.upgrade[0]!;
    expect(createdA.kind === 'createTable' && createdA.table.foreignKeys).toEqual([]);
    expect(steps(p, 'downgrade')).toEqual(['dropConstraint:a_b_id_fkey', 'dropTable:b', 'dropTable:a']);

    const dropped = run(schema([a, b]), schema([]), { allowDataLoss: true });
    expect(steps(dropped)).toEqual(['dropConstraint:a_b_id_fkey', 'dropTable:b', 'dropTable:a']);
    expect(steps(dropped, 'downgrade')).toEqual(['createTable:a', 'createTable:b', 'addConstraint:a_b_id_fkey']);
  });

  it('drops referencing tables first and refuses without consent', () => {
    const p = run(schema([org, team, member]), schema([]));
    expect(p.refused).toBe(true);
    expect(steps(p)).toEqual(['dropTable:members', 'dropTable:teams', 'dropTable:orgs']);
    expect(steps(p, 'downgrade')).toEqual(['createTable:orgs', 'createTable:teams', 'createTable:members', 'createIndex:ix_members_team_id']);
    expect(rules(p)).toEqual(['error:drop-table', 'error:drop-table', 'error:drop-table']);
  });

  it('drops a foreign key into a dropped table before the table', () => {
    const base = schema([org, team]);
    const head = schema([table('teams', [col('id', 'integer', { serial: true }), col('org_id', 'integer')])]);
    const p = run(base, head, { allowDataLoss: true });
    expect(steps(p)).toEqual(['dropConstraint:teams_org_id_fkey', 'dropTable:orgs']);
  });

  it('adds a new table and a foreign key to it from an existing table', () => {
    const head = schema([
      org,
      table('teams', [col('id', 'integer', { serial: true }), col('org_id', 'integer'), col('lead_id', 'integer')], {
        foreignKeys: [fk('teams_org_id_fkey', ['org_id'], 'orgs', ['id']), fk('teams_lead_id_fkey', ['lead_id'], 'leads', ['id'])],
      }),
      table('leads', [col('id', 'integer', { serial: true })]),
    ]);
    const p = run(schema([org, team]), head);
    expect(steps(p)).toEqual(['createTable:leads', 'addColumn:teams.lead_id', 'addConstraint:teams_lead_id_fkey']);
    expect(rules(p)).toEqual(['warning:add-foreign-key']);
  });

  it('re-creates a foreign key whose ondelete changed', () => {
    const changed = { ...team, foreignKeys: [fk('teams_org_id_fkey', ['org_id'], 'orgs', ['id'], { onDelete: 'CASCADE' })] };
    const p = run(schema([org, team]), schema([org, changed]));
    expect(steps(p)).toEqual(['dropConstraint:teams_org_id_fkey', 'addConstraint:teams_org_id_fkey']);
    expect(rules(p)).toEqual(['warning:change-fk-action', 'warning:add-foreign-key@downgrade']);
    expect(p.findings[0]!.message).toMatch(/ON DELETE NO ACTION .* to ON DELETE CASCADE/);
    expect(p.findings[0]!.message).toContain('Deleting a row of orgs now deletes the rows of teams that reference it.');
  });

  it('re-creates a foreign key or unique constraint whose deferrable= / initially= changed', () => {
    const deferredFk = { ...team, foreignKeys: [fk('teams_org_id_fkey', ['org_id'], 'orgs', ['id'], { deferrable: 'deferred' })] };
    const p = run(schema([org, team]), schema([org, deferredFk]));
    expect(steps(p)).toEqual(['dropConstraint:teams_org_id_fkey', 'addConstraint:teams_org_id_fkey']);
    expect(p.findings[0]!.message).toContain('to ON DELETE NO ACTION ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED');
    expect(run(schema([org, deferredFk]), schema([org, deferredFk])).operations).toEqual([]);
    const t = (deferrable?: 'immediate' | 'deferred') =>
      table('items', [col('id', 'integer', { serial: true }), col('sku', 'text')], { uniqueConstraints: [unique('uq_items_sku', ['sku'], { deferrable })] });
    expect(steps(run(schema([t()]), schema([t('immediate')])))).toEqual(['dropConstraint:uq_items_sku', 'addConstraint:uq_items_sku']);
    expect(steps(run(schema([t('immediate')]), schema([t('deferred')])))).toEqual(['dropConstraint:uq_items_sku', 'addConstraint:uq_items_sku']);
    expect(run(schema([t('deferred')]), schema([t('deferred')])).operations).toEqual([]);
  });

  it('compares check expressions, not only names', () => {
    const t = (expr: string) => table('items', [col('id', 'integer', { serial: true }), col('qty', 'integer')], { checkConstraints: [check('ck_items_qty', expr)] });
    expect(run(schema([t('qty > 0')]), schema([t('qty > 0')])).operations).toEqual([]);
    const p = run(schema([t('qty > 0')]), schema([t('qty >= 0')]));
    expect(steps(p)).toEqual(['dropConstraint:ck_items_qty', 'addConstraint:ck_items_qty']);
    expect(rules(p)).toEqual(['warning:add-check', 'warning:add-check@downgrade']);
  });

  it('diffs indexes: new, changed predicate, unique constraint', () => {
    const t = (indexes: ReturnType<typeof index>[], uniques: ReturnType<typeof unique>[] = []) =>
      table('items', [col('id', 'integer', { serial: true }), col('sku', 'varchar'), col('deleted', 'boolean')], { indexes, uniqueConstraints: uniques });
    const p = run(
      schema([t([index('ix_items_sku', ['sku'], { where: 'NOT deleted' })])]),
      schema([t([index('ix_items_sku', ['sku'], { where: 'deleted IS FALSE' }), index('ix_items_deleted', ['deleted'])], [unique('uq_items_sku', ['sku'])])]),
    );
    expect(steps(p)).toEqual(['dropIndex:ix_items_sku', 'addConstraint:uq_items_sku', 'createIndex:ix_items_sku', 'createIndex:ix_items_deleted']);
    expect(rules(p)).toEqual(['info:drop-index', 'warning:add-unique-constraint', 'warning:create-index', 'warning:create-index', 'warning:create-index@downgrade']);
  });

  it('compares NULLS NOT DISTINCT and operator classes, renamed columns included', () => {
    const t = (nnd: boolean, opclass: string | null, name = 'body') =>
      table('docs', [col('id', 'integer', { serial: true }), col(name, 'text'), col('slug', 'text')], {
        uniqueConstraints: [unique('uq_docs_slug', ['slug'], { nullsNotDistinct: nnd })],
        indexes: [index('ix_docs_body', [name], { using: 'gin', operatorClasses: opclass ? { [name]: opclass } : {} })],
      });
    expect(run(schema([t(true, 'gin_trgm_ops')]), schema([t(true, 'gin_trgm_ops')])).operations).toEqual([]);
    expect(run(schema([t(true, 'gin_trgm_ops')]), schema([t(true, 'gin_trgm_ops', 'text')]), { renames: [parseRename('docs.body=text')] }).operations.map((o) => o.summary)).toEqual([
      'rename docs.body to text',
    ]);
    expect(steps(run(schema([t(false, 'gin_trgm_ops')]), schema([t(true, 'gin_trgm_ops')])))).toEqual(['dropConstraint:uq_docs_slug', 'addConstraint:uq_docs_slug']);
    expect(steps(run(schema([t(false, 'gin_trgm_ops')]), schema([t(false, 'gin_bigm_ops')])))).toEqual(['dropIndex:ix_docs_body', 'createIndex:ix_docs_body']);
  });

  it('creates the extension an operator class comes from before the index, and leaves it on downgrade', () => {
    const t = (indexes: ReturnType<typeof index>[]) => table('docs', [col('id', 'integer', { serial: true }), col('body', 'text'), col('n', 'integer')], { indexes });
    const trgm = index('ix_docs_body_trgm', ['body'], { using: 'gin', operatorClasses: { body: 'gin_trgm_ops' } });
    const gistTrgm = index('ix_docs_body_gist', ['body'], { using: 'gist', operatorClasses: { body: 'gist_trgm_ops' } });
    const btreeGin = index('ix_docs_n', ['n'], { using: 'gin', operatorClasses: { n: 'int4_ops' } });
    const p = run(schema([t([])]), schema([t([trgm, gistTrgm, btreeGin])]));
    expect(steps(p)).toEqual([
      'createExtension:pg_trgm',
      'createExtension:btree_gin',
      'createIndex:ix_docs_body_trgm',
      'createIndex:ix_docs_body_gist',
      'createIndex:ix_docs_n',
    ]);
    expect(p.operations[0]!.upgrade[0]!.why).toBe(
      'pg_trgm provides gin_trgm_ops (ix_docs_body_trgm), gist_trgm_ops (ix_docs_body_gist); the downgrade leaves it installed',
    );
    expect(steps(p, 'downgrade')).toEqual(['dropIndex:ix_docs_n', 'dropIndex:ix_docs_body_gist', 'dropIndex:ix_docs_body_trgm']);
    // A core operator class needs nothing, and neither does an index that stays.
    const core = index('ix_docs_body', ['body'], { operatorClasses: { body: 'text_pattern_ops' } });
    expect(steps(run(schema([t([])]), schema([t([core])])))).toEqual(['createIndex:ix_docs_body']);
    expect(run(schema([t([trgm])]), schema([t([trgm])])).operations).toEqual([]);
  });

  it('builds indexes concurrently on request', () => {
    const t = (indexes: ReturnType<typeof index>[]) => table('items', [col('id', 'integer', { serial: true }), col('sku', 'varchar')], { indexes });
    const p = run(schema([t([])]), schema([t([index('ix_items_sku', ['sku'])])]), { concurrentIndexes: true });
    expect(p.operations[0]!.upgrade[0]).toMatchObject({ kind: 'createIndex', concurrently: true });
    expect(p.findings).toEqual([]);
  });

  it('drops a foreign key before the primary key it depends on changes, and adds it back after', () => {
    const links = (pk: string[], uniques: ReturnType<typeof unique>[]) =>
      table('links', [col('a', 'integer', { nullable: false }), col('b', 'integer', { nullable: false })], { pk, uniqueConstraints: uniques });
    const refs = table('refs', [col('id', 'integer', { serial: true }), col('link_a', 'integer')], { foreignKeys: [fk('refs_link_a_fkey', ['link_a'], 'links', ['a'])] });
    const p = run(schema([links(['a'], []), refs]), schema([links(['a', 'b'], [unique('uq_links_a', ['a'])]), refs]));
    expect(steps(p)).toEqual([
      'dropConstraint:refs_link_a_fkey',
      'dropConstraint:links_pkey',
      'addConstraint:links_pkey',
      'addConstraint:uq_links_a',
      'addConstraint:refs_link_a_fkey',
    ]);
    expect(steps(p, 'downgrade')).toEqual([
      'dropConstraint:refs_link_a_fkey',
      'dropConstraint:uq_links_a',
      'dropConstraint:links_pkey',
      'addConstraint:links_pkey',
      'addConstraint:refs_link_a_fkey',
    ]);
  });

  it('drops a foreign key before the unique index it depends on changes', () => {
    const codes = (where: string | null) =>
      table('codes', [col('id', 'integer', { serial: true }), col('code', 'text')], { indexes: [index('ix_codes_code', ['code'], { unique: true, where })] });
    const refs = table('refs', [col('id', 'integer', { serial: true }), col('code', 'text')], { foreignKeys: [fk('refs_code_fkey', ['code'], 'codes', ['code'])] });
    const p = run(schema([codes(null), refs]), schema([codes(null), refs, table('other', [col('id', 'integer', { serial: true })])]));
    expect(steps(p)).toEqual(['createTable:other']);
    const changed = { ...codes(null), indexes: [index('ix_codes_code', ['code'], { unique: true, include: ['id'] }), index('uq_codes_code', ['code'], { unique: true })] };
    const q = run(schema([codes(null), refs]), schema([changed, refs]));
    expect(steps(q)).toEqual(['dropConstraint:refs_code_fkey', 'dropIndex:ix_codes_code', 'createIndex:ix_codes_code', 'createIndex:uq_codes_code', 'addConstraint:refs_code_fkey']);
  });

  it('changes the primary key', () => {
    const t = (pk: string[]) => table('links', [col('a', 'integer', { nullable: false }), col('b', 'integer', { nullable: false })], { pk });
    const p = run(schema([t(['a'])]), schema([t(['a', 'b'])]));
    expect(steps(p)).toEqual(['dropConstraint:links_pkey', 'addConstraint:links_pkey']);
    expect(rules(p)).toEqual(['warning:add-primary-key', 'warning:add-primary-key@downgrade']);
  });
});

describe('plan: enums', () => {
  const status = enumType('task_status', ['todo', 'done'], { location: at(3) });
  const tasks = (...extra: ReturnType<typeof col>[]) => table('tasks', [col('id', 'integer', { serial: true }), ...extra]);

  it('creates a new enum type before the column that uses it, and drops it after its last column', () => {
    const p = run(schema([tasks()]), schema([tasks(enumCol('status', 'task_status'))], [status]));
    expect(steps(p)).toEqual(['createEnum:task_status', 'addColumn:tasks.status']);
    expect(steps(p, 'downgrade')).toEqual(['dropColumn:tasks.status', 'dropEnum:task_status']);
    const back = run(schema([tasks(enumCol('status', 'task_status'))], [status]), schema([tasks()]), { allowDataLoss: true });
    expect(steps(back)).toEqual(['dropColumn:tasks.status', 'dropEnum:task_status']);
  });

  it('creates an enum type used by a new table first', () => {
    const p = run(schema([]), schema([tasks(enumCol('status', 'task_status'))], [status]));
    expect(steps(p)).toEqual(['createEnum:task_status', 'createTable:tasks']);
  });

  it('adds values in place (autocommit) and rebuilds the type on downgrade', () => {
    const base = schema([tasks(enumCol('status', 'task_status', { serverDefault: "'todo'" }))], [status]);
    const head = schema([tasks(enumCol('status', 'task_status', { serverDefault: "'todo'" }))], [enumType('task_status', ['todo', 'doing', 'done', 'archived'])]);
    const p = run(base, head);
    expect(p.operations[0]!.upgrade).toMatchObject([
      { kind: 'addEnumValue', value: 'doing', after: 'todo', before: null },
      { kind: 'addEnumValue', value: 'archived', after: null, before: null },
    ]);
    // Taking them away on downgrade is a rebuild, in the phase where the other rebuilds run.
    expect(p.operations[0]!.downgrade).toEqual([]);
    expect(p.operations[1]).toMatchObject({ upgrade: [], downgrade: [{ kind: 'rebuildEnum', labels: ['todo', 'done'] }] });
    expect(p.operations[1]!.downgrade[0]).toMatchObject({ columns: [{ table: 'tasks', column: 'status', defaultBefore: "'todo'", defaultAfter: "'todo'" }] });
    expect(rules(p)).toEqual(['info:enum-add-value', 'info:enum-add-value']);
    expect(p.refused).toBe(false);
  });

  it('places added values next to labels that exist by then', () => {
    const t = (labels: string[]) => schema([tasks(enumCol('status', 'task_status'))], [enumType('task_status', labels)]);
    const p = run(t(['b', 'd']), t(['a0', 'a1', 'b', 'c', 'd', 'e']));
    expect(p.operations[0]!.upgrade).toMatchObject([
      { value: 'a0', before: 'b', after: null },
      { value: 'a1', before: null, after: 'a0' },
      { value: 'c', before: null, after: 'b' },
      { value: 'e', before: null, after: null },
    ]);
  });

  it('removing a value rebuilds the type and is data loss', () => {
    const base = schema([tasks(enumCol('status', 'task_status'))], [enumType('task_status', ['todo', 'doing', 'done'])]);
    const head = schema([tasks(enumCol('status', 'task_status'))], [status]);
    const p = run(base, head);
    expect(steps(p)).toEqual(['rebuildEnum:task_status(todo,done)']);
    expect(steps(p, 'downgrade')).toEqual(['rebuildEnum:task_status(todo,doing,done)']);
    expect(rules(p)).toEqual(['error:enum-remove-value']);
    expect(p.refused).toBe(true);
    expect(run(base, head, { allowDataLoss: true }).refused).toBe(false);
  });
});

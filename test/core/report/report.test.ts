import { describe, expect, it } from 'vitest';
import { plan } from '../../../src/core/plan/index.js';
import { renderSql } from '../../../src/core/render/index.js';
import { buildReport, buildRevisionReport, GITHUB_COMMENT_LIMIT, renderMarkdownReport, renderTerminalReport, type ReportInput } from '../../../src/core/report/index.js';
import type { Schema } from '../../../src/core/schema/model.js';
import type { Verification } from '../../../src/core/verify/round-trip.js';
import { at, col, schema, table } from '../../support/schema-builder.js';

const users = (...extra: ReturnType<typeof col>[]) =>
  table('users', [col('id', 'integer', { serial: true }), col('email', 'varchar', { length: 200, nullable: false }), ...extra]);

function input(base: Schema, head: Schema, fields: Partial<ReportInput> = {}, allowDataLoss = false): ReportInput {
  const planned = plan(base, head, { renames: [], allowDataLoss });
  return {
    plan: planned,
    sql: renderSql(planned),
    revision: { path: 'migrations/versions/004_change.py', id: '004', downRevision: '003', content: 'def upgrade():\n    pass\n' },
    verification: null,
    lockTimeout: '5s',
    confirmationStyle: 'cli',
    ...fields,
  };
}

const passed: Verification = {
  passed: true,
  runner: 'sql',
  base: 'models',
  steps: (['base', 'seed', 'upgrade', 'downgrade', 'upgrade-again'] as const).map((name) => ({
    name,
    title: `${name} step`,
    status: 'passed' as const,
    statements: [{ sql: 'SELECT 1', ms: 1.5, lock: null, error: null }],
    differences: [],
    ms: 3,
    notes: [],
  })),
  seeded: [{ table: 'users', rows: 6 }],
  seedNotes: [],
  lost: [],
};

describe('buildReport', () => {
  it('says what changes, how to run it (migration first for additions) and what a rollback loses', () => {
    const report = buildReport(input(schema([users()]), schema([users(col('last_login', 'timestamptz'))]), { verification: passed }));
    expect(report.status).toBe('verified');
    expect(report.summary).toEqual(['Add last_login to users.']);
    expect(report.execution).toMatchObject({ command: 'alembic upgrade 004', deployOrder: 'migration-first', lockTimeout: '5s' });
    expect(report.rollback).toEqual({
      command: 'alembic downgrade 003',
      cannotRestore: ['Values written to users.last_login after the upgrade: a downgrade drops the column.'],
    });
    expect(report.confirmations).toEqual([]);
  });

  it('lists a refused change with the confirmations that would let it through, and nothing to run', () => {
    const base = schema([users(col('nickname', 'text', { location: at(7) }))]);
    const report = buildReport(input(base, schema([users()])));
    expect(report.status).toBe('refused');
    expect(report.confirmations).toEqual(['--allow-data-loss']);
    expect(report.execution).toBeNull();
    expect(report.risks[0]).toMatchObject({ severity: 'error', rule: 'drop-column', what: 'drop-column on users.nickname', location: at(7), confirmed: false });
    expect(buildReport({ ...input(base, schema([users()])), confirmationStyle: 'pull-request' }).confirmations).toEqual(['/migration allow-data-loss']);
  });

  it('asks for code first when only removing, and says the dropped values cannot come back', () => {
    const report = buildReport(input(schema([users(col('nickname', 'text'))]), schema([users()]), {}, true));
    expect(report.execution!.deployOrder).toBe('code-first');
    expect(report.rollback!.cannotRestore[0]).toMatch(/^The values of users.nickname: the upgrade drops the column/);
    expect(report.status).toBe('not-verified');
  });
});

describe('buildReport: deploy order, step by step', () => {
  const orderOf = (base: Schema, head: Schema, allowDataLoss = false) => buildReport(input(base, head, {}, allowDataLoss)).execution!;

  it('a NOT NULL column filled from a Python default= keeps no server default: neither order works', () => {
    const e = orderOf(schema([users()]), schema([users(col('score', 'integer', { nullable: false, default: { python: '0', sql: '0' } }))]));
    expect(e.deployOrder).toBe('expand-contract');
    expect(e.deployNote).toMatch(/old code's INSERTs fail once it exists/);
  });

  it('a NOT NULL column with a server default is migration first', () => {
    expect(orderOf(schema([users()]), schema([users(col('active', 'boolean', { nullable: false, serverDefault: 'true' }))])).deployOrder).toBe('migration-first');
  });

  it('String → Integer: each code reads and writes its own type, so neither order works', () => {
    const e = orderOf(schema([users(col('code', 'varchar', { length: 10 }))]), schema([users(col('code', 'integer'))]));
    expect(e.deployOrder).toBe('expand-contract');
    expect(e.deployNote).toMatch(/users.code changes from character varying\(10\) to integer/);
  });

  it('widening is migration first, narrowing code first, SET NOT NULL code first, DROP NOT NULL migration first', () => {
    const c = (o: Parameters<typeof col>[2] = {}) => col('name', 'varchar', { length: 50, ...o });
    expect(orderOf(schema([users(c())]), schema([users(c({ length: 100 }))])).deployOrder).toBe('migration-first');
    expect(orderOf(schema([users(c({ length: 100 }))]), schema([users(c())]), true).deployOrder).toBe('code-first');
    expect(orderOf(schema([users(c())]), schema([users(c({ nullable: false, serverDefault: "''" }))])).deployOrder).toBe('code-first');
    expect(orderOf(schema([users(c({ nullable: false }))]), schema([users(c())])).deployOrder).toBe('migration-first');
  });

  it('a comment change is either order', () => {
    expect(orderOf(schema([users(col('bio', 'text'))]), schema([users(col('bio', 'text', { comment: 'About' }))])).deployOrder).toBe('either');
  });
});

describe('buildReport: what a rollback cannot restore', () => {
  it('backfilled NULLs stay filled', () => {
    const report = buildReport(input(schema([users(col('name', 'text'))]), schema([users(col('name', 'text', { nullable: false, serverDefault: "''" }))])));
    expect(report.rollback!.cannotRestore).toContain("The NULLs of users.name: the upgrade fills them with '', and they stay filled after a downgrade.");
  });

  it('a widened column that holds wider values makes the downgrade fail: the statement is named', () => {
    const c = (length: number) => col('name', 'varchar', { length });
    const report = buildReport(input(schema([users(c(50))]), schema([users(c(100))])));
    expect(report.rollback!.cannotRestore).toContain(
      'Values written to users.name since the upgrade that the old type cannot hold: the downgrade fails at `ALTER TABLE users ALTER COLUMN name TYPE character varying(50)`.',
    );
  });

  it('a rewrite back that needs no cast cannot fail on values: nothing is claimed', () => {
    const report = buildReport(input(schema([users(col('code', 'text'))]), schema([users(col('code', 'integer'))])));
    expect(report.rollback!.cannotRestore.filter((c) => c.includes('fails at'))).toEqual([]);
  });

  it('NULLs written after DROP NOT NULL make the downgrade fail when it has nothing to fill them with', () => {
    const report = buildReport(input(schema([users(col('name', 'text', { nullable: false }))]), schema([users(col('name', 'text'))])));
    expect(report.rollback!.cannotRestore).toContain('NULLs written to users.name since the upgrade: the downgrade fails at `ALTER TABLE users ALTER COLUMN name SET NOT NULL`.');
  });
});

describe('renderMarkdownReport', () => {
  it('always has a Risks section: with nothing risky it says so, and still lists the locks', () => {
    const report = buildReport(input(schema([users()]), schema([users(col('last_login', 'timestamptz'))]), { verification: passed }));
    expect(report.risks).toEqual([]);
    expect(renderMarkdownReport(report)).toContain('### Risks\nNothing risky found. Locks on existing tables: `ACCESS EXCLUSIVE on users`.');
    expect(renderTerminalReport(report, { color: false })).toContain('Risks\n  nothing risky found\n  locks on existing tables: ACCESS EXCLUSIVE on users\n');
  });

  it('lists no locks for a refused change: nothing runs', () => {
    const md = renderMarkdownReport(buildReport(input(schema([users(col('nickname', 'text'))]), schema([users()]))));
    expect(md).toContain('### Risks\n| severity |');
  });

  it('says the risks of a revision it did not plan were not checked', () => {
    const report = buildRevisionReport({ revision: { path: 'v/004.py', id: '004', downRevisions: ['003'], content: 'x = 1\n' }, verification: passed, allowDataLoss: false });
    expect(renderMarkdownReport(report)).toContain('### Risks\nNot checked: the revision was not planned from models.');
    expect(renderTerminalReport(report, { color: false })).toContain('Risks\n  not checked: the revision was not planned from models\n');
  });

  it('refuses a revision whose upgrade loses seeded values unless --allow-data-loss, and says what is lost either way', () => {
    const revision = { path: 'v/004.py', id: '004', downRevisions: ['003'], content: 'x = 1\n' };
    const losing = { ...passed, lost: ['column users.name with its 6 seeded values'] };
    const refused = buildRevisionReport({ revision, verification: losing, allowDataLoss: false });
    expect(refused.status).toBe('refused');
    expect(refused.confirmations).toEqual(['--allow-data-loss']);
    expect(refused.risks.map((r) => [r.what, r.confirmed])).toEqual([['column users.name with its 6 seeded values', false]]);
    expect(renderMarkdownReport(refused)).toContain('column users.name with its 6 seeded values');
    const allowed = buildRevisionReport({ revision, verification: losing, allowDataLoss: true });
    expect(allowed.status).toBe('verified');
    expect(allowed.confirmations).toEqual([]);
    expect(allowed.rollback!.cannotRestore).toEqual(['the values of column users.name with its 6 seeded values']);
  });

  it('marks a downgrade finding and lists the downgrade locks', () => {
    const c = (length: number) => col('name', 'varchar', { length });
    const md = renderMarkdownReport(buildReport(input(schema([users(c(50))]), schema([users(c(100))]))));
    expect(md).toContain('| warning | narrow-type on users.name (downgrade) |');
    expect(md).toContain('- A downgrade locks: `ACCESS EXCLUSIVE on users`.');
  });

  it('renders the parts a person acts on', () => {
    const md = renderMarkdownReport(buildReport(input(schema([users()]), schema([users(col('last_login', 'timestamptz'))]), { verification: passed })));
    for (const heading of ['### Summary', '### Migration', '### Verification on PostgreSQL', '### How to run it', '### How to roll it back']) {
      expect(md).toContain(heading);
    }
    expect(md).toContain('`alembic upgrade 004`');
    expect(md).toContain('```python\ndef upgrade():\n    pass\n```');
  });

  it('summarises a huge change to stay within the budget, and says what it left out', () => {
    const many = Array.from({ length: 400 }, (_, i) => col(`column_with_a_long_name_${i}`, 'text', { comment: 'x'.repeat(50) }));
    const base = schema([users()]);
    const head = schema([users(...many)]);
    const report = buildReport(input(base, head, { verification: passed, revision: { path: 'v/004.py', id: '004', downRevision: '003', content: 'x = 1\n'.repeat(20_000) } }));
    const full = renderMarkdownReport(report, Number.MAX_SAFE_INTEGER);
    expect(full.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    const md = renderMarkdownReport(report);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toContain('too large for this comment');
    expect(md).toContain('### How to roll it back');
    const tiny = renderMarkdownReport(report, 3_000);
    expect(tiny.length).toBeLessThanOrEqual(3_000);
    expect(tiny).toMatch(/The report was cut to fit/);
  });

  it("shortens a large schema's notes like its differences, keeping the sections after them", () => {
    const notes = Array.from({ length: 1000 }, (_, i) => `table t_${i}: columns are in the order id, a, b, c, d, e, f, g, expected id, g, f, e, d, c, b, a`);
    const noted: Verification = { ...passed, steps: passed.steps.map((s) => (s.name === 'seed' ? s : { ...s, notes })) };
    const md = renderMarkdownReport(buildReport(input(schema([users()]), schema([users(col('last_login', 'timestamptz'))]), { verification: noted })));
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toContain(`   - note: ${notes[0]}`);
    expect(md).toMatch(/…and \d+ more notes\./);
    expect(md).toContain('### How to roll it back');
  });

  it('shows each failed step with its differences', () => {
    const failed: Verification = {
      ...passed,
      passed: false,
      steps: passed.steps.map((s) =>
        s.name === 'downgrade'
          ? { ...s, status: 'failed', differences: [{ kind: 'column', subject: 'users.last_login', message: 'column users.last_login: not expected' }] }
          : s,
      ),
    };
    const md = renderMarkdownReport(buildReport(input(schema([users()]), schema([users(col('last_login', 'timestamptz'))]), { verification: failed })));
    expect(md).toContain(':x: The migration below **failed verification**');
    expect(md).toContain('4. :x: Downgrade step');
    expect(md).toContain('   - column `users.last_login`: column users.last_login: not expected');
  });
});

describe('renderTerminalReport', () => {
  it('has no colour codes unless asked', () => {
    const report = buildReport(input(schema([users()]), schema([users(col('last_login', 'timestamptz'))]), { verification: passed }));
    const plain = renderTerminalReport(report, { color: false });
    expect(plain).not.toMatch(/\x1b\[/);
    expect(plain).toContain('✓ 3. Upgrade step');
    expect(renderTerminalReport(report, { color: true })).toMatch(/\x1b\[/);
  });
});

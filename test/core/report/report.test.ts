import { describe, expect, it } from 'vitest';
import { plan } from '../../../src/core/plan/index.js';
import { renderSql } from '../../../src/core/render/index.js';
import { buildReport, GITHUB_COMMENT_LIMIT, renderMarkdownReport, renderTerminalReport, type ReportInput } from '../../../src/core/report/index.js';
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

describe('renderMarkdownReport', () => {
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

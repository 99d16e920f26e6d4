import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseServerUrl } from '../../support/database.js';
import { runCli } from './run-cli.js';

/** The job-queue fixture's CHECKs compare two columns (timestamps, integers, BETWEEN, <=): the seed must satisfy them. */
const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/models/job-queue');
const work = mkdtempSync(path.join(os.tmpdir(), 'flow-migrate-seed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function addColumn(file: string, after: string, line: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(after)) throw new Error(`${file} has no ${after}`);
  writeFileSync(file, text.replace(after, `${after}\n${line}`));
}

describe('flow-migrate verify of models whose CHECKs compare two columns', () => {
  it('verifies an additive change with every table fully seeded (exit 0)', async () => {
    for (const side of ['base', 'head']) cpSync(FIXTURE, path.join(work, side), { recursive: true });
    const models = (side: string) => path.join(work, side, 'job_queue/models');
    addColumn(path.join(models('head'), 'jobs.py'), '    max_attempts: Mapped[int] = mapped_column(default=3)', '    note: Mapped[Optional[str]]');
    addColumn(path.join(models('head'), 'bookings.py'), '    discount = Column(Numeric(8, 2))', '    notes = Column(String(200))');

    const run = await runCli(['verify', '--base', models('base'), '--head', models('head'), '--json'], work, {
      DATABASE_URL: databaseServerUrl(),
      PATH: process.env.PATH,
    });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout);
    expect(report.verification.steps.map((s: { name: string; status: string }) => `${s.name} ${s.status}`)).toEqual([
      'base passed',
      'seed passed',
      'upgrade passed',
      'downgrade passed',
      'upgrade-again passed',
    ]);
    expect(report.verification.seedNotes).toEqual([]);
    expect(report.verification.seeded).toEqual([
      { table: 'jobs', rows: 6 },
      { table: 'rooms', rows: 6 },
      { table: 'bookings', rows: 6 },
    ]);
    expect(report.status).toBe('verified');
    expect(run.code).toBe(0);
  });
});

describe('flow-migrate verify of a change that adds or tightens a CHECK', () => {
  /** A tasks table whose `__table_args__` are `checks`: the seed fits the base's and, before the upgrade, the head's. */
  const models = (side: string, checks: string[]) => {
    const dir = path.join(work, 'checks', side);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'models.py'),
      [
        'from sqlalchemy import CheckConstraint, Integer, String',
        'from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column',
        '',
        '',
        'class Base(DeclarativeBase):',
        '    pass',
        '',
        '',
        'class Task(Base):',
        '    __tablename__ = "tasks"',
        `    __table_args__ = (${checks.map((c) => `${c}, `).join('')})`,
        '',
        '    id: Mapped[int] = mapped_column(primary_key=True)',
        '    title: Mapped[str] = mapped_column(String(200))',
        '    priority: Mapped[int] = mapped_column(Integer)',
        '    age: Mapped[int] = mapped_column(Integer)',
        '',
      ].join('\n'),
    );
    return dir;
  };

  it('verifies a BETWEEN the head adds and a bound it tightens (>= 0 to >= 1), every row seeded (exit 0)', async () => {
    const base = models('base', ['CheckConstraint("age >= 0", name="ck_tasks_age")']);
    const head = models('head', ['CheckConstraint("age >= 1", name="ck_tasks_age")', 'CheckConstraint("priority BETWEEN 0 AND 5", name="ck_tasks_priority_range")']);
    const run = await runCli(['verify', '--base', base, '--head', head, '--json'], work, { DATABASE_URL: databaseServerUrl(), PATH: process.env.PATH });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout);
    expect(report.verification.steps.map((s: { name: string; status: string }) => `${s.name} ${s.status}`)).toEqual([
      'base passed',
      'seed passed',
      'upgrade passed',
      'downgrade passed',
      'upgrade-again passed',
    ]);
    expect(report.verification.seedNotes).toEqual([]);
    expect(report.verification.seeded).toEqual([{ table: 'tasks', rows: 6 }]);
    expect(run.code).toBe(0);
  });
});

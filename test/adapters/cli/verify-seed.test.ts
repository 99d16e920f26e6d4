import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

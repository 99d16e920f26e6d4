/**
 * `npm run bench`: generates the synthetic model trees, measures every stage in its own
 * child process (median of several runs after a warm-up, min, max, peak RSS), prints a
 * table and writes bench/results.json. Never part of the test suite.
 *
 *   npm run bench -- [--sizes 50,200,1000] [--runs 5] [--warmup 1] [--only read,plan]
 *   npm run bench -- --only scale [--scale 5000] [--scale-runs 1]   # only the large verify rows
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createWorkspace, type Workspace } from './fixtures.js';
import { createHookRepo } from './hook-repo.js';
import { psqlArgv, psqlScript, scratchDatabase, serverBatchSize } from './floor.js';
import { openEphemeralDatabase } from '../src/core/verify/database.js';
import { measureCommand, measureInWorker, type Measured } from './measure.js';
import { workspaceSql } from './sql.js';
import type { PipelineStage } from './stages/pipeline.js';
import type { VerifyVariant } from './stages/verify.js';
import { evaluateTargets, type TargetResult } from './targets.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO, 'bin', 'flow-migrate.js');

const optionsSchema = z.object({
  sizes: z
    .string()
    .default('50,200,1000')
    .transform((s) => s.split(',').map((n) => Number.parseInt(n, 10)))
    .pipe(z.array(z.number().int().min(20)).min(1)),
  runs: z.coerce.number().int().min(1).default(5),
  warmup: z.coerce.number().int().min(0).default(1),
  only: z
    .string()
    .optional()
    .transform((s) => (s ? new Set(s.split(',')) : null)),
  out: z.string().default(path.join(REPO, 'bench', 'results.json')),
  'verify-sizes': z
    .string()
    .default('50,200')
    .transform((s) => s.split(',').map((n) => Number.parseInt(n, 10))),
  work: z.string().default(path.join(os.tmpdir(), 'flow-migrate-bench')),
  'database-url': z.string().optional(),
  'hook-tables': z.coerce.number().int().min(20).default(200),
  /** The large schema verified on a server and embedded, against the psql floor; 0: none. */
  scale: z.coerce.number().int().min(0).default(5000),
  'scale-runs': z.coerce.number().int().min(1).default(1),
});
type Options = z.infer<typeof optionsSchema>;

/** One line of the table and one record of results.json. */
export interface BenchRecord {
  id: string;
  measurement: string;
  tables: number | null;
  variant: string | null;
  /** `in-process`: the stage's function in a child process; `process`: a whole command. */
  how: 'in-process' | 'process';
  unit: 'ms';
  median: number | null;
  min: number | null;
  max: number | null;
  runs: number;
  warmup: number;
  /** The first run of the process, before any warm-up (in-process measurements). */
  firstMs: number | null;
  /** CPU time per run: the measuring process's median (in-process; not the database server's), or one run of a command with its children. */
  cpuMedianMs: number | null;
  peakRssMb: number | null;
  cpus: number;
  node: string;
  note: string | null;
  /** Reported with the figure: e.g. a verification that found differences (timed anyway). */
  warnings: string[];
  error: string | null;
}

interface Planned {
  measurement: string;
  /** `--only` selects by measurement or by group (`scale`: the large schema's rows). */
  group?: string;
  tables: number | null;
  variant: string | null;
  how: BenchRecord['how'];
  note?: string;
  measure: () => Promise<Measured>;
}

const PIPELINE_STAGES: PipelineStage[] = ['read', 'plan', 'render', 'read-plan-render', 'generate'];

async function plannedMeasurements(options: Options, workspaces: Workspace[]): Promise<Planned[]> {
  const out: Planned[] = [];
  const counts = { runs: options.runs, warmup: options.warmup };
  for (const ws of workspaces) {
    for (const stage of PIPELINE_STAGES) {
      out.push({
        measurement: stage,
        tables: ws.tables,
        variant: null,
        how: 'in-process',
        measure: () => measureInWorker({ kind: 'pipeline', stage, workspace: ws, ...counts }, 300_000),
      });
    }
    out.push({
      measurement: 'generate-command',
      tables: ws.tables,
      variant: null,
      how: 'process',
      note: 'flow-migrate generate as a fresh process: node start-up, parser load, both reads, plan, render',
      measure: async () =>
        measureCommand({
          ...counts,
          argv: [process.execPath, CLI, 'generate', '--base', ws.baseModels, '--head', ws.headModels, '--backend', ws.backend],
        }),
    });
  }

  const cacheDir = path.join(options.work, 'embedded-cache');
  for (const variant of ['warm', 'cold'] as const) {
    out.push({
      measurement: 'embedded-ready',
      tables: null,
      variant,
      how: 'in-process',
      note:
        variant === 'warm'
          ? 'openEphemeralDatabase with the template cluster cached: copy, start, CREATE DATABASE'
          : 'openEphemeralDatabase from an empty cache folder: initdb, copy, start, CREATE DATABASE',
      measure: () =>
        measureInWorker(
          { kind: 'embedded-ready', variant, cacheDir, runs: variant === 'cold' ? Math.min(3, options.runs) : options.runs, warmup: options.warmup },
          600_000,
        ),
    });
  }

  out.push(...hookMeasurements(options));

  const serverUrl = options['database-url'];
  for (const ws of workspaces.filter((w) => options['verify-sizes'].includes(w.tables))) {
    const verify = (variant: VerifyVariant, note: string, runs: number): Planned => ({
      measurement: 'verify',
      tables: ws.tables,
      variant,
      how: 'in-process',
      note,
      measure: () =>
        measureInWorker({ kind: 'verify', workspace: ws, variant, serverUrl: serverUrl ?? null, cacheDir, runs, warmup: options.warmup }, 900_000),
    });
    if (serverUrl) {
      out.push(verify('server', 'verifyChange, sql runner: read, plan, render, CREATE DATABASE, round trip, DROP DATABASE', options.runs));
      out.push({
        measurement: 'verify-round-trip',
        tables: ws.tables,
        variant: 'server',
        how: 'in-process',
        note: 'roundTrip on an existing empty database: base, seed, up, down, up, each compared with the models',
        measure: () => measureInWorker({ kind: 'round-trip', workspace: ws, serverUrl, ...counts }, 900_000),
      });
      out.push(...floorMeasurements(ws, serverUrl, options));
    }
    out.push(verify('embedded-warm', 'verifyChange on an embedded PostgreSQL, template cluster cached', options.runs));
    out.push(verify('embedded-cold', 'verifyChange on an embedded PostgreSQL, empty cache folder (initdb)', Math.min(3, options.runs)));
  }
  out.push(...scaleMeasurements(options, cacheDir));
  return out;
}

/**
 * The largest real schemas: the whole verify of `--scale` tables on the server and on an
 * embedded PostgreSQL (its template cached first), and the psql floor on the server.
 * `--scale-runs` runs each (default 1, no warm-up): one server run is minutes.
 */
function scaleMeasurements(options: Options, cacheDir: string): Planned[] {
  const tables = options.scale;
  if (!tables || (options.only && !options.only.has('scale'))) return [];
  const serverUrl = options['database-url'];
  const runs = options['scale-runs'];
  let workspace: Promise<Workspace> | null = null;
  const ws = () => (workspace ??= createWorkspace(options.work, tables));
  const verify = (variant: VerifyVariant, note: string): Planned => ({
    measurement: 'verify',
    group: 'scale',
    tables,
    variant,
    how: 'in-process',
    note,
    measure: async () => {
      if (variant !== 'server') await warmEmbeddedCache(cacheDir);
      return measureInWorker({ kind: 'verify', workspace: await ws(), variant, serverUrl: serverUrl ?? null, cacheDir, runs, warmup: 0 }, 3_600_000);
    },
  });
  const out: Planned[] = [];
  if (serverUrl) {
    out.push(verify('server', 'verifyChange, sql runner, on the server: read, plan, render, CREATE DATABASE, round trip, DROP DATABASE'));
    out.push({
      measurement: 'psql-floor',
      group: 'scale',
      tables,
      variant: 'base+up+down+up',
      how: 'process',
      note: "psql -f on an existing empty database: the base schema (in verify's transactions), then the migration up, down, up",
      measure: async () => floorMeasurements(await ws(), serverUrl, options, { runs, group: 'scale' })[0]!.measure(),
    });
  }
  out.push(verify('embedded-warm', 'verifyChange on an embedded PostgreSQL, template cluster cached'));
  return out;
}

/** The embedded template cluster in `cacheDir`, so a measurement without warm-up is a warm start. */
async function warmEmbeddedCache(cacheDir: string): Promise<void> {
  const db = await openEphemeralDatabase({ databaseUrl: null, cacheDir });
  await db.close();
}

/**
 * The pre-commit hook in a temporary repository: `flow-migrate hook run` as a command, and
 * the installed hooks/pre-commit script as git runs it (finding flow-migrate on PATH).
 */
function hookMeasurements(options: Options): Planned[] {
  const counts = { runs: Math.max(options.runs, 10), warmup: options.warmup };
  const tables = options['hook-tables'];
  let repo: ReturnType<typeof createHookRepo> | null = null;
  const hookRepo = () => (repo ??= createHookRepo(options.work, tables, CLI, path.join(REPO, 'hooks', 'pre-commit')));
  const out: Planned[] = [];
  for (const variant of ['no-model-commit', 'python-no-model-commit', 'model-commit'] as const) {
    const stage = async () => {
      const r = await hookRepo();
      if (variant === 'no-model-commit') r.stageNoModel();
      else if (variant === 'python-no-model-commit') r.stagePythonNoModel();
      else r.stageModel();
      return r;
    };
    out.push({
      measurement: 'hook',
      tables,
      variant,
      how: 'process',
      note: 'flow-migrate hook run in the repository, end to end (node start-up included)',
      measure: async () => {
        const r = await stage();
        return measureCommand({ ...counts, argv: [process.execPath, CLI, 'hook', 'run'], cwd: r.root });
      },
    });
    out.push({
      measurement: 'pre-commit-script',
      tables,
      variant,
      how: 'process',
      note: 'the installed .git/hooks/pre-commit, flow-migrate found on PATH',
      measure: async () => {
        const r = await stage();
        return measureCommand({
          ...counts,
          argv: [path.join(r.root, '.git', 'hooks', 'pre-commit')],
          cwd: r.root,
          env: { ...process.env, PATH: `${r.binDir}${path.delimiter}${process.env.PATH ?? ''}` },
        });
      },
    });
  }
  return out;
}

/**
 * psql applying the SQL to a database that already exists: the base schema and the
 * migration's up, down, up (what verify must at least do), and up, down, up alone.
 */
function floorMeasurements(ws: Workspace, serverUrl: string, options: Options, only?: { runs: number; group: string }): Planned[] {
  // Written on first use, so a stage that cannot read the models fails only these records.
  let files: Promise<{ base: string; full: string; migration: string }> | null = null;
  const sqlFiles = () =>
    (files ??= Promise.all([workspaceSql(ws), serverBatchSize(serverUrl)]).then(([sql, perTransaction]) => {
      const dir = path.join(ws.root, 'sql');
      mkdirSync(dir, { recursive: true });
      const file = (name: string, text: string) => {
        const p = path.join(dir, name);
        writeFileSync(p, text);
        return p;
      };
      const upDownUp = psqlScript(sql.migration.upgrade) + psqlScript(sql.migration.downgrade) + psqlScript(sql.migration.upgrade);
      // The base in the transactions verify builds it in; the migration in one per direction.
      const base = psqlScript(sql.base.upgrade, perTransaction);
      return {
        base: file('base.sql', base),
        full: file('base-up-down-up.sql', base + upDownUp),
        migration: file('up-down-up.sql', upDownUp),
      };
    }));
  const db = scratchDatabase(serverUrl, `flow_bench_floor_${process.pid}`);
  const counts = only ? { runs: only.runs, warmup: 0 } : { runs: options.runs, warmup: options.warmup };
  const note = 'psql -f on an existing empty database';
  const full: Planned = {
    measurement: 'psql-floor',
    ...(only ? { group: only.group } : {}),
    tables: ws.tables,
    variant: 'base+up+down+up',
    how: 'process',
    note: `${note}: the base schema (in verify's transactions), then the migration up, down, up`,
    measure: async () => {
      const files = await sqlFiles();
      return measureCommand({
        ...counts,
        argv: psqlArgv(db.url, files.full),
        before: () => db.create(),
        after: () => db.drop(),
        timeoutMs: 1_800_000,
        // A large schema: the extra run under GNU time would double a long measurement.
        rusage: !only,
      });
    },
  };
  if (only) return [full];
  return [
    full,
    {
      measurement: 'psql-floor',
      tables: ws.tables,
      variant: 'up+down+up',
      how: 'process',
      note: `${note} holding the base schema (built untimed): the migration up, down, up`,
      measure: async () => {
        const { base, migration } = await sqlFiles();
        const [cmd, ...args] = psqlArgv(db.url, base);
        return measureCommand({
          ...counts,
          argv: psqlArgv(db.url, migration),
          before: () => {
            db.create();
            const r = spawnSync(cmd!, args, { encoding: 'utf8' });
            if (r.status !== 0) throw new Error(`base schema: ${r.stderr}`);
          },
          after: () => db.drop(),
        });
      },
    },
  ];
}

function toRecord(p: Planned, m: Measured | null, error: string | null, options: Options): BenchRecord {
  const round = (n: number | null) => (n === null || Number.isNaN(n) ? null : Math.round(n * 10) / 10);
  return {
    id: [p.measurement, p.variant, p.tables].filter((x) => x !== null).join('/'),
    measurement: p.measurement,
    tables: p.tables,
    variant: p.variant,
    how: p.how,
    unit: 'ms',
    median: round(m?.median ?? null),
    min: round(m?.min ?? null),
    max: round(m?.max ?? null),
    runs: m?.runs ?? 0,
    warmup: m?.warmup ?? options.warmup,
    firstMs: round(m?.firstMs ?? null),
    cpuMedianMs: round(m?.cpuMedian ?? null),
    peakRssMb: m?.peakRssBytes ? Math.round(m.peakRssBytes / 1024 / 1024) : null,
    cpus: os.availableParallelism(),
    node: process.version,
    note: p.note ?? null,
    warnings: m?.warnings ?? [],
    error,
  };
}

function printTable(records: BenchRecord[], targets: TargetResult[]): void {
  const header = ['measurement', 'tables', 'how', 'median ms', 'min', 'max', 'runs', 'first ms', 'cpu ms', 'peak RSS MB'];
  const rows = records.map((r) =>
    r.error
      ? [r.measurement + (r.variant ? ` (${r.variant})` : ''), String(r.tables ?? ''), r.how, `failed: ${r.error.split('\n')[0]}`]
      : [
          r.measurement + (r.variant ? ` (${r.variant})` : ''),
          String(r.tables ?? ''),
          r.how,
          String(r.median),
          String(r.min),
          String(r.max),
          String(r.runs),
          r.firstMs === null ? '' : String(r.firstMs),
          r.cpuMedianMs === null ? '' : String(r.cpuMedianMs),
          r.peakRssMb === null ? '' : String(r.peakRssMb),
        ],
  );
  const full = rows.filter((r) => r.length === header.length);
  const widths = header.map((h, i) => Math.max(h.length, ...full.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(r.length === header.length ? line(r) : `${line(r.slice(0, 3))}  ${r[3]}`);
  for (const r of records) for (const w of r.warnings) console.log(`! ${r.id}: ${w}`);
  console.log('');
  for (const t of targets) console.log(`${t.met === null ? 'n/a ' : t.met ? 'met ' : 'MISS'}  ${t.target}: ${t.figure}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      work: { type: 'string' },
      'verify-sizes': { type: 'string' },
      'database-url': { type: 'string' },
      'hook-tables': { type: 'string' },
      scale: { type: 'string' },
      'scale-runs': { type: 'string' },
    },
  });
  const options = optionsSchema.parse({ ...values, 'database-url': values['database-url'] ?? process.env.DATABASE_URL });
  mkdirSync(options.work, { recursive: true });
  const workspaces: Workspace[] = [];
  for (const size of options.sizes) workspaces.push(await createWorkspace(options.work, size));

  const records: BenchRecord[] = [];
  for (const p of await plannedMeasurements(options, workspaces)) {
    if (options.only && !options.only.has(p.measurement) && !(p.group && options.only.has(p.group))) continue;
    const label = `${p.measurement}${p.variant ? ` (${p.variant})` : ''}${p.tables ? ` ${p.tables} tables` : ''}`;
    process.stderr.write(`measuring ${label} ...\n`);
    try {
      records.push(toRecord(p, await p.measure(), null, options));
    } catch (err) {
      records.push(toRecord(p, null, err instanceof Error ? err.message : String(err), options));
    }
  }
  const machine = {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? null,
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
  };
  // With --only, the records measured replace theirs in the file and the others are kept.
  const previous = options.only && existsSync(options.out) ? resultsSchema.parse(JSON.parse(readFileSync(options.out, 'utf8'))) : null;
  const measured = new Set(records.map((r) => r.id));
  const all = previous ? [...previous.records.filter((r) => !measured.has(r.id)), ...records] : records;
  const targets = evaluateTargets(all);
  printTable(records, targets);
  const runs = previous ? [...(previous.runs ?? [{ ...previous.machine, records: previous.records.length }]), { ...machine, records: records.length }] : undefined;
  writeFileSync(options.out, `${JSON.stringify({ machine, ...(runs ? { runs } : {}), records: all, targets }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), options.out)}${previous ? ` (${records.length} records replaced or added, ${all.length - records.length} kept)` : ''}`);
}

/** The parts of an earlier results.json that --only keeps. */
const resultsSchema = z.object({
  machine: z.record(z.string(), z.unknown()),
  runs: z.array(z.record(z.string(), z.unknown())).optional(),
  records: z.array(z.custom<BenchRecord>((r) => typeof (r as { id?: unknown })?.id === 'string')),
});

await main();

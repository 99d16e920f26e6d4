import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { summarize, type Summary } from './stats.js';
import type { RunCounts, WorkerResult, WorkerSpec } from './worker.js';

export interface Measured extends Summary {
  warmup: number;
  firstMs: number | null;
  /** Median CPU milliseconds of this process; for a command, of its one run under GNU time. */
  cpuMedian: number | null;
  warnings: string[];
  /** Largest RSS of the measured process (the worker, or the command's largest process). */
  peakRssBytes: number | null;
}

const WORKER = new URL('./worker.js', import.meta.url);

/** Runs one in-process measurement in a fresh child process. */
export function measureInWorker(spec: WorkerSpec, timeoutMs: number): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(spec)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], timeout: timeoutMs });
    let result: WorkerResult | null = null;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m) => (result = m as WorkerResult));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!result) {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        reject(new Error(`${why}: ${lastLines(stderr)}`));
        return;
      }
      const r: WorkerResult = result;
      resolve({
        ...summarize(r.samples),
        warmup: spec.warmup,
        firstMs: r.firstMs,
        cpuMedian: summarize(r.cpuSamples).median,
        peakRssBytes: r.peakRssBytes,
        warnings: r.warnings,
      });
    });
  });
}

export interface CommandSpec extends RunCounts {
  argv: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Untimed, before every run (including warm-ups). */
  before?: () => void;
  after?: () => void;
  /** Exit codes that count as success (default: 0). */
  okCodes?: number[];
  timeoutMs?: number;
  /** One extra run under GNU time for peak RSS and CPU (default true). */
  rusage?: boolean;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Wall time of a whole command, from the spawn to its exit. Its peak RSS (the largest
 * single process, as GNU time reports it) and CPU time come from one extra run under
 * /usr/bin/time, when present, so the timed runs are not wrapped in another process.
 */
export function measureCommand(spec: CommandSpec): Measured {
  const samples: number[] = [];
  let firstMs: number | null = null;
  for (let i = 0; i < spec.warmup + spec.runs; i++) {
    const ms = runOnce(spec, spec.argv);
    if (i === 0) firstMs = ms;
    if (i >= spec.warmup) samples.push(ms);
  }
  let peakRssBytes: number | null = null;
  let cpuMs: number | null = null;
  if ((spec.rusage ?? true) && existsSync(GNU_TIME)) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flow-bench-time-'));
    try {
      const file = path.join(dir, 'rusage');
      runOnce(spec, [GNU_TIME, '-f', '%M %U %S', '-o', file, ...spec.argv]);
      const [rssKb, user, system] = readFileSync(file, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      peakRssBytes = rssKb! * 1024;
      cpuMs = Math.round((user! + system!) * 1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // One run's CPU (the command and the processes it waited for), from the same extra run.
  return { ...summarize(samples), warmup: spec.warmup, firstMs, cpuMedian: cpuMs, peakRssBytes, warnings: [] };
}

function runOnce(spec: CommandSpec, argv: string[]): number {
  spec.before?.();
  const [cmd, ...args] = argv;
  const start = performance.now();
  const r = spawnSync(cmd!, args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
    timeout: spec.timeoutMs ?? 120_000,
  });
  const ms = performance.now() - start;
  if (r.error) throw r.error;
  if (!(spec.okCodes ?? [0]).includes(r.status ?? -1)) {
    throw new Error(`${spec.argv.join(' ')} exited ${r.status ?? r.signal}: ${lastLines(`${r.stdout}${r.stderr}`)}`);
  }
  spec.after?.();
  return ms;
}

function lastLines(text: string, n = 8): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

/**
 * Child-process side of one measurement: builds the task, runs it `warmup + runs` times
 * and sends the timings and this process's peak RSS to the parent over IPC (stdout is
 * left to whatever the task prints).
 */
import type { Workspace } from './fixtures.js';
import { embeddedReadyTask } from './stages/database.js';
import { pipelineTask, type PipelineStage } from './stages/pipeline.js';
import type { Task } from './stages/task.js';
import { roundTripTask, verifyTask, type VerifyVariant } from './stages/verify.js';

export type WorkerSpec = (
  | { kind: 'pipeline'; stage: PipelineStage; workspace: Workspace }
  | { kind: 'embedded-ready'; variant: 'warm' | 'cold'; cacheDir: string }
  | { kind: 'verify'; workspace: Workspace; variant: VerifyVariant; serverUrl: string | null; cacheDir: string }
  | { kind: 'round-trip'; workspace: Workspace; serverUrl: string }
) &
  RunCounts;

export interface RunCounts {
  runs: number;
  warmup: number;
}

export interface WorkerResult {
  /** Milliseconds of the counted runs. */
  samples: number[];
  /** CPU milliseconds (user + system, all threads) of the counted runs: less sensitive to a busy machine. */
  cpuSamples: number[];
  /** The very first run in this process: cold caches, parser not loaded yet. */
  firstMs: number;
  peakRssBytes: number;
  /** Things a reader of the figure must know (a verification that found differences). */
  warnings: string[];
}

async function createTask(spec: WorkerSpec): Promise<Task> {
  switch (spec.kind) {
    case 'pipeline':
      return pipelineTask(spec.stage, spec.workspace);
    case 'embedded-ready':
      return embeddedReadyTask(spec.variant, spec.cacheDir);
    case 'verify':
      return verifyTask(spec.workspace, spec.variant, spec.serverUrl, spec.cacheDir);
    case 'round-trip':
      return roundTripTask(spec.workspace, spec.serverUrl);
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as WorkerSpec;
  const task = await createTask(spec);
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  let firstMs = Number.NaN;
  try {
    for (let i = 0; i < spec.warmup + spec.runs; i++) {
      await task.beforeEach?.();
      const cpu = process.cpuUsage();
      const start = performance.now();
      await task.run();
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      if (i === 0) firstMs = ms;
      if (i >= spec.warmup) {
        samples.push(ms);
        cpuSamples.push((used.user + used.system) / 1000);
      }
      await task.afterEach?.();
    }
  } finally {
    await task.close?.();
  }
  const result: WorkerResult = { samples, cpuSamples, warnings: [...new Set(task.warnings ?? [])], firstMs, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.send!(result);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  // The IPC channel keeps the process alive: close it, or a failed task never exits.
  .finally(() => process.disconnect?.());

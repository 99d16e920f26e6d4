import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileSystemTree } from '../../src/adapters/fs/file-system-tree.js';
import { renderSql } from '../../src/core/render/index.js';
import { openEphemeralDatabase, type EphemeralDatabase } from '../../src/core/verify/database.js';
import { roundTrip, type Verification } from '../../src/core/verify/round-trip.js';
import { sqlRunner } from '../../src/core/verify/runners.js';
import { baseStatements, verifyChange } from '../../src/core/verify/verify.js';
import { applyInBatches } from '../../src/core/verify/runners.js';
import type { Workspace } from '../fixtures.js';
import { planChecked, readChecked } from './pipeline.js';
import type { Task } from './task.js';

export type VerifyVariant = 'server' | 'embedded-warm' | 'embedded-cold';

const tree = fileSystemTree();

/**
 * A statement that failed or a step that was skipped means the figure is not a whole round
 * trip: stop. Differences found by a step that ran to its end still time the whole
 * round trip; they are reported with the figure.
 */
function checkVerification(v: Verification | null, warnings: string[]): void {
  if (!v) throw new Error('nothing was verified');
  if (v.passed) return;
  const failed = v.steps.filter((s) => s.status === 'failed');
  const describe = (s: (typeof failed)[number]) => {
    const d = s.differences[0];
    return `${s.name}: ${s.differences.length} difference(s), first ${d ? `${d.subject}: ${d.message}` : '?'}`;
  };
  const broken = v.steps.some((s) => s.status === 'skipped') || failed.some((s) => s.differences.some((d) => d.kind === 'error'));
  if (broken) throw new Error(`verification did not run through: ${failed.map(describe).join('; ')}`);
  warnings.push(`verification FAILED (timed anyway, every step ran): ${failed.map(describe).join('; ')}`);
}

/**
 * The whole `verify` of the change (sql runner) as the CLI runs it: read, plan, render,
 * open a database (server or embedded), round trip, drop it.
 */
export function verifyTask(ws: Workspace, variant: VerifyVariant, serverUrl: string | null, cacheDir: string): Task {
  if (variant === 'server' && !serverUrl) throw new Error('no DATABASE_URL');
  let coldCache: string | null = null;
  const warnings: string[] = [];
  return {
    warnings,
    async beforeEach() {
      if (variant === 'embedded-cold') coldCache = mkdtempSync(path.join(os.tmpdir(), 'flow-bench-cold-cache-'));
    },
    async run() {
      const result = await verifyChange({
        base: { tree, dir: ws.baseModels },
        head: { tree, dir: ws.headModels },
        backend: { tree, dir: ws.backend },
        renames: [],
        allowDataLoss: false,
        runner: 'sql',
        fromChain: false,
        databaseUrl: variant === 'server' ? serverUrl : null,
        cacheDir: coldCache ?? cacheDir,
        now: new Date(0),
      });
      if (result.status !== 'done') throw new Error(`verify ended '${result.status}'`);
      checkVerification(result.verification, warnings);
    },
    async afterEach() {
      if (coldCache) rmSync(coldCache, { recursive: true, force: true });
      coldCache = null;
    },
  };
}

/**
 * The round trip alone (build base, seed, up, down, up, with every comparison) on a
 * database that already exists: the same starting point as the psql floor.
 */
export async function roundTripTask(ws: Workspace, serverUrl: string): Promise<Task> {
  const base = await readChecked(ws.baseModels, ws.tables);
  const head = await readChecked(ws.headModels, ws.tables);
  const planned = planChecked(base, head, ws);
  const sql = renderSql(planned);
  const statements = baseStatements(base);
  let db: EphemeralDatabase | null = null;
  const warnings: string[] = [];
  return {
    warnings,
    async beforeEach() {
      db = await openEphemeralDatabase({ databaseUrl: serverUrl });
    },
    async run() {
      checkVerification(
        await roundTrip({
          url: db!.url,
          base,
          head,
          buildBase: (url) => applyInBatches(url, statements),
          baseSource: 'models',
          runner: sqlRunner(sql),
          plan: planned,
        }),
        warnings,
      );
    },
    async afterEach() {
      await db?.close();
      db = null;
    },
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileSystemTree } from '../../src/adapters/fs/file-system-tree.js';
import { renderSql } from '../../src/core/render/index.js';
import { openEphemeralDatabase, type EphemeralDatabase } from '../../src/core/verify/database.js';
import { roundTrip, type Verification } from '../../src/core/verify/round-trip.js';
import { sqlRunner } from '../../src/core/verify/runners.js';
import { baseStatements, verifyChange } from '../../src/core/verify/verify.js';
import { applyStatements } from '../../src/core/verify/runners.js';
import type { Workspace } from '../fixtures.js';
import { planChecked, readChecked } from './pipeline.js';
import type { Task } from './task.js';

export type VerifyVariant = 'server' | 'embedded-warm' | 'embedded-cold';

const tree = fileSystemTree();

/** A failed verification is a finding, not a time: stop with what failed. */
function assertPassed(v: Verification | null): void {
  if (!v) throw new Error('nothing was verified');
  if (v.passed) return;
  const failed = v.steps.find((s) => s.status === 'failed');
  const first = failed?.differences[0];
  throw new Error(`verification failed at ${failed?.name}: ${first ? `${first.subject}: ${first.message}` : 'no details'}`);
}

/**
 * The whole `verify` of the change (sql runner) as the CLI runs it: read, plan, render,
 * open a database (server or embedded), round trip, drop it.
 */
export function verifyTask(ws: Workspace, variant: VerifyVariant, serverUrl: string | null, cacheDir: string): Task {
  if (variant === 'server' && !serverUrl) throw new Error('no DATABASE_URL');
  let coldCache: string | null = null;
  return {
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
      assertPassed(result.verification);
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
  return {
    async beforeEach() {
      db = await openEphemeralDatabase({ databaseUrl: serverUrl });
    },
    async run() {
      assertPassed(
        await roundTrip({
          url: db!.url,
          base,
          head,
          buildBase: (url) => applyStatements(url, statements),
          baseSource: 'models',
          runner: sqlRunner(sql),
          plan: planned,
        }),
      );
    },
    async afterEach() {
      await db?.close();
      db = null;
    },
  };
}

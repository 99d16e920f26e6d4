import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEphemeralDatabase, type EphemeralDatabase } from '../../src/core/verify/database.js';
import type { Task } from './task.js';

/**
 * Time until an embedded PostgreSQL holds a new empty database we can connect to.
 * `warm`: the template cluster is already in `cacheDir` (the warm-up run puts it there);
 * `cold`: every run starts from an empty cache folder, so it pays for `initdb` too.
 */
export function embeddedReadyTask(variant: 'warm' | 'cold', cacheDir: string): Task {
  let db: EphemeralDatabase | null = null;
  let coldCache: string | null = null;
  return {
    async run() {
      if (variant === 'cold') coldCache = mkdtempSync(path.join(os.tmpdir(), 'flow-bench-cold-cache-'));
      db = await openEphemeralDatabase({ databaseUrl: null, cacheDir: coldCache ?? cacheDir });
    },
    async afterEach() {
      await db?.close();
      db = null;
      if (coldCache) rmSync(coldCache, { recursive: true, force: true });
      coldCache = null;
    },
  };
}

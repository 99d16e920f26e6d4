/**
 * Databases for tests: each call gives a new empty database on the run's server (see
 * global-setup.ts), dropped by `close()`.
 *
 *   const db = await freshDatabase();
 *   afterAll(() => db.close());
 */
import pg from 'pg';
import { inject } from 'vitest';
import { openEphemeralDatabase, type EphemeralDatabase } from '../../src/core/verify/database.js';

export type { EphemeralDatabase };

/** Admin URL of the server the test run uses (DATABASE_URL or the shared embedded one). */
export function databaseServerUrl(): string {
  return inject('databaseServerUrl');
}

export function freshDatabase(): Promise<EphemeralDatabase> {
  return openEphemeralDatabase({ databaseUrl: databaseServerUrl() });
}

/** A connected client; the caller ends it. */
export async function connectTo(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Runs `sql` on a new connection to `url`. */
export async function runSql(url: string, sql: string): Promise<pg.QueryResult> {
  const client = await connectTo(url);
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

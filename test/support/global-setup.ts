/**
 * Vitest global setup: the PostgreSQL server database tests create their databases on.
 * `DATABASE_URL` when set (CI, a developer's server); otherwise one embedded server for the
 * whole run, shared by every test file, each test taking its own database from it.
 */
import type { TestProject } from 'vitest/node';
import { startEmbeddedServer } from '../../src/core/verify/database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the server tests create their databases on. */
    databaseServerUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    project.provide('databaseServerUrl', configured);
    return;
  }
  // Every test file runs at once against this one server, several sessions each.
  const server = await startEmbeddedServer({ maxConnections: 200 });
  project.provide('databaseServerUrl', server.url);
  return () => server.close();
}

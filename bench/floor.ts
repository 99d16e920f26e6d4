/**
 * The floor the verify round trip is compared with: `psql` applying the same SQL to a
 * database that already exists, with nothing else (no seeding, no catalog comparison).
 */
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import type { SqlStatement } from '../src/core/render/index.js';
import { batchSize, transactionGroups } from '../src/core/verify/runners.js';

/**
 * Statements as one psql script: runs of transactional ones in BEGIN/COMMIT (at most
 * `perTransaction` a transaction, as verify builds a base), the rest alone.
 */
export function psqlScript(statements: SqlStatement[], perTransaction = Infinity): string {
  const out = transactionGroups(statements, perTransaction).flatMap((group) => {
    const sql = group.statements.map((s) => `${s.sql};`);
    return group.transactional ? ['BEGIN;', ...sql, 'COMMIT;'] : sql;
  });
  return `${out.join('\n')}\n`;
}

/** How many statements verify puts in one transaction of a base on the server at `url`. */
export async function serverBatchSize(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await batchSize(client);
  } finally {
    await client.end();
  }
}

/** psql's argv for running `file` against `url`, stopping at the first error. */
export function psqlArgv(url: string, file: string): string[] {
  return ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', file];
}

/** A throwaway database on the server at `serverUrl`, created and dropped with psql. */
export function scratchDatabase(serverUrl: string, name: string): { url: string; create(): void; drop(): void } {
  const admin = (sql: string) => {
    const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', serverUrl, '-c', sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psql: ${sql}: ${r.stderr}`);
  };
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    create() {
      admin(`DROP DATABASE IF EXISTS ${name}`);
      admin(`CREATE DATABASE ${name}`);
    },
    drop() {
      admin(`DROP DATABASE IF EXISTS ${name}`);
    },
  };
}

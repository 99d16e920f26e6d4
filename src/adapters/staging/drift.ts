import type pg from 'pg';
import type { Backend } from '../../core/backend/index.js';
import { compareSchemas, type SchemaDifference } from '../../core/verify/compare.js';
import { openEphemeralDatabase } from '../../core/verify/database.js';
import { introspectSchema } from '../../core/verify/introspect.js';
import { applyInBatches } from '../../core/verify/runners.js';
import { renderUpgradeSql } from './offline-sql.js';

/**
 * How staging's catalog differs from what the chain says it should be at its revision: the
 * chain's SQL up to that revision is applied to an empty scratch database (never staging),
 * then both catalogs are read and compared. Staging is only read.
 */
export async function findDrift(options: {
  staging: pg.Client;
  backend: Backend;
  revision: string;
  /** A server where a scratch database may be created; null → an embedded PostgreSQL. */
  scratchServerUrl: string | null;
  python: string;
  env: NodeJS.ProcessEnv;
}): Promise<SchemaDifference[]> {
  const statements = await renderUpgradeSql({
    backend: options.backend,
    from: null,
    to: options.revision,
    python: options.python,
    env: options.env,
  });
  const scratch = await openEphemeralDatabase({ databaseUrl: options.scratchServerUrl });
  try {
    const applied = await applyInBatches(
      scratch.url,
      statements.map((s) => ({ sql: s.sql, transactional: s.outsideTransaction === null, lock: 'unknown' })),
    );
    if (applied.error) throw new Error(`the chain up to ${options.revision} does not apply to an empty database: ${applied.error}`);
    const expected = await introspectSchema(scratch.url);
    const actual = await introspectSchema(options.staging);
    return compareSchemas(expected, actual);
  } finally {
    await scratch.close();
  }
}

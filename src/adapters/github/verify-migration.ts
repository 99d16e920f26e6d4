import { plan } from '../../core/plan/index.js';
import { renderSql } from '../../core/render/index.js';
import { emptySchema } from '../../core/schema/model.js';
import { openEphemeralDatabase } from '../../core/verify/database.js';
import { buildFromStatements, roundTrip } from '../../core/verify/round-trip.js';
import { sqlRunner } from '../../core/verify/runners.js';
import type { Verifier } from './pipeline.js';

/**
 * The round trip on a fresh database (on `DATABASE_URL`'s server, else an embedded one),
 * with the base built from the base models and the migration run as the SQL the revision
 * executes. Not the Alembic runner: that would run the backend's env.py, and the bot runs
 * no code from any repository.
 */
export const verifyMigration: Verifier = async (request) => {
  const database = await openEphemeralDatabase({ databaseUrl: request.databaseUrl });
  try {
    const createBase = renderSql(plan(emptySchema(), request.base, { renames: [], allowDataLoss: false }));
    return await roundTrip({
      url: database.url,
      base: request.base,
      head: request.head,
      buildBase: buildFromStatements(createBase.upgrade),
      baseSource: 'models',
      runner: sqlRunner(request.sql),
      plan: request.plan,
    });
  } finally {
    await database.close();
  }
};

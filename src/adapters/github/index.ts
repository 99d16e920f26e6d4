import type { ApplicationFunction } from 'probot';
import { z } from 'zod';
import { flowMigrateBot } from './bot.js';
import { corePipeline } from './core-pipeline.js';
import { verifyMigration } from './verify-migration.js';

const environmentSchema = z.object({
  // Empty, as .env files leave it, means unset: an embedded PostgreSQL.
  DATABASE_URL: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL').optional(),
  ),
});

/**
 * What `probot run` loads (`npm start`). The verification database comes from the app's
 * environment, never from a repository.
 */
const app: ApplicationFunction = (probot, options) => {
  const parsed = environmentSchema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`DATABASE_URL ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  }
  return flowMigrateBot({ pipeline: corePipeline(verifyMigration), databaseUrl: parsed.data.DATABASE_URL ?? null })(probot, options);
};

export default app;

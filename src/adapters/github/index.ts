import type { ApplicationFunction } from 'probot';
import { z } from 'zod';
import { flowMigrateBot } from './bot.js';
import { corePipeline } from './core-pipeline.js';
import type { Verifier } from './pipeline.js';

const environmentSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL')
    .optional(),
});

/**
 * The round trip on PostgreSQL. The verification stage is not part of the core yet, so the
 * bot reports every migration as not verified (a neutral check, no backend pull request)
 * rather than claiming a success it has not checked.
 */
const verifier: Verifier | null = null;

/**
 * What `probot run` loads (`npm start`). The verification database comes from the app's
 * environment, never from a repository.
 */
const app: ApplicationFunction = (probot, options) => {
  const parsed = environmentSchema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`DATABASE_URL ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  }
  return flowMigrateBot({ pipeline: corePipeline(verifier), databaseUrl: parsed.data.DATABASE_URL ?? null })(probot, options);
};

export default app;

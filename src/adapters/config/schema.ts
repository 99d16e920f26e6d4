import posix from 'node:path/posix';
import { z } from 'zod';

/**
 * The project config, from `flow-migrate.yml` or `[tool.flow-migrate]` in `pyproject.toml`
 * at the repository root. Unknown keys are errors: a misspelt `strikt: true` must not
 * silently leave the hook lenient.
 */
export const projectConfigSchema = z
  .object({
    models: z
      .string()
      .min(1)
      .refine((p) => !posix.isAbsolute(p) && !posix.normalize(p).startsWith('..'), {
        message: 'must be a path inside the repository, relative to its root',
      })
      .optional()
      .describe('The models package folder (flowbot_commons) or a glob of model files, relative to the repository root.'),
    backend: z
      .string()
      .min(1)
      .optional()
      .describe('The flow-py-backend checkout (the folder holding alembic.ini), relative to the repository root or absolute.'),
    strict: z
      .boolean()
      .optional()
      .describe('The pre-commit hook blocks commits with a change that needs a confirmation (data loss, a NOT NULL column without a default) or no matching migration in the backend yet.'),
  })
  .strict();

export type ProjectConfigInput = z.infer<typeof projectConfigSchema>;

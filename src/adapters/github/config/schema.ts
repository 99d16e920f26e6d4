import { z } from 'zod';

const repositoryName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be "owner/name", e.g. flow/flow-py-backend');

const modelPath = z.string().trim().min(1, 'must not be empty');

/** `.github/flow-migrate.yml` in a models repository. Unknown keys are mistakes, not extensions. */
export const githubAppConfigSchema = z
  .strictObject({
    models: z
      .union([modelPath, z.array(modelPath).min(1, 'must list at least one folder or glob')])
      .describe('Folder, file or glob of the SQLAlchemy models, relative to the repository root (or a list of them).'),
    backend: z
      .strictObject({
        repository: repositoryName.describe('owner/name of the repository holding the Alembic migrations.'),
        branch: z
          .string()
          .min(1)
          .optional()
          .describe("Branch the migration is planned against and proposed to; default: that repository's default branch."),
        path: z.string().min(1).default('.').describe('Folder holding alembic.ini, relative to the backend repository root.'),
      })
      .describe('The backend repository that receives the migration.'),
    pull_request: z
      .boolean()
      .default(true)
      .describe('Open the migration as a pull request in the backend repository; false = comment only.'),
    labels: z
      .strictObject({
        allow_data_loss: z
          .string()
          .min(1)
          .optional()
          .describe(
            'A pull-request label that confirms data loss as `/migration allow-data-loss` does, for the risks listed before it was added: after a push adds one, remove it and add it again.',
          ),
      })
      .default({})
      .describe('Labels that confirm what a `/migration` command would.'),
  })
  .describe('flow-migrate pull-request bot configuration (.github/flow-migrate.yml in the models repository).');

export type GithubAppConfig = z.infer<typeof githubAppConfigSchema>;

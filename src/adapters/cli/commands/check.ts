import { z } from 'zod';
import { RunnerUnavailableError } from '../../../core/verify/runners.js';
import { checkDrift } from '../../../core/verify/verify.js';
import { requiredBackendOption } from '../backend-option.js';
import { parseOptions, type Command } from '../command.js';
import { databaseUrlSchema } from '../database-url.js';
import { ExitCode } from '../exit-codes.js';
import { MODEL_SOURCE_HELP, modelSourceOptionsSchema, modelSourceParseConfig, resolveModelSource } from '../model-source.js';
import { modelsDir } from './diff.js';
import { verifyEnvironment } from './verify.js';

const HELP = `Usage: flow-migrate check (--models DIR|REF | --staged | --worktree) --backend DIR [--database-url URL] [--json]

The drift guard a CI job runs: replays the backend's whole migration chain with Alembic on
an ephemeral PostgreSQL database and compares the result with the models. Lists every
difference with its direction: "models ahead of migrations" (the models have something no
migration creates), "migration not reflected in models" (a migration creates something the
models lack), or "models and migrations disagree" (both have it, differently).

Options:
  --models DIR|REF      the models package
  --backend DIR         the folder holding alembic.ini (default: \`backend\` in flow-migrate.yml)
  --database-url URL    a server where databases may be created (default: DATABASE_URL,
                        else an embedded PostgreSQL)
  --json                print { inSync, heads, differences, notes } instead

Needs Python with Alembic and SQLAlchemy (FLOW_MIGRATE_PYTHON picks the python).

${MODEL_SOURCE_HELP}

Exit codes: 0 in sync, 1 drift found (or the chain does not apply, or the database is
unreachable), 2 bad input (syntax error, bad flag, Python or Alembic missing).
`;

const optionsSchema = modelSourceOptionsSchema.extend({
  models: z.string().min(1).optional(),
  backend: z.string().min(1).optional(),
  'database-url': databaseUrlSchema.optional(),
  json: z.boolean().default(false),
});

export const checkCommand: Command = {
  name: 'check',
  help: HELP,
  async run(args, io) {
    const { options } = parseOptions(
      args,
      {
        ...modelSourceParseConfig,
        models: { type: 'string' },
        backend: { type: 'string' },
        'database-url': { type: 'string' },
        json: { type: 'boolean' },
      },
      optionsSchema,
    );
    let result;
    try {
      const models = await resolveModelSource(options, io);
      const backend = modelsDir(await requiredBackendOption(options, io), io);
      result = await checkDrift({ ...verifyEnvironment(options, io), models, backend });
    } catch (err) {
      if (err instanceof RunnerUnavailableError) {
        io.stderr(`flow-migrate check: ${err.message}\n`);
        return ExitCode.badInput;
      }
      throw err;
    }
    if (result.error) {
      io.stderr(`flow-migrate check: the migration chain does not apply:\n${result.error}\n`);
      return ExitCode.failure;
    }
    const inSync = result.differences.length === 0;
    if (options.json) {
      io.stdout(`${JSON.stringify({ inSync, heads: result.heads, differences: result.differences, notes: result.notes }, null, 2)}\n`);
    } else if (inSync) {
      // Column order is no drift, but with a note the schema is not "exactly" the models'.
      const builds = result.notes.length ? 'builds the schema the models describe (column order aside: see the notes)' : 'builds exactly the schema the models describe';
      io.stdout(`in sync: the migration chain (head ${result.heads.join(', ') || 'none'}) ${builds}\n`);
    } else {
      io.stdout(`drift: ${result.differences.length} difference${result.differences.length === 1 ? '' : 's'} between the models and the migration chain (head ${result.heads.join(', ') || 'none'})\n`);
      for (const d of result.differences) io.stdout(`  ${d.direction}: ${d.message}\n`);
    }
    if (!options.json) for (const note of result.notes) io.stdout(`  note: ${note}\n`);
    return inSync ? ExitCode.ok : ExitCode.failure;
  },
};

import path from 'node:path';
import { z } from 'zod';
import { loadProjectConfig, type ProjectConfig } from '../../config/load-config.js';
import { isModelsFile, parseModelsPath, type ModelsPath } from '../../config/models-path.js';
import { installHook, uninstallHook } from '../../git/hooks.js';
import { openRepository, type GitRepository } from '../../git/repository.js';
import { indexedPythonNaming, stagedChanges } from '../../git/staged.js';
import { parseOptions, UsageError, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { displayLocation, type CliIO } from '../io.js';
import { formatLocated, InputError } from '../../../core/errors.js';

const HELP = `Usage: flow-migrate hook <run|install|uninstall> [options]

The pre-commit check: do the staged SQLAlchemy models change the database schema, and
does the backend have the migration for it?

  hook run          compare the staged models with HEAD; print the change, its risks and
                    the migration to write. Silent when no model file is staged.
  hook install      write the git pre-commit hook (core.hooksPath is respected)
  hook uninstall    remove it (only a hook flow-migrate installed)

Options for run:
  --strict            block the commit (exit 3) when a change needs a confirmation or the
                      backend has no matching migration yet (default: warn and let it through)
  --backend DIR       the flow-py-backend checkout, holding alembic.ini
  --models-path PATH  the models folder or glob inside the repository
Options for install:
  --force             replace another tool's pre-commit hook (it is kept as
                      pre-commit.before-flow-migrate and put back by uninstall)

Defaults for --models-path, --backend and --strict come from flow-migrate.yml (or
[tool.flow-migrate] in pyproject.toml) at the repository root: keys models, backend, strict.
`;

const runOptionsSchema = z.object({
  strict: z.boolean().optional(),
  backend: z.string().min(1).optional(),
  'models-path': z.string().min(1).optional(),
});

export const hookCommand: Command = {
  name: 'hook',
  help: HELP,
  async run(args, io) {
    const [action, ...rest] = args;
    switch (action) {
      case 'run':
        return runHook(rest, io);
      case 'install':
        return install(rest, io);
      case 'uninstall':
        return uninstall(rest, io);
      default:
        throw new UsageError(action === undefined ? 'say what to do: run, install or uninstall' : `unknown action '${action}'`);
    }
  },
};

async function install(args: string[], io: CliIO): Promise<number> {
  const { options } = parseOptions(args, { force: { type: 'boolean' } }, z.object({ force: z.boolean().default(false) }));
  const repo = await openRepository(io.cwd);
  const result = await installHook(repo, options);
  const where = shown(result.path, io);
  switch (result.status) {
    case 'foreign':
      io.stderr(
        `${where} is another tool's hook; nothing was written.\n` +
          'Run `flow-migrate hook install --force` to replace it (it is kept and put back on uninstall),\n' +
          'or call `flow-migrate hook run` from that hook.\n',
      );
      return ExitCode.failure;
    case 'replaced':
      io.stdout(`installed ${where} (the previous hook is kept as ${shown(result.backup, io)})\n`);
      return ExitCode.ok;
    default:
      io.stdout(`${result.status} ${where}\n`);
      return ExitCode.ok;
  }
}

async function uninstall(args: string[], io: CliIO): Promise<number> {
  parseOptions(args, {}, z.object({}));
  const result = await uninstallHook(await openRepository(io.cwd));
  const where = shown(result.path, io);
  switch (result.status) {
    case 'foreign':
      io.stderr(`${where} was not installed by flow-migrate; left as it is\n`);
      return ExitCode.failure;
    case 'absent':
      io.stdout(`no pre-commit hook at ${where}\n`);
      return ExitCode.ok;
    case 'restored':
      io.stdout(`removed the flow-migrate hook; the previous hook is back at ${where}\n`);
      return ExitCode.ok;
    case 'removed':
      io.stdout(`removed ${where}\n`);
      return ExitCode.ok;
  }
}

export interface HookSettings {
  strict: boolean;
  /** Absolute, or null when neither the flag nor the config names it. */
  backend: string | null;
  models: ModelsPath;
  /** True when --models-path must be repeated in the suggested command (the config does not say it). */
  modelsFromFlag: boolean;
}

async function runHook(args: string[], io: CliIO): Promise<number> {
  const { options } = parseOptions(
    args,
    { strict: { type: 'boolean' }, backend: { type: 'string' }, 'models-path': { type: 'string' } },
    runOptionsSchema,
  );
  // Until the config is read, only the flag says whether this check may block.
  let strict = options.strict ?? false;
  try {
    const repo = await openRepository(io.cwd);
    const config = await loadProjectConfig(repo.root);
    strict = options.strict ?? config.strict;
    const hook = settings(options, config, io);
    // Every staged path, narrowed here rather than by a git pathspec: simple-git waits 50 ms
    // more for a git command that prints nothing, and a commit nearly always stages something.
    const python = (await stagedChanges(repo, '.')).filter((file) => file.endsWith('.py'));
    if (!python.length) return ExitCode.ok;
    // A module outside the models (an enum, a mixin) changes the schema when the models import it.
    const outside = python.some(isModelsFile(hook.models)) ? null : python;
    if (outside && !(await mayBeImported(repo, outside))) return ExitCode.ok;
    // Loaded only now: most commits stage no model file, and for them the reader, the planner
    // and the report would cost more than the whole check (see the README's Performance table).
    const { checkStagedModels } = await import('./hook-check.js');
    return await checkStagedModels(repo, hook, io, outside);
  } catch (err) {
    // A check that cannot run must not stop people committing, unless they asked for strict.
    if (strict) throw err;
    const reason =
      err instanceof InputError
        ? formatLocated(err.message, err.location && displayLocation(err.location, io))
        : (err as Error).message;
    io.stderr(`flow-migrate: the migration check could not run; the commit goes ahead.\n  ${reason}\n`);
    return ExitCode.ok;
  }
}

/**
 * False when no Python file of the index other than `files` names any of them as a word: then
 * no import can reach them (`import app.enums`, `from .enums import X`, `from . import enums`
 * each spell the module's name), and the reader need not run. The first staged file of the
 * models' import chain is imported by one that is not staged, so their own text never decides.
 * A package's `__init__.py` runs on any import from inside it, relative ones naming nothing,
 * so it is never ruled out here.
 */
async function mayBeImported(repo: GitRepository, files: string[]): Promise<boolean> {
  if (files.some((file) => path.posix.basename(file) === '__init__.py')) return true;
  const names = [...new Set(files.map((file) => path.posix.basename(file, '.py')))];
  return (await indexedPythonNaming(repo, names)).some((file) => !files.includes(file));
}

function settings(
  options: z.infer<typeof runOptionsSchema>,
  config: ProjectConfig,
  io: CliIO,
): HookSettings {
  const models = options['models-path'] ?? config.models;
  if (!models) {
    throw new UsageError('which folder holds the models? Set `models:` in flow-migrate.yml, or pass --models-path PATH');
  }
  return {
    strict: options.strict ?? config.strict,
    backend: options.backend ? path.resolve(io.cwd, options.backend) : config.backend,
    models: parseModelsPath(models),
    modelsFromFlag: options['models-path'] !== undefined && options['models-path'] !== config.models,
  };
}

export function shown(file: string, io: CliIO): string {
  return path.relative(io.cwd, file) || '.';
}

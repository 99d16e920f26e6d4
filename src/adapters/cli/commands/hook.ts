import path from 'node:path';
import pc from 'picocolors';
import { z } from 'zod';
import { loadProjectConfig, type ProjectConfig } from '../../config/load-config.js';
import { modelsSourceDir, parseModelsPath, type ModelsPath } from '../../config/models-path.js';
import { fileSystemTree } from '../../fs/file-system-tree.js';
import { gitTree } from '../../git/git-tree.js';
import { installHook, uninstallHook } from '../../git/hooks.js';
import { hasHead, openRepository, toPosix, type GitRepository } from '../../git/repository.js';
import { stagedChanges } from '../../git/staged.js';
import { parseOptions, UsageError, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { displayLocation, type CliIO } from '../io.js';
import { formatLocated, InputError } from '../../../core/errors.js';
import type { DiffResult, GenerateResult, SourceDir } from '../../../core/generate.js';
import { parseRename, type RenameRequest } from '../../../core/plan/index.js';
import type { SourceTree } from '../../../core/source.js';

const HELP = `Usage: flow-migrate hook <run|install|uninstall> [options]

The pre-commit check: do the staged SQLAlchemy models change the database schema, and
does the backend have the migration for it?

  hook run          compare the staged models with HEAD; print the change, its risks and
                    the migration to write. Silent when no model file is staged.
  hook install      write the git pre-commit hook (core.hooksPath is respected)
  hook uninstall    remove it (only a hook flow-migrate installed)

Options for run:
  --strict            block the commit (exit 3) when data would be lost or the backend has
                      no matching migration yet (default: warn and let it through)
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

interface HookSettings {
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
    return await check(repo, settings(options, config, io), io);
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

async function check(repo: GitRepository, hook: HookSettings, io: CliIO): Promise<number> {
  const staged = (await stagedChanges(repo, hook.models.pathspec)).filter((f) => f.endsWith('.py'));
  if (!staged.length) return ExitCode.ok;

  // Imported here rather than at the top: a commit that stages no model file never needs the
  // reader or the planner (tree-sitter's wasm is loaded on the first parse in any case).
  const { diffModels, generateRevision } = await import('../../../core/generate.js');
  const committed = modelsSourceDir(
    (await hasHead(repo)) ? gitTree(repo, { kind: 'revision', ref: 'HEAD' }) : EMPTY_TREE,
    repo.root,
    hook.models,
  );
  // The first commit of the models: HEAD has none, which here means an empty schema.
  const isNew = !(await committed.tree.list(committed.dir)).some((f) => f.endsWith('.py'));
  const base = isNew ? emptyPackage(committed.dir) : committed;
  const head = modelsSourceDir(gitTree(repo, { kind: 'index' }), repo.root, hook.models);
  const request = { base, head, renames: [], allowDataLoss: false };
  if (hook.backend) {
    const generate = (confirm: { allowDataLoss: boolean; renames: RenameRequest[] }) =>
      generateRevision({ ...request, ...confirm, backend: { tree: fileSystemTree(), dir: toPosix(hook.backend!) }, message: null, downRevision: null });
    const result = await generate({ allowDataLoss: false, renames: [] });
    let matching = result.status === 'ready' ? await findMatchingMigration(result) : null;
    if (result.status === 'refused') {
      // A migration written with the confirmations (drop + add, or the renames) settles the
      // data loss: a person made that choice when generating it.
      const renames = result.plan.possibleRenames.flatMap(({ confirmation: c }) =>
        c.kind === 'rename' ? [parseRename(`${c.from}=${c.to}`)] : [],
      );
      for (const confirm of [{ allowDataLoss: true, renames: [] }, { allowDataLoss: true, renames }]) {
        const confirmed = await generate(confirm);
        matching ??= confirmed.status === 'ready' ? await findMatchingMigration(confirmed) : null;
      }
    }
    return report(result, matching, hook, repo, io);
  }
  const diff = await diffModels(request);
  const unreadable = diff.diagnostics.some((d) => d.severity === 'error');
  return report({ ...diff, status: unreadable ? 'unreadable' : 'no-backend' }, null, hook, repo, io);
}

const EMPTY_TREE: SourceTree = { list: async () => [], read: async () => null };

/** A package holding only an empty `__init__.py`: no models, which the reader takes as an empty schema. */
function emptyPackage(dir: string): SourceDir {
  const init = `${dir}/__init__.py`;
  return { dir, tree: { list: async (d) => (init.startsWith(`${d}/`) ? [init] : []), read: async (f) => (f === init ? '' : null) } };
}

/** What generate decided, or — with no backend configured — the plan alone. */
type HookResult = GenerateResult | (DiffResult & { status: 'no-backend' });

/** `matching`: the backend's revision that already makes this change, when there is one. */
async function report(
  result: HookResult,
  matching: string | null,
  hook: HookSettings,
  repo: GitRepository,
  io: CliIO,
): Promise<number> {
  const { formatDiagnostics, formatFinding } = await import('../plan-output.js');
  const color = pc.createColors(io.color);
  const out: string[] = [];
  const say = (text: string) => out.push(text.endsWith('\n') ? text : `${text}\n`);

  if (result.status === 'unreadable') {
    io.stderr(formatDiagnostics(result.diagnostics, io));
    io.stderr(`${color.yellow('flow-migrate:')} the staged models cannot be read; fix the errors above\n`);
    return hook.strict ? ExitCode.badInput : ExitCode.ok;
  }
  const operations = result.plan.operations;
  if (!operations.length) return ExitCode.ok;

  say(color.bold(`flow-migrate: the staged models change the database schema (${count(operations.length, 'change')})`));
  operations.forEach((op, i) => say(`  ${i + 1}. ${op.summary}`));
  const findings = result.plan.findings.filter((f) => f.severity !== 'info');
  if (findings.length) {
    say(color.bold('risks:'));
    for (const finding of findings) {
      const text = formatFinding(finding, io).replace(/^/gm, '  ').trimEnd();
      say(finding.severity === 'error' && !finding.confirmed ? color.red(text) : color.yellow(text));
    }
  }

  const command = generateCommand(hook, repo);
  if (matching) {
    const settles = result.plan.refused ? ' (written with the confirmations above)' : '';
    say(color.green(`migration present in the backend: ${shown(matching, io)}${settles}`));
  } else if (result.status === 'ready') {
    say(color.bold(`no matching migration in ${shown(hook.backend!, io)} yet; the suggested upgrade():`));
    for (const line of upgradeBody(result.revision.content)) say(`    ${line}`);
    say(`write it with:\n  ${color.cyan(command)}`);
  } else if (result.status === 'refused') {
    say(color.red('data would be lost: confirm the changes above (or change the models), then write the migration with:'));
    say(`  ${color.cyan(`${command} <confirmation flags above>`)}`);
  } else {
    say(`write the migration into the backend checkout with:\n  ${color.cyan(command)}`);
    say(color.dim('(set `backend:` in flow-migrate.yml to check whether it is there already)'));
  }

  const blocking = [
    result.plan.refused && !matching && 'data would be lost',
    !matching && 'the backend has no matching migration yet',
  ].filter((r): r is string => Boolean(r));
  if (hook.strict && blocking.length) {
    say(color.red(color.bold(`commit blocked (strict): ${blocking.join('; ')}.`)) + color.dim(' `git commit --no-verify` skips the check once.'));
    io.stderr(out.join(''));
    return ExitCode.refused;
  }
  say(color.dim('the commit goes ahead (warn-only; `strict: true` in flow-migrate.yml blocks it)'));
  io.stderr(out.join(''));
  return ExitCode.ok;
}

/** `flow-migrate generate …` as the developer would type it at the repository root. */
function generateCommand(hook: HookSettings, repo: GitRepository): string {
  const backend = hook.backend ? path.relative(repo.root, hook.backend) || '.' : '../flow-py-backend';
  const models = hook.modelsFromFlag ? ` --models-path ${quote(hook.models.glob ?? hook.models.dir)}` : '';
  return `flow-migrate generate --base HEAD --staged${models} --backend ${quote(toPosix(backend))} --write`;
}

/**
 * A head revision of the backend whose upgrade() makes every `op.` call the suggested one
 * makes (spacing and quote style aside): the developer generated it already, maybe edited
 * it. Only heads count, so a column dropped long ago and added back is not "found" in the
 * old revision that first added it.
 */
async function findMatchingMigration(result: Extract<GenerateResult, { status: 'ready' }>): Promise<string | null> {
  const wanted = opCalls(upgradeBody(result.revision.content));
  if (!wanted.length) return null;
  const disk = fileSystemTree();
  for (const revision of result.backend.revisions) {
    if (!result.backend.heads.includes(revision.id)) continue;
    const text = await disk.read(revision.path);
    if (text === null) continue;
    const present = new Set(opCalls(upgradeBody(text)));
    if (wanted.every((call) => present.has(call))) return revision.path;
  }
  return null;
}

/** The non-blank lines of `def upgrade()`'s body, dedented. */
function upgradeBody(source: string): string[] {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => /^def upgrade\s*\(/.test(l));
  if (start < 0) return [];
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    if (line.trim()) body.push(line);
  }
  const indent = Math.min(...body.map((l) => /^\s*/.exec(l)![0].length));
  return body.map((l) => l.slice(indent));
}

/** `op.` calls other than the lock_timeout preamble, spacing and quote style removed. */
function opCalls(lines: string[]): string[] {
  return lines
    .map((l) => l.trim())
    .filter((l) => l.startsWith('op.') && !/lock_timeout/i.test(l))
    .map((l) => l.replace(/\s+/g, '').replace(/'/g, '"'));
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function quote(arg: string): string {
  return /^[\w./:@=-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function shown(file: string, io: CliIO): string {
  return path.relative(io.cwd, file) || '.';
}

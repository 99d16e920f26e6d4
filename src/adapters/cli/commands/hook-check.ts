import path from 'node:path';
import pc from 'picocolors';
import { modelsSourceDir } from '../../config/models-path.js';
import { fileSystemTree } from '../../fs/file-system-tree.js';
import { gitTree } from '../../git/git-tree.js';
import { hasHead, resolveCommit, toPosix, type GitRepository } from '../../git/repository.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { formatDiagnostics, formatFinding, refusalReason } from '../plan-output.js';
import { InputError } from '../../../core/errors.js';
import { diffModels, generateRevision, type DiffRequest, type DiffResult, type GenerateResult, type SourceDir } from '../../../core/generate.js';
import { upgradeOpCalls } from '../../../core/backend/upgrade-calls.js';
import { parseRename, type RenameRequest } from '../../../core/plan/index.js';
import type { SourceTree } from '../../../core/source.js';
import { shown, type HookSettings } from './hook.js';

/**
 * The part of `hook run` that reads and plans the staged models. hook.ts loads it only once a
 * model file (or a module the models may import) is staged: the reader, the planner and the
 * report would cost most commits more than git itself.
 *
 * `outside`: when no model file is staged, the staged Python files outside the models; they
 * matter only if the models' imports read them (at HEAD or staged), else the check is silent.
 */
export async function checkStagedModels(repo: GitRepository, hook: HookSettings, io: CliIO, outside: string[] | null): Promise<number> {
  const parent = (await hasHead(repo)) ? await resolveCommit(repo, 'HEAD') : null;
  const committed = modelsSourceDir(parent ? gitTree(repo, { kind: 'revision', ref: parent }) : EMPTY_TREE, repo.root, hook.models);
  // The first commit of the models: HEAD has none, which here means an empty schema.
  const isNew = !(await committed.tree.list(committed.dir)).some((f) => f.endsWith('.py'));
  const base = isNew ? emptyPackage(committed.dir) : committed;
  const head = modelsSourceDir(gitTree(repo, { kind: 'index' }), repo.root, hook.models);
  const request = { base, head, renames: [], allowDataLoss: false };
  if (outside && !(await readsAny(request, outside, repo))) return ExitCode.ok;
  if (hook.backend) {
    const generate = (confirm: { allowDataLoss: boolean; renames: RenameRequest[]; assumeEmpty?: string[] }) =>
      generateRevision({ ...request, ...confirm, backend: { tree: fileSystemTree(), dir: toPosix(hook.backend!) }, message: null, downRevision: null });
    const result = await generate({ allowDataLoss: false, renames: [] });
    let matching = result.status === 'ready' ? await findMatchingMigration(result) : null;
    if (result.status === 'refused') {
      // A migration written with the confirmations (drop + add, the renames, the tables said
      // to be empty) settles the refusal: a person made that choice when generating it.
      const renames = result.plan.possibleRenames.flatMap(({ confirmation: c }) =>
        c.kind === 'rename' ? [parseRename(`${c.from}=${c.to}`)] : [],
      );
      const assumeEmpty = result.plan.findings.flatMap((f) => f.confirmations.flatMap((c) => (c.kind === 'assume-empty' ? [c.table] : [])));
      for (const confirm of [{ allowDataLoss: true, renames: [], assumeEmpty }, { allowDataLoss: true, renames, assumeEmpty }]) {
        const confirmed = await generate(confirm);
        matching ??= confirmed.status === 'ready' ? await findMatchingMigration(confirmed) : null;
      }
    }
    return report(result, matching, hook, { repo, parent }, io);
  }
  const diff = await diffModels(request);
  const unreadable = diff.diagnostics.some((d) => d.severity === 'error');
  return report({ ...diff, status: unreadable ? 'unreadable' : 'no-backend' }, null, hook, { repo, parent }, io);
}

/**
 * Whether reading the models (both versions) reads any of `files`. Models that cannot be read
 * at all are not this commit's doing when it stages none of them: they are left for a commit
 * that does.
 */
async function readsAny(request: DiffRequest, files: string[], repo: GitRepository): Promise<boolean> {
  try {
    const { files: read } = await diffModels(request);
    return read.some((file) => files.includes(path.posix.relative(repo.root, file)));
  } catch (err) {
    if (err instanceof InputError) return false;
    throw err;
  }
}

const EMPTY_TREE: SourceTree = { list: async () => [], read: async () => null };

/** A package holding only an empty `__init__.py`: no models, which the reader takes as an empty schema. */
function emptyPackage(dir: string): SourceDir {
  const init = `${dir}/__init__.py`;
  return { dir, tree: { list: async (d) => (init.startsWith(`${d}/`) ? [init] : []), read: async (f) => (f === init ? '' : null) } };
}

/** What generate decided, or — with no backend configured — the plan alone. */
type HookResult = GenerateResult | (DiffResult & { status: 'no-backend' });

/** The repository and the commit the staged change is made on (null before the first commit). */
interface Commit {
  repo: GitRepository;
  parent: string | null;
}

/** `matching`: the backend's revision that already makes this change, when there is one. */
async function report(
  result: HookResult,
  matching: string | null,
  hook: HookSettings,
  commit: Commit,
  io: CliIO,
): Promise<number> {
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

  const command = generateCommand(hook, commit);
  if (matching) {
    const settles = result.plan.refused ? ' (written with the confirmations above)' : '';
    say(color.green(`migration present in the backend: ${shown(matching, io)}${settles}`));
  } else if (result.status === 'ready') {
    say(color.bold(`no matching migration in ${shown(hook.backend!, io)} yet; the suggested upgrade():`));
    for (const line of upgradeBody(result.revision.content)) say(`    ${line}`);
    say(`write it with:\n  ${color.cyan(command)}`);
  } else if (result.status === 'refused') {
    say(color.red(`refused: ${refusalReason(result.plan)}: confirm them as above (or change the models), then write the migration with:`));
    say(`  ${color.cyan(`${command} <confirmation flags above>`)}`);
  } else {
    say(`write the migration into the backend checkout with:\n  ${color.cyan(command)}`);
    say(color.dim('(set `backend:` in flow-migrate.yml to check whether it is there already)'));
  }

  const blocking = [
    result.plan.refused && !matching && refusalReason(result.plan),
    !matching && 'the backend has no matching migration yet',
  ].filter((r): r is string => Boolean(r));
  if (hook.strict && blocking.length) {
    say(color.red(color.bold(`commit blocked (strict): ${blocking.join('; ')}.`)) + color.dim(' `git commit --no-verify` skips the check once.'));
    io.stderr(out.join(''));
    return ExitCode.refused;
  }
  say(
    color.dim(
      hook.strict
        ? 'the commit goes ahead (strict: the backend has the migration)'
        : 'the commit goes ahead (warn-only; `strict: true` in flow-migrate.yml blocks it)',
    ),
  );
  io.stderr(out.join(''));
  return ExitCode.ok;
}

/**
 * `flow-migrate generate …` as the developer would type it at the repository root. The base is
 * the commit the change is made on, by its id, and the head the staged files: before the
 * commit that is this change, and after it too, since the commit records the index as it is
 * (`--base HEAD` would then be the change itself, and show none).
 */
function generateCommand(hook: HookSettings, { repo, parent }: Commit): string {
  const backend = hook.backend ? path.relative(repo.root, hook.backend) || '.' : '../flow-py-backend';
  const models = hook.modelsFromFlag ? ` --models-path ${quote(hook.models.glob ?? hook.models.dir)}` : '';
  const base = parent ? parent.slice(0, 12) : 'HEAD';
  return `flow-migrate generate --base ${base} --staged${models} --backend ${quote(toPosix(backend))} --write`;
}

/**
 * A head revision of the backend whose upgrade() makes every `op.` call the suggested one
 * makes, with the same arguments (layout and quote style aside): the developer generated it
 * already, maybe added to it. Only heads count, so a column dropped long ago and added back
 * is not "found" in the old revision that first added it.
 */
export async function findMatchingMigration(result: Extract<GenerateResult, { status: 'ready' }>): Promise<string | null> {
  const wanted = await upgradeOpCalls(result.revision.path, result.revision.content);
  if (!wanted.length) return null;
  const disk = fileSystemTree();
  for (const revision of result.backend.revisions) {
    if (!result.backend.heads.includes(revision.id)) continue;
    const text = await disk.read(revision.path);
    if (text === null) continue;
    const present = new Set(await upgradeOpCalls(revision.path, text));
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

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function quote(arg: string): string {
  return /^[\w./:@=-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

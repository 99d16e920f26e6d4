/**
 * One commit of a project, replayed: the authors' migration chain up to the parent
 * revision, then the authors' revision (the truth) on one database and ours (the candidate)
 * on another, the two live catalogs compared, then ours downgraded and upgraded again.
 *
 * When the chain cannot run on its own (Alembic loads every revision file, and one imports the
 * application), the base is the parent commit's models, built by our SQL and stamped as the
 * parent revision, with every other revision file replaced by an empty one of the same ids:
 * the models are the truth, and only the commit's own revision must then run in isolation.
 *
 * Everything is read from git objects; the project's code is never imported or run, except
 * its revision files, by Alembic, through our own env.py (the verify alembic runner).
 */
import posix from 'node:path/posix';
import pg from 'pg';
import type { GitRepository } from '../src/adapters/git/repository.js';
import { gitTree } from '../src/adapters/git/git-tree.js';
import { readBackend, type Backend } from '../src/core/backend/index.js';
import { formatLocated } from '../src/core/errors.js';
import { generateRevision, type GenerateResult } from '../src/core/generate.js';
import type { Plan } from '../src/core/plan/index.js';
import type { Schema } from '../src/core/schema/model.js';
import type { SourceTree } from '../src/core/source.js';
import { compareSchemas } from '../src/core/verify/compare.js';
import { connect, openEphemeralDatabase } from '../src/core/verify/database.js';
import { inspect, roundTrip, type Verification } from '../src/core/verify/round-trip.js';
import { baseStatements } from '../src/core/verify/verify.js';
import { readModels } from '../src/core/read/index.js';
import type { SqlStatement } from '../src/core/render/index.js';
import { alembicRunner, applyStatements, sqlRunner, type AlembicRunner, type MigrationRunner, type RunResult } from '../src/core/verify/runners.js';
import type { CandidateCommit } from './commits.js';
import type { Project } from './corpus.js';

/** `generate`: our revision is the candidate. `self-test`: the authors' own, which must always match. */
export type ReplayMode = 'generate' | 'self-test';

/** What the parent revision's database was built from. */
export type BaseSource = 'chain' | 'models';

/** Why the candidate ran on empty tables: our seed's statement that failed on the base. */
type SeedFailure = { seedFailed?: string };

export type CommitOutcome =
  | ({ status: 'match'; base: BaseSource } & SeedFailure)
  /** The candidate's catalog, downgrade or second upgrade is not the truth's. */
  | ({ status: 'mismatch'; base: BaseSource | null; differences: string[] } & SeedFailure)
  /** It differs only where the authors' migration disagrees with their own models (the models are the truth). */
  | ({ status: 'disagrees'; base: BaseSource; differences: string[] } & SeedFailure)
  | { status: 'skipped'; reason: string };

export interface ReplayEnvironment {
  databaseUrl: string | null;
  python: string;
  env: NodeJS.ProcessEnv;
  /** Rows seeded per table before the candidate's upgrade (the round trip's default when absent). */
  rowsPerTable?: number;
}

type DatabasePlace = Pick<ReplayEnvironment, 'databaseUrl'>;

export async function replayCommit(
  repo: GitRepository,
  project: Project,
  commit: CandidateCommit,
  mode: ReplayMode,
  environment: ReplayEnvironment,
): Promise<CommitOutcome> {
  if (commit.added.length !== 1) return skipped(`adds ${commit.added.length} revisions`);
  if (commit.touched.length) {
    const more = commit.touched.length > 2 ? ` and ${commit.touched.length - 2} more` : '';
    return skipped(`also changes ${commit.touched.slice(0, 2).join(', ')}${more} of the versions folder`);
  }
  const at = (p: string) => posix.join(repo.root, p);
  const iniPath = at(posix.join(project.backend, 'alembic.ini'));
  const parentTree = withScriptLocation(gitTree(repo, { kind: 'revision', ref: commit.parent }), iniPath, project.scriptLocation);
  const commitTree = withScriptLocation(gitTree(repo, { kind: 'revision', ref: commit.sha }), iniPath, project.scriptLocation);
  const backendDir = at(project.backend);

  let parentBackend: Backend;
  let commitBackend: Backend;
  try {
    parentBackend = await readBackend(backendDir, parentTree);
    commitBackend = await readBackend(backendDir, commitTree);
  } catch (e) {
    return skipped(`the backend cannot be read: ${errorText(e)}`);
  }
  const authors = commitBackend.revisions.find((r) => r.path === at(commit.added[0]!));
  if (!authors) return skipped(`${commit.added[0]} declares no revision`);
  if (authors.downRevisions.length > 1) return skipped(`${authors.id} is a merge revision`);
  const down = authors.downRevisions[0] ?? null;
  if (down ? !parentBackend.heads.includes(down) : parentBackend.revisions.length > 0) {
    return skipped(`${authors.id} revises ${down ?? 'nothing'}, which is not the parent commit's head (${parentBackend.heads.join(', ') || 'none'})`);
  }
  const downgradeTo = down ?? 'base';
  const runnerOptions = { python: environment.python, env: environment.env, downgradeTo };
  const place: DatabasePlace = { databaseUrl: environment.databaseUrl };

  // The truth: the base, then the authors' revision, on an empty database.
  const truthRunner = await alembicRunner({ ...runnerOptions, backend: commitBackend, tree: commitTree, upgradeTo: authors.id });
  let truth: Schema;
  let base: BaseSource = 'chain';
  let modelsBase: SqlStatement[] = [];
  try {
    let chainError: string | null = null;
    let built = await withDatabase(place, async (url) => {
      const chain = await buildChain(truthRunner, url, down);
      if (chain.error) return { chainError: errorLine(chain.error) };
      return upgradeTruth(truthRunner, url, 'the chain');
    });
    if ('chainError' in built) {
      chainError = built.chainError;
      // Our reader failing on their models is our failure, not theirs: a mismatch (the
      // self-test, which checks the harness, has no base to replay on).
      const parentModels = await readSchema(at(project.models), parentTree);
      if ('unreadable' in parentModels) {
        const why = `read: ${parentModels.unreadable}`;
        if (mode === 'self-test') return skipped(`the chain does not run (${chainError}) and the parent's models cannot be read: ${why}`);
        return { status: 'mismatch', base: null, differences: [why] };
      }
      base = 'models';
      modelsBase = baseStatements(parentModels.schema);
      const onlyOwn = await alembicRunner({
        ...runnerOptions,
        backend: commitBackend,
        tree: withEmptyRevisions(commitTree, commitBackend, authors.id),
        upgradeTo: authors.id,
      });
      try {
        built = await withDatabase(place, async (url) => {
          const stamped = await buildFromModels(onlyOwn, url, modelsBase, project.extensions, down);
          if (stamped.error) return { error: stamped.error };
          return upgradeTruth(onlyOwn, url, "a base built from the parent's models");
        });
      } finally {
        await onlyOwn.close();
      }
    }
    if ('error' in built) return skipped(chainError ? `${built.error} (the chain does not run: ${chainError})` : built.error!);
    truth = built.schema;
  } finally {
    await truthRunner.close();
  }

  // The candidate.
  let generated: GenerateResult | null = null;
  if (mode === 'generate') {
    try {
      generated = await generateRevision({
        base: { tree: parentTree, dir: at(project.models) },
        head: { tree: commitTree, dir: at(project.models) },
        backend: { tree: parentTree, dir: backendDir },
        renames: [],
        allowDataLoss: true,
        message: null,
        downRevision: down,
        now: new Date(0),
        randomId: () => `replay${commit.sha.slice(0, 6)}`,
      });
    } catch (e) {
      return { status: 'mismatch', base, differences: [`generate: ${errorText(e)}`] };
    }
    if (generated.status === 'unreadable') {
      const first = generated.diagnostics.find((d) => d.severity === 'error')!;
      return { status: 'mismatch', base, differences: [`read: ${formatLocated(first.message, first.location)}`] };
    }
    if (generated.status === 'refused') {
      const refusals = generated.plan.findings.filter((f) => f.severity === 'error' && !f.confirmed);
      return { status: 'mismatch', base, differences: refusals.map((f) => `refused: ${f.message}`) };
    }
  }

  // The chain up to the parent is the same for every candidate: the parent commit's revisions.
  const parentRevisions = base === 'chain' ? parentTree : withEmptyRevisions(parentTree, parentBackend, null);
  const chainRunner = await alembicRunner({ ...runnerOptions, backend: parentBackend, tree: parentRevisions, upgradeTo: down ?? 'heads' });
  const closing: AlembicRunner[] = [chainRunner];
  try {
    let runner: MigrationRunner;
    let plan: Plan | null = null;
    if (mode === 'self-test') {
      const tree = base === 'chain' ? commitTree : withEmptyRevisions(commitTree, commitBackend, authors.id);
      runner = await alembicRunner({ ...runnerOptions, backend: commitBackend, tree, upgradeTo: authors.id });
      closing.push(runner as AlembicRunner);
    } else if (generated!.status === 'ready') {
      const { revision } = generated as Extract<GenerateResult, { status: 'ready' }>;
      runner = await alembicRunner({
        ...runnerOptions,
        backend: parentBackend,
        tree: parentRevisions,
        extraRevision: { fileName: revision.fileName, content: withoutUnusedImports(revision.content, project.templateImports) },
        upgradeTo: revision.id,
      });
      closing.push(runner as AlembicRunner);
      plan = generated!.plan;
    } else {
      // No change planned: the parent's schema is the candidate.
      runner = sqlRunner({ upgrade: [], downgrade: [] });
    }
    const candidateRoundTrip = (rowsPerTable: number | undefined) =>
      withDatabase(place, (url) =>
        roundTrip({
          url,
          base: null,
          head: truth,
          buildBase: (u) => (base === 'chain' ? buildChain(chainRunner, u, down) : buildFromModels(chainRunner, u, modelsBase, project.extensions, down)),
          baseSource: 'chain',
          runner,
          plan,
          seed: rowsPerTable === undefined ? undefined : { rowsPerTable },
        }),
      );
    let verification = await candidateRoundTrip(environment.rowsPerTable);
    // Our seed failing on their schema says nothing of the candidate: it is noted, and the candidate runs on empty tables.
    const seedStep = verification.steps.find((s) => s.name === 'seed')!;
    const seedFailure: SeedFailure = {};
    if (seedStep.status === 'failed') {
      seedFailure.seedFailed = seedStep.differences.map((d) => errorLine(d.message)).join('; ');
      verification = await candidateRoundTrip(0);
    }
    if (verification.passed) return { status: 'match', base, ...seedFailure };
    const differences = failures(verification);
    // The self-test checks the replay itself: the authors' revision failing on seeded rows, or
    // their downgrade failing, is theirs (the truth was built on empty tables).
    const found = verification.steps.flatMap((s) => s.differences);
    if (mode === 'self-test' && found.every((d) => d.kind === 'error')) {
      return skipped(`the authors' revision fails in the round trip: ${differences.join('; ')}`);
    }
    const models = generated ? generated.schemas.head : null;
    return { status: models && onlyWhereAuthorsDisagree(verification, models, truth) ? 'disagrees' : 'mismatch', base, differences, ...seedFailure };
  } finally {
    for (const r of closing) await r.close();
  }
}

/**
 * True when every difference is a catalog difference (no failed statement, no row) on an
 * object where the authors' migration already differs from the head models.
 */
function onlyWhereAuthorsDisagree(verification: Verification, models: Schema, truth: Schema): boolean {
  const disputed = new Set(compareSchemas(models, truth).map((d) => [d.table, d.object].filter(Boolean).join('.')));
  const found = verification.steps.flatMap((s) => s.differences);
  return found.length > 0 && found.every((d) => d.kind !== 'error' && d.kind !== 'row' && disputed.has(d.subject));
}

function failures(verification: Verification): string[] {
  return verification.steps
    .filter((s) => s.status === 'failed')
    .flatMap((s) => s.differences.map((d) => `${s.name}: ${d.kind === 'error' ? `${d.subject}: ${errorLine(d.message)}` : d.message}`));
}

async function buildChain(runner: AlembicRunner, url: string, down: string | null): Promise<RunResult> {
  return down ? runner.upgradeTo(url, down) : { statements: [], error: null };
}

/** The models' schema, or the first reason it cannot be read (`file:line:column: message`). */
async function readSchema(dir: string, tree: SourceTree): Promise<{ schema: Schema } | { unreadable: string }> {
  try {
    const read = await readModels(dir, tree);
    const error = read.diagnostics.find((d) => d.severity === 'error');
    return error ? { unreadable: formatLocated(error.message, error.location) } : { schema: read.schema };
  } catch (e) {
    return { unreadable: errorText(e) };
  }
}

async function upgradeTruth(runner: AlembicRunner, url: string, on: string): Promise<{ schema: Schema } | { error: string }> {
  const upgraded = await runner.upgrade(url);
  if (upgraded.error) return { error: `the authors' revision does not run on ${on}: ${errorLine(upgraded.error)}` };
  const client = await connect(url);
  try {
    return { schema: await inspect(client) };
  } finally {
    await client.end();
  }
}

/**
 * The parent's models by our SQL (after the project's extensions, which no model declares),
 * recorded in alembic_version as the parent revision. Its
 * error says which of the two failed: our SQL, or loading the revision files (the one kept).
 */
async function buildFromModels(
  runner: AlembicRunner,
  url: string,
  statements: SqlStatement[],
  extensions: string[],
  down: string | null,
): Promise<RunResult> {
  const client = await connect(url);
  try {
    for (const name of extensions) await client.query(`CREATE EXTENSION IF NOT EXISTS ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const built = await applyStatements(url, statements);
  if (built.error) return { ...built, error: `our SQL for the parent's models fails: ${built.error.split('\n')[0]}` };
  if (!down) return built;
  const stamped = await runner.stamp(url, down);
  const error = stamped.error && `the authors' revision cannot be loaded on its own: ${errorLine(stamped.error)}`;
  return { statements: [...built.statements, ...stamped.statements], error };
}

async function withDatabase<T>(place: DatabasePlace, use: (url: string) => Promise<T>): Promise<T> {
  const db = await openEphemeralDatabase({ databaseUrl: place.databaseUrl });
  try {
    return await use(db.url);
  } finally {
    await db.close();
  }
}

/**
 * The tree with `script_location` set in alembic.ini, for backends whose ini does not name
 * the folder (Flask-Migrate passes it on the command line; a template fills it in).
 */
function withScriptLocation(tree: SourceTree, iniPath: string, scriptLocation: string | undefined): SourceTree {
  if (!scriptLocation) return tree;
  return {
    list: (dir) => tree.list(dir),
    async read(file) {
      const text = await tree.read(file);
      if (file !== iniPath || text === null) return text;
      const lines = text.split(/\r?\n/).filter((l) => !/^\s*script_location\s*[=:]/.test(l));
      const section = lines.findIndex((l) => /^\s*\[alembic\]/.test(l));
      if (section < 0) return `[alembic]\nscript_location = ${scriptLocation}\n${text}`;
      lines.splice(section + 1, 0, `script_location = ${scriptLocation}`);
      return lines.join('\n');
    },
  };
}

/**
 * Our revision without the template's `import <package>…` lines that nothing else in it
 * uses: the project's script.py.mako may import its application (mealie's does), which a
 * replay, by design, cannot import. A revision that uses the module keeps the line.
 */
function withoutUnusedImports(content: string, packages: string[]): string {
  const lines = content.split('\n');
  return lines
    .filter((line) => {
      const imported = /^import\s+([\w.]+)\s*(?:#.*)?$/.exec(line)?.[1];
      if (!imported || !packages.includes(imported.split('.')[0]!)) return true;
      return lines.some((other) => other !== line && other.includes(`${imported}.`));
    })
    .join('\n');
}

/**
 * The tree with every revision file but `keep` replaced by one that declares the same ids and
 * does nothing, so Alembic can load the graph without importing what the files import.
 */
function withEmptyRevisions(tree: SourceTree, backend: Backend, keep: string | null): SourceTree {
  const empty = new Map(backend.revisions.filter((r) => r.id !== keep).map((r) => [r.path, r]));
  const ids = (list: string[]) => (list.length ? `(${list.map((id) => JSON.stringify(id)).join(', ')},)` : 'None');
  return {
    list: (dir) => tree.list(dir),
    async read(file) {
      const revision = empty.get(file);
      if (!revision) return tree.read(file);
      return [
        '"""Replaced by the replay: it stands for a revision the base already holds."""',
        `revision = ${JSON.stringify(revision.id)}`,
        `down_revision = ${ids(revision.downRevisions)}`,
        `branch_labels = ${ids(revision.branchLabels)}`,
        `depends_on = ${ids(revision.dependsOn)}`,
        '',
        '',
        'def upgrade():',
        '    pass',
        '',
        '',
        'def downgrade():',
        '    pass',
        '',
      ].join('\n');
    },
  };
}

function skipped(reason: string): CommitOutcome {
  return { status: 'skipped', reason };
}

/**
 * What went wrong, in one line: a Python traceback's last `…Error: …` line (`ModuleNotFoundError:
 * No module named 'app'`), not SQLAlchemy's `[SQL: …]` and `(Background on this error …)` after
 * it; PostgreSQL's message without its DETAIL and HINT.
 */
function errorLine(text: string): string {
  const lines = text.trimEnd().split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.findLast((l) => /^[\w.]+(Error|Exception|Warning|Exit)\b.*:/.test(l)) ?? lines[0] ?? text;
}

function errorText(e: unknown): string {
  if (e instanceof Error && 'location' in e) return formatLocated(e.message, (e as { location: Parameters<typeof formatLocated>[1] }).location);
  return e instanceof Error ? e.message : String(e);
}

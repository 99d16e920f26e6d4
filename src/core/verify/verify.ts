/**
 * The verify stage as the adapters call it: plan and render the change (or take an existing
 * revision), open an ephemeral database, run the round trip with the chosen runner, always
 * drop the database, and report. Also the drift guard: the backend's migration chain
 * replayed and compared with the models.
 */
import posix from 'node:path/posix';
import { readBackend } from '../backend/index.js';
import { readRevision } from '../backend/revision.js';
import { InputError } from '../errors.js';
import { diffModels, generateRevision, type DiffResult, type GenerateResult, type SourceDir } from '../generate.js';
import { requiredExtensions, schemaExtensions } from '../plan/extensions.js';
import { plan as planChange } from '../plan/index.js';
import type { Plan, RenameRequest } from '../plan/types.js';
import { readModels } from '../read/index.js';
import { lockTimeoutFor } from '../render/sql.js';
import { renderSql } from '../render/index.js';
import { buildReport, type Report } from '../report/index.js';
import { emptySchema, type Diagnostic, type Schema } from '../schema/model.js';
import { columnOrderNotes, compareSchemas, type SchemaDifference } from './compare.js';
import { connect, openEphemeralDatabase } from './database.js';
import { ExtensionUnavailableError, inspect, roundTrip, type Verification } from './round-trip.js';
import { alembicRunner, applyInBatches, sqlRunner, type AlembicRunner, type RunResult, type RunnerName } from './runners.js';

export interface VerifyEnvironment {
  /** A server where databases may be created; null → an embedded PostgreSQL. */
  databaseUrl: string | null;
  /** The python the alembic runner uses (`FLOW_MIGRATE_PYTHON`, default `python3`). */
  python?: string;
  /** The environment Alembic runs in. */
  env?: NodeJS.ProcessEnv;
  /** Where the embedded PostgreSQL keeps its template cluster. */
  cacheDir?: string;
}

export interface VerifyChangeRequest extends VerifyEnvironment {
  base: SourceDir;
  head: SourceDir;
  /** The folder holding alembic.ini; needed by the alembic runner, optional for `sql`. */
  backend: SourceDir | null;
  renames: RenameRequest[];
  allowDataLoss: boolean;
  /** Tables a person says hold no rows (`--assume-empty`). */
  assumeEmpty?: string[];
  runner: RunnerName;
  /** Build the base by replaying the backend's chain (alembic runner) instead of from the base models. */
  fromChain: boolean;
  message?: string | null;
  downRevision?: string | null;
  now?: Date;
  randomId?: () => string;
  /** The revision already generated from this very request, so the models are not read twice. */
  generated?: GenerateResult;
}

export type VerifyChangeResult =
  | { status: 'unreadable'; diagnostics: Diagnostic[] }
  | { status: 'done'; generated: Prepared; verification: Verification | null; report: Report };

/** The planned change: a revision file when there is a backend, else the SQL only. */
export type Prepared = GenerateResult | ({ status: 'unreadable' | 'refused' | 'no-changes' | 'sql-only' } & DiffResult);

/**
 * `verify --base --head --backend` and `generate --verify`: plan, render, verify, report.
 * Nothing is verified when the plan is refused or has no changes; the report says so.
 */
export async function verifyChange(request: VerifyChangeRequest): Promise<VerifyChangeResult> {
  if (request.runner === 'alembic' && !request.backend) throw new InputError('the alembic runner needs --backend DIR');
  if (request.fromChain && request.runner !== 'alembic') throw new InputError('--from-chain replays the migration chain: it needs --runner alembic');

  const generated: Prepared = request.generated
    ? request.generated
    : request.backend
    ? await generateRevision({
        base: request.base,
        head: request.head,
        backend: request.backend,
        renames: request.renames,
        allowDataLoss: request.allowDataLoss,
        assumeEmpty: request.assumeEmpty,
        message: request.message ?? null,
        downRevision: request.downRevision ?? null,
        now: request.now,
        randomId: request.randomId,
      })
    : await diffOnly(request);
  if (generated.status === 'unreadable') return { status: 'unreadable', diagnostics: generated.diagnostics };

  const ready = generated.status === 'ready' || generated.status === 'sql-only' ? generated : null;
  const revision = generated.status === 'ready' ? generated : null;
  const lockTimeout = lockTimeoutFor(generated.plan, revision ? revision.backend.style : undefined);
  let verification: Verification | null = null;
  let verificationSkipped: string | null = null;
  if (ready) {
    const { base, head } = generated.schemas;
    const extensions = [...new Set([...schemaExtensions(base), ...requiredExtensions(ready.plan)])];
    verification = await withDatabase(request, async (url) => {
      if (request.runner === 'sql') {
        return roundTrip({
          url,
          base,
          head,
          buildBase: buildFromModels(base),
          baseSource: 'models',
          runner: sqlRunner(ready.sql),
          plan: ready.plan,
          extensions,
        });
      }
      const r = revision!;
      const downgradeTo = r.downRevision ?? 'base';
      const runner = await alembicRunner({
        backend: r.backend,
        tree: request.backend!.tree,
        extraRevision: { fileName: posix.basename(r.revision.path), content: r.revision.content },
        upgradeTo: r.revision.id,
        downgradeTo,
        python: request.python,
        env: request.env,
      });
      try {
        return await roundTrip({
          url,
          base,
          head,
          buildBase: request.fromChain ? buildFromChain(runner, r.downRevision ? [r.downRevision] : []) : buildFromModelsAndStamp(base, runner, downgradeTo),
          baseSource: request.fromChain ? 'chain' : 'models',
          runner,
          plan: ready.plan,
          extensions,
        });
      } finally {
        await runner.close();
      }
    }).catch((err: unknown) => {
      if (!(err instanceof ExtensionUnavailableError)) throw err;
      verificationSkipped = err.message;
      return null;
    });
  }
  const report = buildReport({
    plan: generated.plan,
    sql: generated.sql,
    revision: revision ? { path: revision.revision.path, id: revision.revision.id, downRevision: revision.downRevision, content: revision.revision.content } : null,
    verification,
    verificationSkipped,
    lockTimeout,
    confirmationStyle: 'cli',
  });
  return { status: 'done', generated, verification, report };
}

async function diffOnly(request: VerifyChangeRequest): Promise<Prepared> {
  const diff = await diffModels(request);
  if (diff.diagnostics.some((d) => d.severity === 'error')) return { status: 'unreadable', ...diff };
  if (diff.plan.refused) return { status: 'refused', ...diff };
  return { status: diff.plan.operations.length ? 'sql-only' : 'no-changes', ...diff };
}

export interface VerifyRevisionRequest extends VerifyEnvironment {
  backend: SourceDir;
  /** The revision file, in `backend.tree`; inside the versions folder or not. */
  revisionPath: string;
  /** The file's text when it is not (yet) in the tree, as the PR bot has it. */
  revisionContent?: string;
  /** The head models, to compare the upgraded schema with; null → only the round trip's own consistency. */
  head: SourceDir | null;
}

export interface VerifyRevisionResult {
  revision: { id: string; downRevisions: string[]; path: string; content: string };
  verification: Verification;
}

/**
 * `verify --revision FILE`: an existing (hand-written or edited) revision, run by Alembic on
 * a base replayed from the chain before it. Without models the upgrade is compared with
 * itself: the downgrade must restore the base exactly and the second upgrade repeat the first.
 */
export async function verifyRevision(request: VerifyRevisionRequest): Promise<VerifyRevisionResult> {
  const backend = await readBackend(request.backend.dir, request.backend.tree);
  const text = request.revisionContent ?? (await request.backend.tree.read(request.revisionPath));
  if (text === null) throw new InputError(`no revision file ${request.revisionPath}`);
  const revision = await readRevision(text, request.revisionPath);
  const known = backend.revisions.find((r) => r.id === revision.id);
  if (known && known.path !== request.revisionPath) {
    throw new InputError(`revision ${revision.id} is also declared in ${known.path}`, revision.location);
  }
  const head = request.head ? await readModels(request.head.dir, request.head.tree) : null;
  if (head?.diagnostics.some((d) => d.severity === 'error')) {
    const first = head.diagnostics.find((d) => d.severity === 'error')!;
    throw new InputError(first.message, first.location);
  }
  const verification = await withDatabase(request, async (url) => {
    const runner = await alembicRunner({
      backend,
      tree: request.backend.tree,
      extraRevision: known ? null : { fileName: posix.basename(request.revisionPath), content: text },
      upgradeTo: revision.id,
      downgradeTo: revision.downRevisions.length === 1 ? revision.downRevisions[0]! : revision.downRevisions.length ? `${revision.id}-1` : 'base',
      python: request.python,
      env: request.env,
    });
    try {
      return await roundTrip({
        url,
        base: null,
        head: head?.schema ?? null,
        buildBase: buildFromChain(runner, revision.downRevisions),
        baseSource: 'chain',
        runner,
        plan: null,
      });
    } finally {
      await runner.close();
    }
  });
  return { revision: { id: revision.id, downRevisions: revision.downRevisions, path: request.revisionPath, content: text }, verification };
}

export type DriftDirection = 'models ahead of migrations' | 'migration not reflected in models' | 'models and migrations disagree';

export interface DriftDifference extends SchemaDifference {
  direction: DriftDirection;
}

export interface DriftResult {
  /** The heads the chain was replayed to. */
  heads: string[];
  differences: DriftDifference[];
  /** Worth knowing, not drift: tables whose columns the chain left in another order than the models'. */
  notes: string[];
  /** Why the chain could not be replayed, or null when it was. */
  error: string | null;
}

/** `check`: replay the whole chain on an ephemeral database and compare it with the models. */
export async function checkDrift(request: VerifyEnvironment & { models: SourceDir; backend: SourceDir }): Promise<DriftResult> {
  const models = await readModels(request.models.dir, request.models.tree);
  const error = models.diagnostics.find((d) => d.severity === 'error');
  if (error) throw new InputError(error.message, error.location);
  const backend = await readBackend(request.backend.dir, request.backend.tree);
  return withDatabase(request, async (url) => {
    const runner = await alembicRunner({ backend, tree: request.backend.tree, upgradeTo: 'heads', downgradeTo: 'base', python: request.python, env: request.env });
    try {
      const replayed = await runner.upgrade(url);
      if (replayed.error) return { heads: backend.heads, differences: [], notes: [], error: replayed.error };
      const replayedSchema = await introspectAt(url);
      const differences = compareSchemas(models.schema, replayedSchema).map((d) => ({ ...d, direction: direction(d) }));
      return { heads: backend.heads, differences, notes: columnOrderNotes(models.schema, replayedSchema), error: null };
    } finally {
      await runner.close();
    }
  });
}

function direction(d: SchemaDifference): DriftDirection {
  if (d.actual === null) return 'models ahead of migrations';
  if (d.expected === null) return 'migration not reflected in models';
  return 'models and migrations disagree';
}

// ---------------------------------------------------------------------------------------

/** Runs `work` on a new ephemeral database and always drops it afterwards. */
async function withDatabase<T>(environment: VerifyEnvironment, work: (url: string) => Promise<T>): Promise<T> {
  const db = await openEphemeralDatabase({ databaseUrl: environment.databaseUrl, cacheDir: environment.cacheDir });
  try {
    return await work(db.url);
  } finally {
    await db.close();
  }
}

async function introspectAt(url: string): Promise<Schema> {
  const client = await connect(url);
  try {
    return await inspect(client);
  } finally {
    await client.end();
  }
}

/** The SQL that creates `schema` from nothing, as the planner and renderer would write it. */
export function baseStatements(schema: Schema) {
  const created: Plan = planChange(emptySchema(), schema, { renames: [], allowDataLoss: true });
  return renderSql(created).upgrade;
}

function buildFromModels(schema: Schema): (url: string) => Promise<RunResult> {
  return (url) => applyInBatches(url, baseStatements(schema));
}

/** The base from the models, then recorded in alembic_version as the revision it stands for. */
function buildFromModelsAndStamp(schema: Schema, runner: AlembicRunner, revision: string): (url: string) => Promise<RunResult> {
  return async (url) => {
    const built = await applyInBatches(url, baseStatements(schema));
    if (built.error) return built;
    const stamped = await runner.stamp(url, revision);
    return { statements: [...built.statements, ...stamped.statements], error: stamped.error };
  };
}

function buildFromChain(runner: AlembicRunner, revisions: string[]): (url: string) => Promise<RunResult> {
  return async (url) => {
    const out: RunResult = { statements: [], error: null };
    for (const revision of revisions) {
      const run = await runner.upgradeTo(url, revision);
      out.statements.push(...run.statements);
      if (run.error) return { ...out, error: run.error };
    }
    return out;
  };
}

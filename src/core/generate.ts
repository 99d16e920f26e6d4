import { chooseDownRevision, readBackend, renderRevisionFile, type Backend, type RevisionFile } from './backend/index.js';
import { plan, type Plan, type PlannedOperation, type RenameRequest } from './plan/index.js';
import { allInOrder } from './in-order.js';
import { ParseCache, readModels } from './read/index.js';
import { renderAlembic, renderSql, type SqlScript } from './render/index.js';
import type { Diagnostic, Schema } from './schema/model.js';
import type { SourceTree } from './source.js';

/** A folder inside a source tree: a models package, or the folder holding `alembic.ini`. */
export interface SourceDir {
  tree: SourceTree;
  dir: string;
}

export interface DiffRequest {
  base: SourceDir;
  head: SourceDir;
  renames: RenameRequest[];
  allowDataLoss: boolean;
  /** Tables a person says hold no rows (`--assume-empty`). */
  assumeEmpty?: string[];
}

export interface DiffResult {
  plan: Plan;
  /** The reader's diagnostics, base then head; `error` ones mean a schema could not be read fully. */
  diagnostics: Diagnostic[];
  /** The same operations as PostgreSQL SQL. */
  sql: SqlScript;
  /** The schemas as read, so later stages (verify) need not read the models again. */
  schemas: { base: Schema; head: Schema };
  /** The files either schema was read from (see ReadResult). */
  files: string[];
}

export interface GenerateRequest extends DiffRequest {
  backend: SourceDir;
  /** Null: a summary of the change ("add last_login to users"). */
  message: string | null;
  /** Null: the backend's single head. */
  downRevision: string | null;
  /** Injected for reproducible files; defaults to the wall clock and Alembic's random ids. */
  now?: Date;
  randomId?: () => string;
}

export type GenerateResult =
  /** Some schema could not be read fully (error diagnostics): nothing to write. */
  | ({ status: 'unreadable' } & DiffResult)
  | ({ status: 'no-changes' } & DiffResult)
  /** A data-loss finding is not confirmed: nothing may be written. */
  | ({ status: 'refused' } & DiffResult)
  | ({
      status: 'ready';
      backend: Backend;
      revision: RevisionFile;
      message: string;
      /** The revision it revises, or null for the first one. */
      downRevision: string | null;
    } & DiffResult);

/** Reads both model folders and plans the change between them. */
export async function diffModels(request: DiffRequest): Promise<DiffResult> {
  const parsed = new ParseCache();
  // Both at once: one read's reader pass runs while the other's files are parsed on threads.
  const [base, head] = await allInOrder([
    readModels(request.base.dir, request.base.tree, { parsed }),
    readModels(request.head.dir, request.head.tree, { parsed }),
  ]);
  const planned = plan(base.schema, head.schema, {
    renames: request.renames,
    allowDataLoss: request.allowDataLoss,
    assumeEmpty: request.assumeEmpty ?? [],
  });
  return {
    plan: planned,
    diagnostics: [...base.diagnostics, ...head.diagnostics],
    sql: renderSql(planned),
    schemas: { base: base.schema, head: head.schema },
    files: [...new Set([...base.files, ...head.files])],
  };
}

/**
 * The whole `generate` pipeline, shared by the CLI, the pre-commit hook and the PR bot:
 * models → plan → (backend conventions) → the revision file's name and text. It writes
 * nothing; the caller decides where the file goes. Bad input (a syntax error, an
 * unreadable alembic.ini, several heads with no choice) throws InputError.
 */
export async function generateRevision(request: GenerateRequest): Promise<GenerateResult> {
  const diff = await diffModels(request);
  // Read even when there is nothing to write: a wrong --backend is bad input either way.
  const backend = await readBackend(request.backend.dir, request.backend.tree);
  if (diff.diagnostics.some((d) => d.severity === 'error')) return { status: 'unreadable', ...diff };
  if (!diff.plan.operations.length) return { status: 'no-changes', ...diff };
  const downRevision = chooseDownRevision(backend, request.downRevision);
  if (diff.plan.refused) return { status: 'refused', ...diff };

  const message = request.message?.trim() || defaultMessage(diff.plan);
  const revision = renderRevisionFile({
    backend,
    body: renderAlembic(diff.plan, backend.style),
    message,
    downRevision,
    now: request.now ?? new Date(),
    randomId: request.randomId,
  });
  // The SQL takes the same lock_timeout the revision file sets.
  return { status: 'ready', ...diff, sql: renderSql(diff.plan, backend.style), backend, revision, message, downRevision };
}

/**
 * "add last_login to users", or the first two changes and how many more. What only comes
 * with another change is part of it, as a person would write it: the index, constraint or
 * enum type of a new column or table, the index and sequence renames of a renamed table or
 * column, the drop of a constraint that is added back changed.
 */
export function defaultMessage(planned: Plan): string {
  const upgrades = planned.operations.flatMap((o) => o.upgrade);
  const newTables = new Set(upgrades.flatMap((op) => (op.kind === 'createTable' ? [op.table.name] : [])));
  const newColumns = new Set(upgrades.flatMap((op) => (op.kind === 'addColumn' ? [`${op.table}.${op.column.name}`] : [])));
  const addedNames = new Set(upgrades.flatMap((op) => (op.kind === 'addConstraint' ? [op.constraint.name] : [])));
  const renamedTables = new Set(
    planned.operations
      .filter((o) => o.upgrade.some((op) => op.kind === 'renameTable' || (op.kind === 'alterColumn' && op.change.kind === 'rename')))
      .map((o) => o.table),
  );
  const covered = (table: string, columns: string[]) =>
    newTables.has(table) || (columns.length > 0 && columns.every((c) => newColumns.has(`${table}.${c}`)));
  const partOfAnother = (o: PlannedOperation): boolean =>
    o.upgrade.every((op) => {
      switch (op.kind) {
        case 'createEnum':
          return true;
        case 'createIndex':
          return covered(op.table, op.index.elements.flatMap((e) => ('column' in e ? [e.column] : [])));
        case 'addConstraint':
          return covered(op.table, 'columns' in op.constraint ? op.constraint.columns : []);
        case 'dropConstraint':
          return addedNames.has(op.constraint.name);
        case 'renameIndex':
        case 'renameConstraint':
        case 'renameSequence':
          return renamedTables.has(o.table);
        default:
          return false;
      }
    });
  const own = planned.operations.filter((o) => !partOfAnother(o));
  const summaries = (own.length ? own : planned.operations).map((o) => o.summary);
  if (summaries.length <= 2) return summaries.join(', ');
  const more = summaries.length - 2;
  return `${summaries.slice(0, 2).join(', ')} and ${more} more change${more === 1 ? '' : 's'}`;
}

/**
 * The round trip every migration passes before a person sees it, on a real, ephemeral
 * PostgreSQL database:
 *
 *   1. build the base schema, and compare it with the base models;
 *   2. seed realistic rows into every table;
 *   3. upgrade, compare with the head models, check every seeded row;
 *   4. downgrade, compare with the base, check the rows again (except consented drops);
 *   5. upgrade again, compare with the head.
 *
 * Each step passes or fails with the exact differences and the time each statement took.
 * Any difference fails the verification.
 */
import pg from 'pg';
import { connect } from './database.js';
import { requiredExtensions } from '../plan/extensions.js';
import { renameColumnsIn } from '../plan/expressions.js';
import type { Plan } from '../plan/types.js';
import { qualifiedName, type Schema } from '../schema/model.js';
import { columnOrderNotes, compareSchemas } from './compare.js';
import { introspectSchema } from './introspect.js';
import {
  checkRestoredRows,
  checkUpgradedRows,
  rowExpectations,
  lostData,
  rowMappingByValues,
  rowMappingFromPlan,
  snapshotRows,
  type RowDifference,
  type RowExpectations,
  type RowMapping,
  type RowSnapshot,
} from './row-check.js';
import { applyInBatches, batchSize, runTimed, timeBatch, type MigrationRunner, type RunResult, type RunnerName, type StatementRun } from './runners.js';
import { namedIn, planSeed, type SeedOptions, type SeedPlan } from './seed.js';
import { searchSeed } from './seed-search.js';

export type StepName = 'base' | 'seed' | 'upgrade' | 'downgrade' | 'upgrade-again';

export type StepStatus = 'passed' | 'failed' | 'skipped';

/** One thing that is not as expected, in words and in place. */
export interface Difference {
  /** What differs: `table`, `column`, `constraint`, `index`, `enum`, `row`, or `error` (a statement failed). */
  kind: string;
  /** Where: `users.email`, `uq_users_email`, `tasks (id=3)`. */
  subject: string;
  message: string;
}

export interface VerificationStep {
  name: StepName;
  /** What the step does, in words: "upgrade, then compare with the head models". */
  title: string;
  status: StepStatus;
  statements: StatementRun[];
  differences: Difference[];
  /** Wall-clock milliseconds of the whole step. */
  ms: number;
  /** Worth knowing, not a failure: column order a migration cannot restore. */
  notes: string[];
}

export interface Verification {
  passed: boolean;
  runner: RunnerName;
  /** How the base was built: from the models' SQL or the backend's migration chain. */
  base: 'models' | 'chain';
  steps: VerificationStep[];
  /** Rows seeded per table. */
  seeded: { table: string; rows: number }[];
  /** Why a table got fewer rows than the others (cycles, parents without rows, constraints no row satisfied). */
  seedNotes: string[];
  /**
   * Without a plan (a revision checked on its own): the tables and columns whose seeded values
   * the upgrade removed, in words. Nobody consented to that loss yet; with a plan, its findings say it.
   */
  lost: string[];
}

export interface RoundTripInput {
  /** An empty database the round trip may do anything to. */
  url: string;
  /** The schema the base models describe; null (a revision checked on its own) → whatever step 1 built. */
  base: Schema | null;
  /** The schema the head models describe; null (a revision checked on its own) → the first upgrade's result. */
  head: Schema | null;
  /** Step 1: builds the base on the empty database (the models' SQL, or the migration chain). */
  buildBase: (url: string) => Promise<RunResult>;
  baseSource: 'models' | 'chain';
  runner: MigrationRunner;
  /** How seeded rows map onto the head; null → by name (no renames known). */
  plan: Plan | null;
  /** The extensions the base and the migration create (default: the plan's); the server must offer them. */
  extensions?: string[];
  seed?: SeedOptions;
}

/**
 * The server cannot run the migration at all: it does not offer an extension the revision
 * creates. That says nothing about the migration, so it is no failed verification either.
 */
export class ExtensionUnavailableError extends Error {
  override name = 'ExtensionUnavailableError';
  constructor(readonly extensions: string[]) {
    super(
      `${extensions.length === 1 ? 'extension' : 'extensions'} ${extensions.join(', ')}, which the revision needs, ` +
        `${extensions.length === 1 ? 'is' : 'are'} not available on this PostgreSQL server (pg_available_extensions): ` +
        'install it there, or verify on a server that has it',
    );
  }
}

function titles(input: Pick<RoundTripInput, 'base' | 'head' | 'baseSource'>): Record<StepName, string> {
  const build = input.baseSource === 'chain' ? "replay the backend's migration chain up to the base" : 'build the base schema';
  const head = input.head ? 'the head models' : 'what the first upgrade built';
  return {
    base: input.base ? `${build}, then compare it with the base models` : build,
    seed: 'seed realistic rows into every table',
    upgrade: input.head ? 'upgrade, compare with the head models, check every seeded row' : 'upgrade and check every seeded row',
    downgrade: 'downgrade, compare with the base schema, check the rows again',
    'upgrade-again': `upgrade again and compare with ${head}`,
  };
}

/** Throws `ExtensionUnavailableError`, before anything runs, when the server lacks a required extension. */
export async function roundTrip(input: RoundTripInput): Promise<Verification> {
  const steps: VerificationStep[] = [];
  const stepTitles = titles(input);
  const step = (name: StepName, started: number, statements: StatementRun[], differences: Difference[], notes: string[] = []) =>
    makeStep(name, stepTitles[name], started, statements, differences, notes);
  const verification = (): Verification => ({
    passed: steps.length === 5 && steps.every((s) => s.status === 'passed'),
    runner: input.runner.name,
    base: input.baseSource,
    steps: [...steps, ...skippedAfter(steps, stepTitles)],
    seeded: seededCounts,
    seedNotes: seedPlan?.notes.map((n) => `${n.table}: ${n.message}`) ?? [],
    lost,
  });
  let lost: string[] = [];
  let seededCounts: { table: string; rows: number }[] = [];
  let seedPlan: SeedPlan | null = null;
  const client = await connect(input.url);
  try {
    const missing = await unavailableExtensions(client, input.extensions ?? (input.plan ? requiredExtensions(input.plan) : []));
    if (missing.length) throw new ExtensionUnavailableError(missing);

    // 1. The base.
    let started = performance.now();
    const built = await input.buildBase(input.url);
    if (built.error) {
      steps.push(step('base', started, built.statements, [failedStatement(built)]));
      return verification();
    }
    const actualBase = await inspect(client);
    const baseCheck = input.base ? schemaCheck(input.base, actualBase) : { differences: [], notes: [] };
    steps.push(step('base', started, built.statements, baseCheck.differences, baseCheck.notes));
    // Later steps compare with what was built, so one reader/renderer mismatch is reported once.
    const expectedBase = actualBase;

    // 2. Seed.
    started = performance.now();
    const planned = input.plan ? rowMappingFromPlan(input.plan, actualBase) : null;
    const seedOptions = { ...input.seed, ...(input.plan && planned ? seedHints(input.plan, actualBase, input.head, planned) : {}) };
    seedPlan = planSeed(actualBase, seedOptions);
    // The head's CHECKs are not in the database yet: PostgreSQL judges the rows against them before they go in.
    let seeding = Object.values(seedOptions.checksAfter ?? {}).some((c) => c.length) ? null : await runSeed(client, seedPlan);
    // Rejected as planned: PostgreSQL judges the rows table by table, and the seed fits them.
    if (!seeding || seeding.error) ({ plan: seedPlan, run: seeding } = await searchSeed(client, actualBase, seedOptions));
    seededCounts = seedPlan.tables.map((t) => ({ table: t.table, rows: t.rows.length }));
    steps.push(step('seed', started, seeding.statements, seeding.error ? [failedStatement(seeding)] : []));
    if (seeding.error) return verification();
    const seeded = await snapshotRows(client, actualBase);

    // 3. Upgrade.
    started = performance.now();
    const upgraded = await input.runner.upgrade(input.url);
    if (upgraded.error) {
      steps.push(step('upgrade', started, upgraded.statements, [failedStatement(upgraded)]));
      return verification();
    }
    const actualHead = await inspect(client);
    const expectedHead = input.head ?? actualHead;
    const mapping = planned ?? rowMappingByValues(actualBase, actualHead, seeded, await snapshotRows(client, actualHead));
    if (!planned) lost = lostData(seeded, mapping);
    const { differences: rowDiffs, expectations } = await upgradedRowDifferences(client, seeded, actualHead, mapping);
    const headCheck = schemaCheck(expectedHead, actualHead);
    steps.push(step('upgrade', started, upgraded.statements, [...headCheck.differences, ...rowDiffs], headCheck.notes));

    // 4. Downgrade.
    started = performance.now();
    const downgraded = await input.runner.downgrade(input.url);
    if (downgraded.error) {
      steps.push(step('downgrade', started, downgraded.statements, [failedStatement(downgraded)]));
      return verification();
    }
    const restored = await inspect(client);
    const restoredRows = checkRestoredRows(seeded, await snapshotRows(client, restored), mapping, expectations).map(rowDifference);
    const restoredCheck = schemaCheck(expectedBase, restored);
    steps.push(step('downgrade', started, downgraded.statements, [...restoredCheck.differences, ...restoredRows], restoredCheck.notes));

    // 5. Upgrade again.
    started = performance.now();
    const again = await input.runner.upgrade(input.url);
    if (again.error) {
      steps.push(step('upgrade-again', started, again.statements, [failedStatement(again)]));
      return verification();
    }
    const reupgraded = await inspect(client);
    const againCheck = schemaCheck(expectedHead, reupgraded);
    steps.push(step('upgrade-again', started, again.statements, againCheck.differences, againCheck.notes));
    return verification();
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The schema of every namespace the application may use (all but PostgreSQL's own), so
 * tables the models put in another schema are compared too.
 */
export async function inspect(client: pg.Client): Promise<Schema> {
  const { rows } = await client.query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace
      WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname = 'public' DESC, nspname`,
  );
  const out: Schema = { tables: [], enums: [] };
  for (const { nspname } of rows) {
    const part = await introspectSchema(client, nspname);
    out.tables.push(...part.tables);
    out.enums.push(...part.enums);
  }
  return out;
}

/** The extensions of `names` the server does not offer, in their order. */
async function unavailableExtensions(client: pg.Client, names: string[]): Promise<string[]> {
  if (!names.length) return [];
  const { rows } = await client.query<{ name: string }>('SELECT name FROM pg_available_extensions WHERE name = ANY($1)', [names]);
  const available = new Set(rows.map((r) => r.name));
  return names.filter((n) => !available.has(n));
}

function makeStep(
  name: StepName,
  title: string,
  started: number,
  statements: StatementRun[],
  differences: Difference[],
  notes: string[],
): VerificationStep {
  return {
    name,
    title,
    notes,
    status: differences.length ? 'failed' : 'passed',
    statements,
    differences,
    ms: Math.round(performance.now() - started),
  };
}

function skippedAfter(steps: VerificationStep[], stepTitles: Record<StepName, string>): VerificationStep[] {
  const order: StepName[] = ['base', 'seed', 'upgrade', 'downgrade', 'upgrade-again'];
  return order.slice(steps.length).map((name) => ({ name, title: stepTitles[name], status: 'skipped', statements: [], differences: [], ms: 0, notes: [] }));
}

function failedStatement(run: RunResult): Difference {
  // The last: the alembic runner lists its command first, then the statement that failed in it.
  const failed = run.statements.findLast((s) => s.error !== null);
  return { kind: 'error', subject: failed ? oneLine(failed.sql) : 'statement', message: run.error ?? 'failed' };
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

/** The schema's differences, and its column order as notes: ADD COLUMN can only append. */
function schemaCheck(expected: Schema, actual: Schema): { differences: Difference[]; notes: string[] } {
  const differences = compareSchemas(expected, actual).map((d) => ({
    kind: d.kind,
    subject: [d.table, d.object].filter(Boolean).join('.'),
    message: d.message,
  }));
  return { differences, notes: columnOrderNotes(expected, actual) };
}

function rowDifference(d: RowDifference): Difference {
  const subject = `${d.table}${d.column ? `.${d.column}` : ''}${d.row ? ` (${d.row})` : ''}`;
  return { kind: 'row', subject, message: d.message };
}

async function upgradedRowDifferences(
  client: pg.Client,
  seeded: RowSnapshot,
  head: Schema,
  mapping: RowMapping,
): Promise<{ differences: Difference[]; expectations: RowExpectations }> {
  const enumSchema = (type: { name: string; isEnum: boolean }) =>
    type.isEnum ? (head.enums.find((e) => e.name === type.name)?.schema ?? null) : null;
  const expectations = await rowExpectations(client, seeded, mapping, enumSchema);
  const after = await snapshotRows(client, head);
  return { differences: checkUpgradedRows(seeded, after, mapping, expectations).map(rowDifference), expectations };
}

/**
 * What the seed must know of the plan: the columns it converts to another type (their
 * values must survive the cast), the enum labels it removes (no rows may hold them), and
 * the uniques and CHECKs of the head (rows must already fit them): of each table kept,
 * those on columns the base has, in the base's names.
 */
function seedHints(
  plan: Plan,
  base: Schema,
  head: Schema | null,
  mapping: RowMapping,
): Pick<SeedOptions, 'convertedTo' | 'removedLabels' | 'uniqueAfter' | 'checksAfter' | 'empty'> {
  const convertedTo: NonNullable<SeedOptions['convertedTo']> = {};
  for (const fate of mapping.tables) {
    for (const [column, f] of Object.entries(fate.columns)) {
      if (f.kind === 'kept' && JSON.stringify(f.from) !== JSON.stringify(f.type)) convertedTo[`${fate.from}.${column}`] = f.type;
    }
  }
  const removedLabels: NonNullable<SeedOptions['removedLabels']> = {};
  for (const op of plan.operations.flatMap((o) => o.upgrade)) {
    if (op.kind !== 'rebuildEnum') continue;
    const before = base.enums.find((e) => e.name === op.enum.name && e.schema === op.enum.schema);
    removedLabels[op.enum.name] = (before?.labels ?? []).filter((l) => !op.labels.includes(l));
  }
  const uniqueAfter: NonNullable<SeedOptions['uniqueAfter']> = {};
  const checksAfter: NonNullable<SeedOptions['checksAfter']> = {};
  const addedChecks = plan.operations
    .flatMap((o) => o.upgrade)
    .flatMap((op) => (op.kind === 'addConstraint' && op.constraint.kind === 'check' ? [{ ...op.constraint, table: qualifiedName({ schema: op.schema, name: op.table }) }] : []));
  const headTables = new Map(head?.tables.map((t) => [qualifiedName(t), t]));
  for (const fate of mapping.tables) {
    const after = fate.to === null ? undefined : headTables.get(fate.to);
    if (!after) continue;
    const baseName = new Map(Object.entries(fate.columns).flatMap(([from, f]) => (f.kind === 'kept' ? [[f.to, from] as const] : [])));
    const sets = [
      ...after.uniqueConstraints.map((u) => u.columns),
      ...after.indexes.filter((i) => i.unique && i.elements.every((e) => 'column' in e)).map((i) => i.elements.map((e) => (e as { column: string }).column)),
    ];
    uniqueAfter[fate.from] = sets.filter((set) => set.every((c) => baseName.has(c))).map((set) => set.map((c) => baseName.get(c)!));
    // The CHECKs the upgrade adds (or changes); one naming a column the head adds cannot be judged on rows without it.
    const headColumns = after.columns.map((c) => c.name);
    checksAfter[fate.from] = addedChecks
      .filter((c) => c.table === fate.to && namedIn(c.expression, headColumns).every((name) => baseName.has(name)))
      .map(({ name, expression, location }) => ({ name, location, expression: renameColumnsIn(expression, baseName) }));
  }
  const empty = mapping.tables.filter((fate) => fate.to !== null && plan.assumedEmpty.includes(fate.to)).map((fate) => fate.from);
  return { convertedTo, removedLabels, uniqueAfter, checksAfter, empty };
}

/**
 * Runs the seed's statements in order, `batchSize` of them a transaction (each INSERT locks
 * its table, indexes and parents until commit: thousands of tables in one transaction would
 * fill the server's lock table). At the first error it stops and, as one transaction would,
 * leaves every table empty again.
 */
export async function runSeed(client: pg.ClientBase, seed: SeedPlan): Promise<RunResult> {
  const perTransaction = await batchSize(client);
  const statements: StatementRun[] = [];
  for (let i = 0; i < seed.statements.length; i += perTransaction) {
    const run = await seedTransaction(client, seed.statements.slice(i, i + perTransaction));
    statements.push(...run.statements);
    if (run.error) {
      if (i > 0) await emptyTables(client, seed.tables.map((t) => t.table), perTransaction);
      return { statements, error: run.error };
    }
  }
  return { statements, error: null };
}

/**
 * Deletes every row of the tables (qualified names, in insert order), children first,
 * `perTransaction` tables a transaction. PostgreSQL quotes the names (`regclass`). Only the
 * cycle-breaking UPDATEs, which run last, can point a parent at a child; when one of those
 * keeps a DELETE from running, the rows stay and the seed's own error is what is reported.
 */
async function emptyTables(client: pg.ClientBase, tables: string[], perTransaction: number): Promise<void> {
  const { rows } = await client.query<{ qualified: string; quoted: string }>(
    `SELECT CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname || '.' || c.relname END AS qualified, c.oid::regclass::text AS quoted
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')`,
  );
  const quoted = new Map(rows.map((r) => [r.qualified, r.quoted]));
  const deletes = tables.toReversed().flatMap((t) => (quoted.has(t) ? [`DELETE FROM ${quoted.get(t)}`] : []));
  try {
    for (let i = 0; i < deletes.length; i += perTransaction) {
      await client.query(['BEGIN', ...deletes.slice(i, i + perTransaction), 'COMMIT'].join(';\n'));
    }
  } catch {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/**
 * Seed statements in one transaction, timing each: sent as one query, their parameters
 * written in as literals; when that fails, replayed one statement at a time with their
 * parameters, which names the statement that failed.
 */
async function seedTransaction(client: pg.ClientBase, seedStatements: SeedPlan['statements']): Promise<RunResult> {
  await client.query('BEGIN');
  const times = await timeBatch(client, seedStatements.map((s) => withLiterals(s.sql, s.params))).catch(() => null);
  if (times) {
    await client.query('COMMIT');
    return { statements: seedStatements.map((s, i) => ({ sql: s.sql, ms: times[i]!, lock: null, error: null })), error: null };
  }
  await client.query('ROLLBACK');
  const statements: StatementRun[] = [];
  await client.query('BEGIN');
  for (const s of seedStatements) {
    const run = await runTimed(client, s.sql, s.params, null);
    statements.push(run);
    if (run.error) {
      await client.query('ROLLBACK');
      return { statements, error: run.error };
    }
  }
  await client.query('COMMIT');
  return { statements, error: null };
}

/**
 * `$n` replaced by its value as a quoted literal (untyped, as an untyped parameter is), or
 * NULL; quoted identifiers and literals are left alone.
 */
export function withLiterals(sql: string, params: (string | null)[]): string {
  return sql.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'|\$(\d+)/g, (match, n: string | undefined) => {
    if (n === undefined) return match;
    const value = params[Number(n) - 1];
    return value === null || value === undefined ? 'NULL' : pg.escapeLiteral(value);
  });
}

/** Step 1 from the models: the SQL that creates the base schema from nothing. */
export function buildFromStatements(statements: Parameters<typeof applyInBatches>[1]): (url: string) => Promise<RunResult> {
  return (url) => applyInBatches(url, statements);
}

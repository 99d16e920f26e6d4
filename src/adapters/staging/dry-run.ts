import type pg from 'pg';
import { pgErrorText } from '../../core/verify/runners.js';
import type { OfflineStatement } from './offline-sql.js';

export interface DryRunStep {
  statement: OfflineStatement;
  ms: number;
  /** The server's error (with detail and hint), or null when it ran. */
  error: string | null;
  /** `55P03` (lock_timeout) and the like. */
  code: string | null;
}

export interface LockTaken {
  mode: string;
  /** `schema.table` (or index), as staging names it. */
  relation: string;
}

export interface DryRunResult {
  /** The statements that ran, up to and including the one that failed. */
  steps: DryRunStep[];
  ms: number;
  /** Table-level locks held at the end, strongest first: what a real run would hold until COMMIT. */
  locks: LockTaken[];
  failed: DryRunStep | null;
}

/** PostgreSQL's table lock modes, weakest first. */
const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
];

/**
 * Runs the statements in one transaction that is always rolled back, so staging's data and
 * schema stay as they were whatever happens. `lock_timeout` is set for the transaction: a
 * statement that would wait for a busy table fails fast instead of stalling traffic.
 */
export async function dryRun(
  client: pg.ClientBase,
  statements: OfflineStatement[],
  limits: { lockTimeout: string; statementTimeout: string },
): Promise<DryRunResult> {
  const steps: DryRunStep[] = [];
  let locks: LockTaken[] = [];
  const started = performance.now();
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`, [
      limits.lockTimeout,
      limits.statementTimeout,
    ]);
    for (const statement of statements) {
      const at = performance.now();
      try {
        await client.query(statement.sql);
        steps.push({ statement, ms: elapsed(at), error: null, code: null });
      } catch (err) {
        steps.push({ statement, ms: elapsed(at), error: pgErrorText(err), code: (err as { code?: string }).code ?? null });
        break;
      }
      // Locks last until the transaction ends, so the latest list holds every one taken so far.
      locks = await heldLocks(client);
    }
  } finally {
    await client.query('ROLLBACK');
  }
  return { steps, ms: elapsed(started), locks, failed: steps.find((s) => s.error !== null) ?? null };
}

async function heldLocks(client: pg.ClientBase): Promise<LockTaken[]> {
  const { rows } = await client.query<{ mode: string; relation: string }>(
    `SELECT l.mode, n.nspname || '.' || c.relname AS relation
       FROM pg_locks l
       JOIN pg_class c ON c.oid = l.relation
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE l.pid = pg_backend_pid() AND l.granted AND l.locktype = 'relation' AND c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
  );
  const strongest = new Map<string, string>();
  for (const row of rows) {
    const current = strongest.get(row.relation);
    if (!current || LOCK_MODES.indexOf(row.mode) > LOCK_MODES.indexOf(current)) strongest.set(row.relation, row.mode);
  }
  return [...strongest]
    .sort(([ra, a], [rb, b]) => LOCK_MODES.indexOf(b) - LOCK_MODES.indexOf(a) || ra.localeCompare(rb))
    .map(([relation, mode]) => ({ relation, mode: lockName(mode) }));
}

/** `AccessExclusiveLock` → `ACCESS EXCLUSIVE`, as PostgreSQL's documentation names it. */
function lockName(mode: string): string {
  return mode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

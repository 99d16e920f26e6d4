/**
 * The report a person acts on: the fifth stage. Built once from the plan, the rendered
 * migration and the verification, then rendered as markdown (the pull-request comment),
 * terminal text or JSON, so every surface says the same thing.
 *
 * Its parts, in the order the Flow team asked for: summary, migration, verification, risks,
 * execution steps, rollback, and the confirmations still needed.
 */
import { confirmationCommand, confirmationFlag } from '../plan/confirmation.js';
import type { Confirmation, Finding, Operation, Plan } from '../plan/types.js';
import type { SqlScript } from '../render/types.js';
import type { SourceLocation } from '../schema/model.js';
import type { Verification } from '../verify/round-trip.js';

export type ReportStatus = 'no-changes' | 'refused' | 'not-verified' | 'verified' | 'verification-failed';

export interface ReportRisk {
  severity: Finding['severity'];
  rule: string;
  /** `drop-column on tasks.status`. */
  what: string;
  /** What happens in PostgreSQL. */
  why: string;
  safeAlternative: string;
  location: SourceLocation | null;
  /** For errors: confirmed by the options, or still refusing the plan. */
  confirmed: boolean;
}

export type DeployOrder =
  /** Only additions: the schema change goes first, then the code that uses it. */
  | 'migration-first'
  /** Only removals: the code that stops using them goes first. */
  | 'code-first'
  /** Renames or both kinds: no single order keeps running code working. */
  | 'expand-contract'
  /** Nothing running code can notice. */
  | 'either';

export interface Report {
  status: ReportStatus;
  /** The schema change in plain words, one sentence a line. */
  summary: string[];
  migration: {
    /** The revision file's path, or null when only SQL was produced. */
    path: string | null;
    revision: string | null;
    downRevision: string | null;
    /** The revision file's text (null without one). */
    content: string | null;
    /** The upgrade as SQL, with the lock each statement takes. */
    statements: { sql: string; lock: string; transactional: boolean }[];
  } | null;
  verification: Verification | null;
  /** Why verification did not run, when it did not. */
  verificationSkipped: string | null;
  risks: ReportRisk[];
  execution: {
    command: string;
    lockTimeout: string | null;
    /** The distinct locks taken on existing tables. */
    locks: string[];
    deployOrder: DeployOrder;
    deployNote: string;
    /** Statements that run outside the transaction (a failure there is not rolled back). */
    outsideTransaction: number;
  } | null;
  rollback: {
    command: string;
    /** What a downgrade cannot bring back, one sentence each. */
    cannotRestore: string[];
  } | null;
  /** What would let a refused plan through, as flags or PR commands. */
  confirmations: string[];
}

export interface ReportInput {
  plan: Plan;
  sql: SqlScript;
  revision: { path: string; id: string; downRevision: string | null; content: string } | null;
  verification: Verification | null;
  /** Why verification did not run (null when it ran or was not asked for). */
  verificationSkipped?: string | null;
  lockTimeout: string | null;
  /** How confirmations are spelled: command-line flags or pull-request commands. */
  confirmationStyle: 'cli' | 'pull-request';
}

export function buildReport(input: ReportInput): Report {
  const { plan } = input;
  const spell = (c: Confirmation) => (input.confirmationStyle === 'cli' ? confirmationFlag(c) : confirmationCommand(c));
  const status = statusOf(input);
  const upgradeTarget = input.revision?.id ?? 'head';
  const downTarget = input.revision ? (input.revision.downRevision ?? 'base') : '-1';
  const hasChange = plan.operations.length > 0 && !plan.refused;
  return {
    status,
    summary: summary(plan, spell),
    migration: hasChange
      ? {
          path: input.revision?.path ?? null,
          revision: input.revision?.id ?? null,
          downRevision: input.revision?.downRevision ?? null,
          content: input.revision?.content ?? null,
          statements: input.sql.upgrade.map((s) => ({ sql: s.sql, lock: s.lock, transactional: s.transactional })),
        }
      : null,
    verification: input.verification,
    verificationSkipped: input.verificationSkipped ?? null,
    risks: plan.findings.map(risk),
    execution: hasChange
      ? {
          command: `alembic upgrade ${upgradeTarget}`,
          lockTimeout: input.lockTimeout,
          locks: [...new Set(input.sql.upgrade.map((s) => s.lock).filter((l) => l !== 'none' && !l.endsWith('(new)')))],
          ...deployOrder(plan),
          outsideTransaction: input.sql.upgrade.filter((s) => !s.transactional).length,
        }
      : null,
    rollback: hasChange ? { command: `alembic downgrade ${downTarget}`, cannotRestore: cannotRestore(plan) } : null,
    confirmations: openConfirmations(plan).map(spell),
  };
}

function statusOf(input: ReportInput): ReportStatus {
  if (input.plan.refused) return 'refused';
  if (!input.plan.operations.length) return 'no-changes';
  if (!input.verification) return 'not-verified';
  return input.verification.passed ? 'verified' : 'verification-failed';
}

function summary(plan: Plan, spell: (c: Confirmation) => string): string[] {
  if (!plan.operations.length) return ['The schema the models describe does not change.'];
  const lines = plan.operations.map((o) => `${capitalise(o.summary)}.`);
  for (const r of plan.possibleRenames) {
    const from = r.kind === 'column' ? `${r.table}.${r.from}` : r.from;
    lines.push(`${from} → ${r.to} may be a rename: until confirmed (${spell(r.confirmation)}) it is a drop and an add.`);
  }
  return lines;
}

function risk(f: Finding): ReportRisk {
  const subject = [f.table, f.column].filter(Boolean).join('.');
  return {
    severity: f.severity,
    rule: f.rule,
    what: `${f.rule}${subject ? ` on ${subject}` : ''}`,
    why: f.message,
    safeAlternative: f.fix,
    location: f.location,
    confirmed: f.confirmed,
  };
}

/** Any one confirmation of each refusing finding, without repeats. */
function openConfirmations(plan: Plan): Confirmation[] {
  const seen = new Map<string, Confirmation>();
  for (const f of plan.findings) {
    if (f.severity !== 'error' || f.confirmed) continue;
    for (const c of f.confirmations) seen.set(confirmationFlag(c), c);
  }
  return [...seen.values()];
}

const REMOVING = new Set<Operation['kind']>(['dropTable', 'dropColumn', 'dropEnum']);
const ADDING = new Set<Operation['kind']>(['createTable', 'addColumn', 'createEnum', 'addEnumValue']);

/**
 * SQLAlchemy selects every mapped column, so code still running the old models breaks as
 * soon as a column it maps is dropped or renamed; code running new models breaks while a
 * column it maps does not exist yet.
 */
function deployOrder(plan: Plan): { deployOrder: DeployOrder; deployNote: string } {
  const ops = plan.operations.flatMap((o) => o.upgrade);
  const renames = ops.some((o) => o.kind === 'renameTable' || (o.kind === 'alterColumn' && o.change.kind === 'rename'));
  const removes = ops.some((o) => REMOVING.has(o.kind) || (o.kind === 'rebuildEnum'));
  const adds = ops.some((o) => ADDING.has(o.kind));
  if (renames || (removes && adds)) {
    return {
      deployOrder: 'expand-contract',
      deployNote:
        'Old code breaks once the migration runs and new code breaks until it has: deploy code and migration together in a quiet window, or split the change (expand, deploy, contract).',
    };
  }
  if (removes) {
    return { deployOrder: 'code-first', deployNote: 'Deploy the code that no longer uses the removed tables, columns or enum values first, then run the migration.' };
  }
  if (adds) {
    return { deployOrder: 'migration-first', deployNote: 'Run the migration first, then deploy the code that uses the new schema.' };
  }
  return { deployOrder: 'either', deployNote: 'Running code does not notice this change: deploy in either order.' };
}

/** What a downgrade cannot bring back. */
function cannotRestore(plan: Plan): string[] {
  const out: string[] = [];
  for (const op of plan.operations) {
    for (const o of op.upgrade) {
      if (o.kind === 'dropTable') out.push(`The rows of table ${o.table.name}: the upgrade drops it, a downgrade recreates it empty.`);
      if (o.kind === 'dropColumn') out.push(`The values of ${o.table}.${o.column.name}: the upgrade drops the column, a downgrade brings it back empty${o.column.nullable ? '' : ' (or with its default)'}.`);
      if (o.kind === 'rebuildEnum') out.push(`Rows that held the removed values of enum type ${o.enum.name}.`);
    }
    for (const o of op.downgrade) {
      if (o.kind === 'dropColumn') out.push(`Values written to ${o.table}.${o.column.name} after the upgrade: a downgrade drops the column.`);
      if (o.kind === 'dropTable') out.push(`Rows written to table ${o.table.name} after the upgrade: a downgrade drops it.`);
    }
  }
  for (const f of plan.findings) {
    if (f.rule === 'narrow-type') out.push(`Values of ${f.table}.${f.column} the narrower type truncated or rounded.`);
  }
  return [...new Set(out)];
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The report of `verify --revision`: an existing revision file, verified on its own. */
export function buildRevisionReport(input: {
  revision: { path: string; id: string; downRevisions: string[]; content: string };
  verification: Verification;
}): Report {
  const { revision, verification } = input;
  const down = revision.downRevisions.length ? revision.downRevisions.join(', ') : null;
  return {
    status: verification.passed ? 'verified' : 'verification-failed',
    summary: [`Revision ${revision.id} (${revision.path}), revising ${down ?? 'nothing: the first revision'}, run by Alembic on a base replayed from the chain before it.`],
    migration: { path: revision.path, revision: revision.id, downRevision: down, content: revision.content, statements: [] },
    verification,
    verificationSkipped: null,
    risks: [],
    execution: {
      command: `alembic upgrade ${revision.id}`,
      lockTimeout: null,
      locks: [],
      deployOrder: 'either',
      deployNote: 'The revision was not planned from models: check by hand which code must deploy first.',
      outsideTransaction: 0,
    },
    rollback: { command: `alembic downgrade ${revision.downRevisions.length === 1 ? revision.downRevisions[0] : revision.downRevisions.length ? `${revision.id}-1` : 'base'}`, cannotRestore: [] },
    confirmations: [],
  };
}

/**
 * The report a person acts on: the fifth stage. Built once from the plan, the rendered
 * migration and the verification, then rendered as markdown (the pull-request comment),
 * terminal text or JSON, so every surface says the same thing.
 *
 * Its parts, in the order the Flow team asked for: summary, migration, verification, risks,
 * execution steps, rollback, and the confirmations still needed.
 */
import { confirmationCommand, confirmationFlag } from '../plan/confirmation.js';
import type { Confirmation, Finding, Operation, Plan, PlannedOperation } from '../plan/types.js';
import { formatType } from '../schema/format.js';
import type { SqlScript } from '../render/types.js';
import type { ColumnType, SourceLocation } from '../schema/model.js';
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
  /** The new code needs the change and the old code does not notice it (see `stepOrder`). */
  | 'migration-first'
  /** The old code breaks on the change and the new code works without it. */
  | 'code-first'
  /** Renames, changes both codes notice, or steps asking for both orders: none works. */
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
  /** False for a revision that was not planned from models: nobody checked its risks. */
  risksChecked: boolean;
  execution: {
    command: string;
    lockTimeout: string | null;
    /** The distinct locks the upgrade takes on tables that exist before it. */
    locks: string[];
    /** The same for the downgrade. */
    downgradeLocks: string[];
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
    risksChecked: true,
    execution: hasChange
      ? {
          command: `alembic upgrade ${upgradeTarget}`,
          lockTimeout: input.lockTimeout,
          locks: [...new Set(input.sql.upgrade.flatMap((s) => s.existingTableLocks))],
          downgradeLocks: [...new Set(input.sql.downgrade.flatMap((s) => s.existingTableLocks))],
          ...deployOrder(plan),
          outsideTransaction: input.sql.upgrade.filter((s) => !s.transactional).length,
        }
      : null,
    rollback: hasChange ? { command: `alembic downgrade ${downTarget}`, cannotRestore: cannotRestore(plan, input.sql) } : null,
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
    what: `${f.rule}${subject ? ` on ${subject}` : ''}${f.side === 'downgrade' ? ' (downgrade)' : ''}`,
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

type Order = Exclude<DeployOrder, 'either'>;

/** Whether two column types hold the same kind of Python value (str, int, Decimal, float, datetime …). */
function sameFamily(a: ColumnType, b: ColumnType): boolean {
  if (a.isEnum || b.isEnum || a.arrayDimensions !== b.arrayDimensions) return a.isEnum === b.isEnum && a.name === b.name;
  const family = (t: ColumnType) => TYPE_FAMILY[t.name] ?? t.name;
  return family(a) === family(b);
}

const TYPE_FAMILY: Record<string, string> = {
  text: 'string', 'character varying': 'string', character: 'string',
  smallint: 'integer', integer: 'integer', bigint: 'integer',
  real: 'float', 'double precision': 'float',
  'timestamp without time zone': 'timestamp', 'timestamp with time zone': 'timestamp',
  json: 'json', jsonb: 'json',
};

/**
 * The order one upgrade step asks for, and why, or null when running code cannot notice it.
 * SQLAlchemy selects and inserts every mapped column: code on the old models breaks once a
 * column it maps is dropped or renamed, or once the table rejects what it writes; code on the
 * new models breaks while what it maps or writes does not exist yet.
 */
function stepOrder(o: Operation, planned: PlannedOperation, findings: Finding[], newColumns: Set<string>): { order: Order; why: string } | null {
  const column = (table: string, name: string) => `${table}.${name}`;
  switch (o.kind) {
    case 'createExtension':
      return null;
    case 'createEnum':
    case 'createTable':
      return { order: 'migration-first', why: `the new code uses ${o.kind === 'createTable' ? `table ${o.table.name}` : `enum type ${o.enum.name}`}` };
    case 'addEnumValue':
      return { order: 'migration-first', why: `the new code may write ${o.value} to enum type ${o.enum.name}` };
    case 'rebuildEnum':
      return findings.some((f) => f.rule === 'enum-remove-value') ? { order: 'code-first', why: `the old code may still write the values enum type ${o.enum.name} loses` } : null;
    case 'dropTable':
      return { order: 'code-first', why: `the old code uses table ${o.table.name}` };
    case 'dropColumn':
      return { order: 'code-first', why: `the old code selects ${column(o.table, o.column.name)}` };
    case 'renameTable':
      return { order: 'expand-contract', why: `the old code uses ${o.from} and the new code ${o.to}` };
    case 'addColumn': {
      const name = column(o.table, o.column.name);
      const keepsNoDefault = planned.upgrade.some((x) => x.kind === 'alterColumn' && x.table === o.table && x.existing.name === o.column.name && x.change.kind === 'serverDefault' && x.change.serverDefault === null);
      const insertsFail = !o.column.nullable && !o.column.serial && !o.column.identity && !o.column.computed && (o.column.serverDefault === null || keepsNoDefault);
      return insertsFail
        ? { order: 'expand-contract', why: `the new code needs ${name}, and the old code's INSERTs fail once it exists (NOT NULL, no server default)` }
        : { order: 'migration-first', why: `the new code selects ${name}` };
    }
    case 'alterColumn': {
      const name = column(o.table, o.existing.name);
      const change = o.change;
      switch (change.kind) {
        case 'rename':
          return { order: 'expand-contract', why: `the old code selects ${name} and the new code ${column(o.table, change.newName)}` };
        case 'type': {
          if (!sameFamily(o.existing.type, change.type)) {
            return { order: 'expand-contract', why: `${name} changes from ${formatType(o.existing.type)} to ${formatType(change.type)}: each code writes and reads values of its own type` };
          }
          const narrows = findings.some((f) => f.rule === 'narrow-type' && f.column === o.existing.name);
          return narrows
            ? { order: 'code-first', why: `the old code may write values of ${name} that ${formatType(change.type)} rejects` }
            : { order: 'migration-first', why: `the new code may write values of ${name} that only ${formatType(change.type)} holds` };
        }
        case 'nullable':
          return change.nullable
            ? { order: 'migration-first', why: `the new code may write NULL to ${name}` }
            : { order: 'code-first', why: `the old code may write NULL to ${name}` };
        case 'serverDefault':
          // A nullable column takes NULL where no default fills it: nothing fails either way.
          if (newColumns.has(name) || o.existing.nullable) return null;
          return change.serverDefault === null
            ? { order: 'code-first', why: `the old code may leave NOT NULL ${name} to its server default` }
            : { order: 'migration-first', why: `the new code may leave NOT NULL ${name} to its server default` };
        case 'comment':
          return null;
      }
      return null;
    }
    case 'addConstraint': {
      const c = o.constraint;
      const columns = 'columns' in c ? c.columns : [];
      if (c.kind === 'check' || !columns.length || columns.every((x) => newColumns.has(column(o.table, x)))) {
        return c.kind === 'check' ? { order: 'code-first', why: `the old code may write rows check ${c.name} rejects` } : null;
      }
      return { order: 'code-first', why: `the old code may write rows ${c.name} rejects` };
    }
    case 'createIndex':
      return o.index.unique && !o.index.elements.every((e) => 'column' in e && newColumns.has(column(o.table, e.column)))
        ? { order: 'code-first', why: `the old code may write duplicates unique index ${o.index.name} rejects` }
        : null;
    case 'changeNumbering':
      if (o.to.kind === 'none') return { order: 'code-first', why: `the old code leaves ${column(o.table, o.column)} to be numbered` };
      return o.from.kind === 'none' ? { order: 'migration-first', why: `the new code leaves ${column(o.table, o.column)} to be numbered` } : null;
    case 'dropExpression':
      return { order: 'migration-first', why: `the new code may write ${column(o.table, o.column)}` };
    case 'dropEnum':
    case 'setTableComment':
    case 'backfill':
    case 'dropIndex':
    case 'dropConstraint':
    case 'renameIndex':
    case 'renameConstraint':
    case 'renameSequence':
    case 'setSequenceType':
      return null;
  }
}

/** Every step's order together: one both ways, or a rename, leaves no single order that works. */
function deployOrder(plan: Plan): { deployOrder: DeployOrder; deployNote: string } {
  const newColumns = new Set(plan.operations.flatMap((p) => p.upgrade.flatMap((o) => (o.kind === 'addColumn' ? [`${o.table}.${o.column.name}`] : []))));
  const asks = plan.operations.flatMap((planned, index) => {
    const findings = plan.findings.filter((f) => f.operation === index && f.side === 'upgrade');
    return planned.upgrade.flatMap((o) => stepOrder(o, planned, findings, newColumns) ?? []);
  });
  const orders = new Set(asks.map((a) => a.order));
  const order: DeployOrder = orders.has('expand-contract') || orders.size > 1 ? 'expand-contract' : ([...orders][0] ?? 'either');
  const why = [...new Set(asks.filter((a) => order === 'expand-contract' || a.order === order).map((a) => a.why))];
  const because = why.length ? ` Because ${why.join('; ')}.` : '';
  switch (order) {
    case 'expand-contract':
      return {
        deployOrder: order,
        deployNote: `Neither order keeps running code working: deploy code and migration together in a quiet window, or split the change (expand, deploy, contract).${because}`,
      };
    case 'code-first':
      return { deployOrder: order, deployNote: `Deploy the code first, then run the migration.${because}` };
    case 'migration-first':
      return { deployOrder: order, deployNote: `Run the migration first, then deploy the code.${because}` };
    case 'either':
      return { deployOrder: order, deployNote: 'Running code does not notice this change: deploy in either order.' };
  }
}

/** What a downgrade cannot bring back, or what makes it fail, naming the statement. */
function cannotRestore(plan: Plan, sql: SqlScript): string[] {
  const out: string[] = [];
  const statementOf = (index: number, match: (s: string) => boolean) => sql.downgrade.find((s) => s.operation === index && match(s.sql))?.sql;
  plan.operations.forEach((op, index) => {
    for (const o of op.upgrade) {
      if (o.kind === 'dropTable') out.push(`The rows of table ${o.table.name}: the upgrade drops it, a downgrade recreates it empty.`);
      if (o.kind === 'dropColumn') out.push(`The values of ${o.table}.${o.column.name}: the upgrade drops the column, a downgrade brings it back empty${o.column.nullable ? '' : ' (or with its default)'}.`);
      if (o.kind === 'rebuildEnum' && plan.findings.some((f) => f.operation === index && f.rule === 'enum-remove-value')) out.push(`Rows that held the removed values of enum type ${o.enum.name}.`);
      if (o.kind === 'backfill') out.push(`The NULLs of ${o.table}.${o.column}: the upgrade fills them with ${o.value}, and they stay filled after a downgrade.`);
    }
    for (const o of op.downgrade) {
      if (o.kind === 'dropColumn') out.push(`Values written to ${o.table}.${o.column.name} after the upgrade: a downgrade drops the column.`);
      if (o.kind === 'dropTable') out.push(`Rows written to table ${o.table.name} after the upgrade: a downgrade drops it.`);
    }
  });
  for (const f of plan.findings) {
    if (f.rule === 'narrow-type' && f.side === 'upgrade') out.push(`Values of ${f.table}.${f.column} the narrower type truncated or rounded.`);
    if (f.side !== 'downgrade' || f.operation === null) continue;
    const name = `${f.table}.${f.column}`;
    if (f.rule === 'narrow-type' || f.rule === 'change-type-rewrite') {
      // A rewrite back loses nothing unless it needs a cast, which may fail.
      const statement = statementOf(f.operation, (s) => / ALTER COLUMN .* TYPE /.test(s) && (f.rule === 'narrow-type' || s.includes(' USING ')));
      if (statement) out.push(`Values written to ${name} since the upgrade that the old type cannot hold: the downgrade fails at \`${statement}\`.`);
    }
    if (f.rule === 'set-not-null') {
      const statement = statementOf(f.operation, (s) => s.endsWith('SET NOT NULL'));
      if (statement && !sql.downgrade.some((s) => s.operation === f.operation && s.sql.startsWith('UPDATE'))) {
        out.push(`NULLs written to ${name} since the upgrade: the downgrade fails at \`${statement}\`.`);
      }
    }
    if (f.rule === 'add-unique-constraint' || f.rule === 'add-check' || f.rule === 'add-foreign-key') {
      const statement = statementOf(f.operation, (s) => s.includes(' ADD CONSTRAINT '));
      if (statement) out.push(`Rows written since the upgrade that break the constraint it re-adds: the downgrade fails at \`${statement}\`.`);
    }
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
  /** `--allow-data-loss`: the seeded values the upgrade removes may be lost. */
  allowDataLoss: boolean;
}): Report {
  const { revision, verification, allowDataLoss } = input;
  const down = revision.downRevisions.length ? revision.downRevisions.join(', ') : null;
  const { lost } = verification;
  const refused = verification.passed && lost.length > 0 && !allowDataLoss;
  return {
    status: refused ? 'refused' : verification.passed ? 'verified' : 'verification-failed',
    summary: [
      `Revision ${revision.id} (${revision.path}), revising ${down ?? 'nothing: the first revision'}, run by Alembic on a base replayed from the chain before it.`,
      ...(lost.length ? [`The upgrade loses data: ${lost.join('; ')}.`] : []),
    ],
    migration: { path: revision.path, revision: revision.id, downRevision: down, content: revision.content, statements: [] },
    verification,
    verificationSkipped: null,
    risks: lost.map((what) => ({
      severity: 'error' as const,
      rule: 'data-loss',
      what,
      why: 'the upgrade removes these seeded values and no column or table of the head holds them',
      safeAlternative: 'rename instead of dropping and adding (op.alter_column(..., new_column_name=...), op.rename_table), or copy the values before the drop',
      location: null,
      confirmed: allowDataLoss,
    })),
    risksChecked: false,
    execution: {
      command: `alembic upgrade ${revision.id}`,
      lockTimeout: null,
      locks: [],
      downgradeLocks: [],
      deployOrder: 'either',
      deployNote: 'The revision was not planned from models: check by hand which code must deploy first.',
      outsideTransaction: 0,
    },
    rollback: {
      command: `alembic downgrade ${revision.downRevisions.length === 1 ? revision.downRevisions[0] : revision.downRevisions.length ? `${revision.id}-1` : 'base'}`,
      cannotRestore: lost.map((what) => `the values of ${what}`),
    },
    confirmations: refused ? ['--allow-data-loss'] : [],
  };
}

import type { Severity, SourceLocation } from '../schema/model.js';
import type { Confirmation, Finding, RiskRuleId } from './types.js';

/**
 * The rule catalogue of ../shared/reference/risk-rules.md: severity and the safe alternative
 * for each rule. Lock levels follow https://www.postgresql.org/docs/current/explicit-locking.html.
 */
const RULES: Record<RiskRuleId, { severity: Severity; fix: string }> = {
  'drop-table': {
    severity: 'error',
    fix: 'Deploy code that no longer uses the table first, keep a backup, then confirm the drop.',
  },
  'drop-column': {
    severity: 'error',
    fix: 'Remove the column from the code first (expand/contract), then confirm the drop.',
  },
  'narrow-type': {
    severity: 'error',
    fix: 'Check that every existing value fits the new type (a staging dry run), then confirm.',
  },
  'unconfirmed-rename': {
    severity: 'error',
    fix: 'Confirm the rename (flag, `info={"renamed_from": ...}` in the model, or PR command) to keep the data.',
  },
  'enum-remove-value': {
    severity: 'error',
    fix: 'Migrate rows holding the value to another one first, then confirm.',
  },
  'rename-column': {
    severity: 'warning',
    fix: 'Use expand/contract (add the new column, dual-write, backfill, switch reads, drop the old one) or deploy code and migration together.',
  },
  'rename-table': {
    severity: 'warning',
    fix: 'Use expand/contract, or keep a view with the old name during the deploy.',
  },
  'change-type-rewrite': {
    severity: 'warning',
    fix: 'On a large table add a new column, backfill it in batches and swap; or accept a maintenance window.',
  },
  'change-type-cheap': { severity: 'info', fix: 'Nothing to do.' },
  'cast-needed': {
    severity: 'warning',
    fix: 'Check that every existing value casts (a staging dry run); the migration carries an explicit USING cast.',
  },
  'add-column-volatile-default': {
    severity: 'warning',
    fix: 'Add the column nullable, backfill it in batches, then set the default and NOT NULL.',
  },
  'add-column-default': { severity: 'info', fix: 'Nothing to do.' },
  'add-not-null-no-default': {
    severity: 'error',
    fix: 'Give the column a server_default=, or a literal default= to fill existing rows with, or make it nullable; if the table holds no rows, say so with --assume-empty.',
  },
  'add-not-null-python-default': {
    severity: 'warning',
    fix: 'Add server_default= to the model (the column keeps a database default), or add the column nullable, backfill it, and make it NOT NULL in a later revision.',
  },
  'set-not-null': {
    severity: 'warning',
    fix: 'On a large table add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (no scan on PostgreSQL 12+) and drop the check.',
  },
  'drop-not-null': {
    severity: 'info',
    fix: 'Code reading the column must handle NULL; the downgrade backfills from the old default or fails if NULLs exist and there is none.',
  },
  'add-foreign-key': {
    severity: 'warning',
    fix: 'On a large table add the constraint NOT VALID, then VALIDATE CONSTRAINT in a separate step.',
  },
  'add-check': {
    severity: 'warning',
    fix: 'On a large table add the constraint NOT VALID, then VALIDATE CONSTRAINT in a separate step.',
  },
  'add-unique-constraint': {
    severity: 'warning',
    fix: 'On a large table CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX.',
  },
  'add-primary-key': {
    severity: 'warning',
    fix: 'On a large table build a unique index concurrently, then ADD PRIMARY KEY USING INDEX.',
  },
  'create-index': {
    severity: 'warning',
    fix: 'On a large table build it with postgresql_concurrently=True inside autocommit_block().',
  },
  'drop-index': { severity: 'info', fix: 'On a busy table drop it CONCURRENTLY inside autocommit_block().' },
  'enum-add-value': {
    severity: 'info',
    fix: 'Nothing to do: the migration adds it inside autocommit_block(), so later steps can use it.',
  },
  'change-fk-action': {
    severity: 'warning',
    fix: 'On a large table re-add the constraint NOT VALID, then VALIDATE CONSTRAINT; check what deletes and updates will now do.',
  },
  'change-server-default': { severity: 'info', fix: 'Nothing to do.' },
  'no-lock-timeout': {
    severity: 'warning',
    fix: "Start the migration with SET lock_timeout (e.g. SET LOCAL lock_timeout = '5s').",
  },
};

export interface RiskInput {
  table: string | null;
  column?: string | null;
  location: SourceLocation | null;
  message: string;
  confirmations?: Confirmation[];
}

/** A finding not yet tied to its operation index, its side, or the options that may confirm it. */
export type DraftFinding = Omit<Finding, 'operation' | 'confirmed' | 'side'>;

export function risk(rule: RiskRuleId, input: RiskInput): DraftFinding {
  const { severity, fix } = RULES[rule];
  return {
    rule,
    severity,
    table: input.table,
    column: input.column ?? null,
    location: input.location,
    message: input.message,
    fix,
    confirmations: input.confirmations ?? (severity === 'error' ? [{ kind: 'allow-data-loss' }] : []),
  };
}

import { z } from 'zod';
import { formatLocated } from '../../core/errors.js';
import type { DiffResult } from '../../core/generate.js';
import { confirmationFlag, type Finding, type Plan } from '../../core/plan/index.js';
import type { SqlScript, SqlStatement } from '../../core/render/index.js';
import type { Diagnostic, SourceLocation } from '../../core/schema/model.js';
import { displayLocation, type CliIO } from './io.js';

const locationSchema = z.object({ file: z.string(), line: z.number().int(), column: z.number().int() }).strict();
const severitySchema = z.enum(['error', 'warning', 'info']);

/**
 * What `diff --json` prints and `generate --json` extends: a contract scripts depend on, so
 * it is a schema of its own (the README documents it, tests validate output against it),
 * built field by field rather than dumped from the planner's internal types.
 */
export const diffJsonSchema = z
  .object({
    operations: z.array(
      z
        .object({
          summary: z.string(),
          table: z.string().nullable(),
          /** The PostgreSQL statements of this change, upgrade and downgrade. */
          upgrade: z.array(z.string()),
          downgrade: z.array(z.string()),
        })
        .strict(),
    ),
    findings: z.array(
      z
        .object({
          rule: z.string(),
          severity: severitySchema,
          table: z.string().nullable(),
          column: z.string().nullable(),
          location: locationSchema.nullable(),
          message: z.string(),
          fix: z.string(),
          /** Command-line flags, any one of which confirms this finding. */
          confirmations: z.array(z.string()),
          confirmed: z.boolean(),
          /** Which side of the revision runs the statement; a downgrade finding never refuses. */
          side: z.enum(['upgrade', 'downgrade']),
        })
        .strict(),
    ),
    possibleRenames: z.array(
      z
        .object({
          kind: z.enum(['column', 'table']),
          table: z.string(),
          from: z.string(),
          to: z.string(),
          confirmation: z.string(),
        })
        .strict(),
    ),
    refused: z.boolean(),
    diagnostics: z.array(
      z
        .object({ severity: severitySchema, code: z.string(), message: z.string(), location: locationSchema.nullable() })
        .strict(),
    ),
  })
  .strict();
export type DiffJson = z.infer<typeof diffJsonSchema>;

/** `diff --json` plus what generate decided and the file it produced. */
export const generateJsonSchema = diffJsonSchema
  .extend({
    status: z.enum(['unreadable', 'no-changes', 'refused', 'ready']),
    revision: z
      .object({
        id: z.string(),
        downRevision: z.string().nullable(),
        message: z.string(),
        fileName: z.string(),
        /** Where it is (with --write) or would be written. */
        path: z.string(),
        written: z.boolean(),
        content: z.string(),
      })
      .strict()
      .nullable(),
    sql: z.object({ upgrade: z.array(z.string()), downgrade: z.array(z.string()) }).strict().nullable(),
  })
  .strict();
export type GenerateJson = z.infer<typeof generateJsonSchema>;

export function diffJson(diff: DiffResult, io: CliIO): DiffJson {
  const where = (l: SourceLocation | null) => (l ? displayLocation(l, io) : null);
  const statementsOf = (list: SqlStatement[], index: number) => list.filter((s) => s.operation === index).map((s) => s.sql);
  return {
    operations: diff.plan.operations.map((op, index) => ({
      summary: op.summary,
      table: op.table,
      upgrade: statementsOf(diff.sql.upgrade, index),
      downgrade: statementsOf(diff.sql.downgrade, index),
    })),
    findings: diff.plan.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      table: f.table,
      column: f.column,
      location: where(f.location),
      message: f.message,
      fix: f.fix,
      confirmations: f.confirmations.map(confirmationFlag),
      confirmed: f.confirmed,
      side: f.side,
    })),
    possibleRenames: diff.plan.possibleRenames.map((r) => ({
      kind: r.kind,
      table: r.table,
      from: r.from,
      to: r.to,
      confirmation: confirmationFlag(r.confirmation),
    })),
    refused: diff.plan.refused,
    diagnostics: diff.diagnostics.map((d) => ({ ...d, location: where(d.location) })),
  };
}

export function formatDiagnostics(diagnostics: Diagnostic[], io: CliIO): string {
  return diagnostics
    .map((d) => `${formatLocated(`${d.severity}: ${d.message} [${d.code}]`, d.location && displayLocation(d.location, io))}\n`)
    .join('');
}

/** One finding as a person reads it: where, what, the safe alternative, and how to confirm it. */
export function formatFinding(finding: Finding, io: CliIO): string {
  const subject = [finding.table, finding.column].filter(Boolean).join('.');
  const head = formatLocated(
    `${finding.severity}: ${finding.rule}${subject ? ` (${subject})` : ''}: ${finding.message}`,
    finding.location && displayLocation(finding.location, io),
  );
  const lines = [head, `  fix: ${finding.fix}`];
  if (finding.severity === 'error' && !finding.confirmed) {
    lines.push(
      finding.confirmations.length
        ? `  confirm with: ${finding.confirmations.map(confirmationFlag).join(' or ')}`
        : '  no flag confirms this: change the model',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Why a plan is refused, as `generate` and the hook say it: a count of the changes that await
 * a confirmation, since not every refusal loses data (a NOT NULL column without a default
 * needs a value for existing rows); each finding's own lines say what.
 */
export function refusalReason(plan: Plan): string {
  const open = plan.findings.filter((f) => f.severity === 'error' && !f.confirmed).length;
  return `${open} change${open === 1 ? '' : 's'} need${open === 1 ? 's' : ''} a confirmation`;
}

export function formatDiff(diff: DiffResult, io: CliIO): string {
  const out: string[] = [];
  const ops = diff.plan.operations;
  out.push(ops.length ? `${ops.length} change${ops.length === 1 ? '' : 's'}:\n` : 'no schema changes\n');
  ops.forEach((op, i) => out.push(`  ${i + 1}. ${op.summary}\n`));
  if (diff.plan.possibleRenames.length) {
    out.push('\npossible renames (treated as drop + add until confirmed):\n');
    for (const r of diff.plan.possibleRenames) {
      const from = r.kind === 'column' ? `${r.table}.${r.from}` : r.from;
      const to = r.kind === 'column' ? `${r.table}.${r.to}` : r.to;
      out.push(`  ${from} -> ${to}: confirm with ${confirmationFlag(r.confirmation)}\n`);
    }
  }
  if (diff.plan.findings.length) {
    out.push('\nfindings:\n');
    for (const f of diff.plan.findings) out.push(formatFinding(f, io));
  }
  if (diff.plan.refused) out.push('\nrefused: nothing can be generated until the errors above are confirmed\n');
  return out.join('');
}

/** The script as one SQL file: upgrade, then downgrade, marking statements that cannot run in a transaction. */
export function formatSql(sql: SqlScript): string {
  const part = (title: string, statements: SqlStatement[]) => [
    `-- ${title}`,
    ...statements.map((s) => `${s.transactional ? '' : '-- runs outside a transaction\n'}${s.sql};`),
  ];
  return `${[...part('upgrade', sql.upgrade), '', ...part('downgrade', sql.downgrade)].join('\n')}\n`;
}

/** A path as people read it: relative to where they are, unless it lies outside. */
export function displayPath(file: string, io: CliIO): string {
  return displayLocation({ file, line: 1, column: 1 }, io).file;
}

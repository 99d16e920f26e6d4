import { formatLocated } from '../../../core/errors.js';
import type { GenerateResult } from '../../../core/generate.js';
import { confirmationCommand, type Finding } from '../../../core/plan/index.js';
import type { SqlStatement } from '../../../core/render/index.js';
import type { MigrationStatus, VerificationOutcome } from '../pipeline.js';
import { fitMarkdown } from '../utils/limits.js';

export interface ReportInput {
  status: MigrationStatus;
  generated: GenerateResult;
  verification: VerificationOutcome | null;
  /** The `lock_timeout` every statement runs under, or null when none is set. */
  lockTimeout: string | null;
}

const HEADLINES: Record<MigrationStatus, string> = {
  'no-changes': ':white_check_mark: The models changed, but the database schema does not.',
  verified: ':white_check_mark: The migration below was verified on PostgreSQL (upgrade → downgrade → upgrade).',
  'not-verified': ':warning: The migration below was **not verified**: do not apply it until it is.',
  'needs-confirmation': ':raised_hand: This change needs a confirmation before a migration can be written.',
  'verification-failed': ':x: The migration below **failed verification** on PostgreSQL.',
  unreadable: ':x: The models cannot be read, so no migration was planned.',
};

/**
 * The pull-request report in markdown, at most `budget` characters: when the whole report
 * does not fit, the migration file and the statement list give way first (the backend pull
 * request and the check run carry the full file), then the rest is cut at a line end.
 */
export function renderReport(input: ReportInput, budget: number): string {
  const full = sections(input, { file: true, statements: Infinity }).join('\n\n');
  if (full.length <= budget) return full;
  const short = sections(input, { file: false, statements: 30 }).join('\n\n');
  return fitMarkdown(short, budget, 'the check run "Database migration" has the rest');
}

function sections(input: ReportInput, room: { file: boolean; statements: number }): string[] {
  const { generated } = input;
  const out = [`## Database migration\n\n${HEADLINES[input.status]}`];
  if (input.status === 'unreadable') {
    const errors = generated.diagnostics.filter((d) => d.severity === 'error');
    out.push(['```', ...errors.map((d) => formatLocated(d.message, d.location)), '```'].join('\n'));
    return out;
  }
  out.push(summary(generated));
  if (generated.plan.findings.length) out.push(risks(generated.plan.findings));
  if (generated.status !== 'ready') return out;

  out.push(statements(generated.sql.upgrade, input.lockTimeout, room.statements));
  const lines = generated.revision.content.split('\n').length;
  out.push(
    room.file
      ? `<details><summary>Migration file <code>${generated.revision.path}</code> (${lines} lines)</summary>\n\n` +
          `\`\`\`python\n${generated.revision.content.trimEnd()}\n\`\`\`\n\n</details>`
      : `Migration file \`${generated.revision.path}\` (${lines} lines): too large for this comment; ` +
          'it is in the backend pull request and the check run "Database migration".',
  );
  out.push(verification(input.verification));
  out.push(execution(generated.revision.path, generated.revision.id, generated.downRevision));
  return out;
}

function summary(generated: GenerateResult): string {
  const ops = generated.plan.operations;
  const lines = ['### What changes in the database'];
  if (!ops.length) lines.push('Nothing: the schema the models describe is the same.');
  ops.forEach((op, i) => lines.push(`${i + 1}. ${capitalise(op.summary)}.`));
  for (const r of generated.plan.possibleRenames) {
    lines.push(
      `- \`${r.kind === 'column' ? `${r.table}.${r.from}` : r.from}\` → \`${r.to}\` may be a rename; ` +
        `until confirmed it is a drop and an add. Confirm with \`${confirmationCommand(r.confirmation)}\`.`,
    );
  }
  return lines.join('\n');
}

function risks(findings: Finding[]): string {
  const rows = findings.map((f) => {
    const where = f.location ? `\`${f.location.file}:${f.location.line}\`` : '';
    const what = [f.table, f.column].filter(Boolean).join('.');
    const state = f.severity === 'error' ? (f.confirmed ? ' (confirmed)' : ' (refused until confirmed)') : '';
    return `| ${f.severity}${state} | ${cell(`${f.rule}${what ? ` on ${what}` : ''}`)} | ${cell(f.message)} | ${cell(f.fix)} | ${where} |`;
  });
  return ['### Risks', '| severity | what | why | safe alternative | model |', '|---|---|---|---|---|', ...rows].join('\n');
}

function statements(upgrade: SqlStatement[], lockTimeout: string | null, limit: number): string {
  const steps = upgrade.filter((s) => s.operation !== null);
  const timeout = lockTimeout ? `lock_timeout ${lockTimeout}` : 'none set';
  const rows = steps
    .slice(0, limit)
    .map(
      (s, i) =>
        `| ${i + 1} | \`${cell(oneLine(s.sql))}\` | ${cell(s.lock)} | ${timeout} | ${s.transactional ? 'yes' : 'no (autocommit)'} |`,
    );
  const more = steps.length > limit ? [`\n…and ${steps.length - limit} more statements, listed in the migration file.`] : [];
  return ['### Statements, locks and timeouts', '| # | statement | lock taken | timeout | in the transaction |', '|---|---|---|---|---|', ...rows, ...more].join('\n');
}

function verification(outcome: VerificationOutcome | null): string {
  const lines = ['### Verification on PostgreSQL'];
  if (!outcome) return '';
  if (!outcome.ran) {
    lines.push(`Verification did not run: ${outcome.reason}. Nothing here has been tested on a database.`);
    return lines.join('\n');
  }
  outcome.steps.forEach((step, i) =>
    lines.push(`${i + 1}. ${step.passed ? ':white_check_mark:' : ':x:'} ${step.title}${step.detail ? ` — ${step.detail}` : ''}`),
  );
  return lines.join('\n');
}

function execution(path: string, revision: string, downRevision: string | null): string {
  return [
    '### How to run it',
    `1. Merge the backend pull request that adds \`${path}\`.`,
    '2. Take a backup (or check the latest one) of the production database.',
    '3. Deploy the backend code that works with both the old and the new schema.',
    `4. Run \`alembic upgrade ${revision}\` from the folder holding \`alembic.ini\`.`,
    '',
    '### How to roll it back',
    `Run \`alembic downgrade ${downRevision ?? 'base'}\`, then deploy the previous backend code. ` +
      'A downgrade cannot bring back data an upgrade deleted: restore it from the backup.',
  ].join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}…` : flat;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

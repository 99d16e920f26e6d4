import type { Difference, VerificationStep } from '../verify/round-trip.js';
import { capitalise, type Report, type ReportStatus } from './report.js';

/** GitHub rejects a comment body longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

const HEADLINES: Record<ReportStatus, string> = {
  'no-changes': ':white_check_mark: The models changed, but the database schema does not.',
  refused: ':raised_hand: This change needs a confirmation before a migration can be written (see the risks refused until confirmed).',
  'not-verified': ':warning: The migration below was **not verified** on PostgreSQL: do not apply it until it is.',
  verified: ':white_check_mark: The migration below was verified on PostgreSQL (upgrade → downgrade → upgrade, with seeded rows).',
  'verification-failed': ':x: The migration below **failed verification** on PostgreSQL.',
};

/** How much detail a rendering keeps; each level gives up more to fit the budget. */
interface Detail {
  file: boolean;
  statements: number;
  differencesPerStep: number;
  risks: number;
  summaryLines: number;
  timings: boolean;
}

const LEVELS: Detail[] = [
  { file: true, statements: Infinity, differencesPerStep: Infinity, risks: Infinity, summaryLines: Infinity, timings: true },
  { file: false, statements: 40, differencesPerStep: 20, risks: Infinity, summaryLines: Infinity, timings: true },
  { file: false, statements: 10, differencesPerStep: 5, risks: 30, summaryLines: 40, timings: false },
  { file: false, statements: 0, differencesPerStep: 3, risks: 10, summaryLines: 15, timings: false },
];

/**
 * The report as GitHub-flavoured markdown, never longer than `budget` characters: a change
 * too large for it is summarised (file, statements, differences and risks shortened, each
 * saying how many more there are), and as a last resort cut at a line end.
 */
export function renderMarkdownReport(report: Report, budget: number = GITHUB_COMMENT_LIMIT): string {
  for (const detail of LEVELS) {
    const text = sections(report, detail).join('\n\n');
    if (text.length <= budget) return text;
  }
  return cut(sections(report, LEVELS.at(-1)!).join('\n\n'), budget);
}

function sections(report: Report, detail: Detail): string[] {
  const out = [`## Database migration\n\n${HEADLINES[report.status]}`];
  out.push(['### Summary', ...limit(report.summary.map((s) => `- ${s}`), detail.summaryLines, 'more changes')].join('\n'));
  if (report.confirmations.length) {
    out.push(['### Confirmations needed', 'Any one of these lets the change through:', ...report.confirmations.map((c) => `- \`${c}\``)].join('\n'));
  }
  if (report.migration) out.push(migration(report, detail));
  if (report.verification || report.verificationSkipped) out.push(verification(report, detail));
  if (report.migration || report.risks.length) out.push(risks(report, detail));
  if (report.execution) {
    const e = report.execution;
    const lines = [
      '### How to run it',
      `1. ${e.deployNote}`,
      `2. From the folder holding \`alembic.ini\`: \`${e.command}\`.`,
      `- Lock timeout: ${e.lockTimeout ? `\`${e.lockTimeout}\`` : 'none set'}.`,
    ];
    if (e.downgradeLocks.length) lines.push(`- A downgrade locks: ${e.downgradeLocks.map((l) => `\`${l}\``).join(', ')}.`);
    if (e.outsideTransaction) lines.push(`- ${e.outsideTransaction} statement(s) run outside the transaction: if one fails, the steps before it stay applied.`);
    out.push(lines.join('\n'));
  }
  if (report.rollback) {
    const lines = ['### How to roll it back', `\`${report.rollback.command}\`, then deploy the previous code.`];
    if (report.rollback.cannotRestore.length) {
      lines.push('', 'A downgrade cannot bring back:', ...report.rollback.cannotRestore.map((c) => `- ${c}`));
    }
    out.push(lines.join('\n'));
  }
  return out;
}

function migration(report: Report, detail: Detail): string {
  const m = report.migration!;
  const lines = ['### Migration'];
  if (m.path) lines.push(`Revision \`${m.revision}\` (revises \`${m.downRevision ?? 'nothing: the first revision'}\`) in \`${m.path}\`.`);
  if (m.content !== null) {
    const length = m.content.split('\n').length;
    lines.push(
      detail.file
        ? `<details><summary>The revision file (${length} lines)</summary>\n\n${fence('python', m.content)}\n\n</details>`
        : `The revision file (${length} lines) is too large for this comment; it is in the backend pull request.`,
    );
  }
  if (detail.statements > 0 && m.statements.length) {
    const rows = m.statements.slice(0, detail.statements).map((s, i) => `| ${i + 1} | \`${cell(oneLine(s.sql))}\` | ${cell(s.lock)} | ${s.transactional ? 'yes' : 'no'} |`);
    lines.push('', '| # | upgrade statement | lock | in the transaction |', '|---|---|---|---|', ...rows);
    if (m.statements.length > detail.statements) lines.push(`\n…and ${m.statements.length - detail.statements} more statements.`);
  }
  return lines.join('\n');
}

function verification(report: Report, detail: Detail): string {
  const lines = ['### Verification on PostgreSQL'];
  const v = report.verification;
  if (!v) {
    lines.push(`Verification did not run: ${report.verificationSkipped}.`);
    return lines.join('\n');
  }
  const seeded = v.seeded.reduce((n, t) => n + t.rows, 0);
  lines.push(`Runner \`${v.runner}\`, base built from the ${v.base === 'chain' ? "backend's migration chain" : 'base models'}, ${plural(seeded, 'row')} seeded in ${plural(v.seeded.length, 'table')}.`);
  v.steps.forEach((s, i) => lines.push(stepLine(s, i, detail)));
  for (const note of v.seedNotes) lines.push(`- note: ${note}`);
  return lines.join('\n');
}

const MARKS = { passed: ':white_check_mark:', failed: ':x:', skipped: ':heavy_minus_sign:' } as const;

function stepLine(s: VerificationStep, i: number, detail: Detail): string {
  const time = s.status === 'skipped' ? ' (not run)' : detail.timings ? ` — ${s.ms} ms` : '';
  const lines = [`${i + 1}. ${MARKS[s.status]} ${capitalise(s.title)}${time}`];
  const diffs = limit(s.differences.map(difference), detail.differencesPerStep, 'more differences');
  lines.push(...diffs.map((d) => `   - ${d}`));
  lines.push(...limit(s.notes.map((n) => `note: ${cell(n)}`), detail.differencesPerStep, 'more notes').map((n) => `   - ${n}`));
  if (detail.timings && s.status !== 'skipped') {
    if (s.statements.length && s.name !== 'seed') {
      lines.push(`   <details><summary>${plural(s.statements.length, 'statement')}</summary>\n\n${s.statements.map((x) => `   - ${x.ms} ms \`${cell(oneLine(x.sql))}\``).join('\n')}\n\n   </details>`);
    }
  }
  return lines.join('\n');
}

function difference(d: Difference): string {
  return `${d.kind} \`${d.subject}\`: ${cell(d.message)}`;
}

/** Always shown for a change: with nothing risky it says so, and still lists the locks. */
function risks(report: Report, detail: Detail): string {
  const locks = report.execution?.locks ?? [];
  const lockLine = `Locks on existing tables: ${locks.length ? locks.map((l) => `\`${l}\``).join(', ') : 'none'}.`;
  const notChecked = 'Not checked: the revision was not planned from models.';
  if (!report.risksChecked && !report.risks.length) return `### Risks\n${notChecked}`;
  if (!report.risks.length) return ['### Risks', `Nothing risky found. ${lockLine}`].join('\n');
  const rows = report.risks.slice(0, detail.risks).map((r) => {
    const where = r.location ? `\`${r.location.file}:${r.location.line}\`` : '';
    const state = r.severity === 'error' ? (r.confirmed ? ' (confirmed)' : ' (refused until confirmed)') : '';
    return `| ${r.severity}${state} | ${cell(r.what)} | ${cell(r.why)} | ${cell(r.safeAlternative)} | ${where} |`;
  });
  const more = report.risks.length > detail.risks ? [`\n…and ${report.risks.length - detail.risks} more risks.`] : [];
  // A refused change runs nothing, so it takes no locks to list.
  const intro = !report.risksChecked ? [notChecked, ''] : report.execution ? [lockLine, ''] : [];
  return ['### Risks', ...intro, '| severity | what | why | safe alternative | model |', '|---|---|---|---|---|', ...rows, ...more].join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function limit(lines: string[], max: number, what: string): string[] {
  return lines.length > max ? [...lines.slice(0, max), `…and ${lines.length - max} ${what}.`] : lines;
}

/** A fence longer than any backtick run inside, so file content cannot close it. */
function fence(language: string, text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${text.trimEnd()}\n${ticks}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim().replaceAll('`', "'");
  return flat.length > 160 ? `${flat.slice(0, 157)}…` : flat;
}

/** The last resort: cut at a line end, close an open fence or details, say so. */
function cut(markdown: string, budget: number): string {
  const notice = '\n\n_The report was cut to fit; run `flow-migrate verify` for all of it._';
  let text = markdown.slice(0, Math.max(0, budget - notice.length - 32));
  const end = text.lastIndexOf('\n');
  if (end > 0) text = text.slice(0, end);
  if ((text.match(/^\s*```/gm)?.length ?? 0) % 2 === 1) text += '\n```';
  const open = (text.match(/<details>/g)?.length ?? 0) - (text.match(/<\/details>/g)?.length ?? 0);
  if (open > 0) text += '\n</details>'.repeat(open);
  return (text + notice).slice(0, budget);
}

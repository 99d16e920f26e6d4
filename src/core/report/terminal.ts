import pc from 'picocolors';
import { formatLocated } from '../errors.js';
import { capitalise, type Report, type ReportStatus } from './report.js';

const HEADLINES: Record<ReportStatus, string> = {
  'no-changes': 'no schema changes',
  refused: 'refused: this change needs a confirmation (see the risks refused until confirmed)',
  'not-verified': 'not verified: do not apply this migration until it is',
  verified: 'verified on PostgreSQL (upgrade → downgrade → upgrade, with seeded rows)',
  'verification-failed': 'FAILED verification on PostgreSQL',
};

/** The report for a terminal: the same parts as the markdown, coloured when `color`. */
export function renderTerminalReport(report: Report, options: { color: boolean }): string {
  const c = pc.createColors(options.color);
  const good = report.status === 'verified' || report.status === 'no-changes';
  const out: string[] = [(good ? c.green : report.status === 'not-verified' ? c.yellow : c.red)(c.bold(HEADLINES[report.status]))];
  const heading = (text: string) => `\n${c.bold(text)}`;

  out.push(heading('Summary'), ...report.summary.map((s) => `  ${s}`));
  if (report.confirmations.length) {
    out.push(heading('Confirmations needed (any one of)'), ...report.confirmations.map((x) => `  ${c.cyan(x)}`));
  }
  if (report.migration) {
    out.push(heading('Migration'));
    if (report.migration.path) out.push(`  ${report.migration.path} (revision ${report.migration.revision}, revises ${report.migration.downRevision ?? 'nothing'})`);
    report.migration.statements.forEach((s, i) =>
      out.push(`  ${String(i + 1).padStart(2)}. ${s.sql.replace(/\s+/g, ' ')}${c.dim(`  [${s.lock}${s.transactional ? '' : ', outside the transaction'}]`)}`),
    );
  }
  const v = report.verification;
  if (v) {
    out.push(heading(`Verification (runner ${v.runner}, base from the ${v.base === 'chain' ? 'migration chain' : 'models'})`));
    v.steps.forEach((s, i) => {
      const mark = s.status === 'passed' ? c.green('✓') : s.status === 'failed' ? c.red('✗') : c.dim('-');
      out.push(`  ${mark} ${i + 1}. ${capitalise(s.title)}${s.status === 'skipped' ? c.dim(' (not run)') : c.dim(` ${s.ms} ms`)}`);
      for (const d of s.differences) out.push(`      ${c.red(d.kind)} ${d.subject}: ${d.message.replace(/\n/g, '\n        ')}`);
      for (const n of s.notes) out.push(c.dim(`      note: ${n}`));
      for (const st of s.statements) {
        if (s.name !== 'seed') out.push(c.dim(`      ${st.ms} ms  ${st.sql.replace(/\s+/g, ' ').slice(0, 120)}`));
      }
    });
    for (const note of v.seedNotes) out.push(c.dim(`  note: ${note}`));
  } else if (report.verificationSkipped) {
    out.push(heading('Verification'), `  did not run: ${report.verificationSkipped}`);
  }
  if (report.migration || report.risks.length) {
    const locks = report.execution?.locks ?? [];
    out.push(heading('Risks'));
    if (!report.risksChecked) out.push('  not checked: the revision was not planned from models');
    else {
      if (!report.risks.length) out.push('  nothing risky found');
      if (report.execution) out.push(`  locks on existing tables: ${locks.length ? locks.join(', ') : 'none'}`);
    }
    for (const r of report.risks) {
      const colour = r.severity === 'error' ? c.red : r.severity === 'warning' ? c.yellow : c.dim;
      const state = r.severity === 'error' ? (r.confirmed ? ' (confirmed)' : ' (refused until confirmed)') : '';
      out.push(`  ${formatLocated(`${colour(r.severity)}${state}: ${r.what}: ${r.why}`, r.location)}`, `    safe alternative: ${r.safeAlternative}`);
    }
  }
  if (report.execution) {
    const e = report.execution;
    out.push(heading('How to run it'), `  ${e.deployNote}`, `  ${c.cyan(e.command)}`, `  lock timeout: ${e.lockTimeout ?? 'none set'}`);
    if (e.downgradeLocks.length) out.push(`  a downgrade locks: ${e.downgradeLocks.join(', ')}`);
    if (e.outsideTransaction) out.push(`  ${e.outsideTransaction} statement(s) run outside the transaction`);
  }
  if (report.rollback) {
    out.push(heading('How to roll it back'), `  ${c.cyan(report.rollback.command)}, then deploy the previous code`);
    if (report.rollback.cannotRestore.length) out.push('  a downgrade cannot bring back:', ...report.rollback.cannotRestore.map((x) => `    - ${x}`));
  }
  return `${out.join('\n')}\n`;
}

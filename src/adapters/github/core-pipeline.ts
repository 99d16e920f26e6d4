import { createHash } from 'node:crypto';
import { formatLocated } from '../../core/errors.js';
import { generateRevision, type GenerateRequest, type GenerateResult } from '../../core/generate.js';
import { confirmationCommand, type Confirmation, type Finding } from '../../core/plan/index.js';
import { lockTimeoutFor } from '../../core/render/sql.js';
import { buildReport, renderMarkdownReport } from '../../core/report/index.js';
import { ExtensionUnavailableError, type Verification } from '../../core/verify/round-trip.js';
import type { MigrationPipeline, MigrationPipelineInput, MigrationStatus, Verifier } from './pipeline.js';
import { dataLossFingerprint, isDataLoss } from './utils/data-loss.js';
import { redact } from './utils/redact.js';

/**
 * The bot's engine from the core stages: generate (read → plan → render, with the backend's
 * conventions), verify the rendered migration on PostgreSQL, and report. Without a verifier,
 * or when the database cannot be reached, the result is `not-verified`, never `verified`.
 */
export function corePipeline(verify: Verifier | null): MigrationPipeline {
  return async (input) => {
    const request: GenerateRequest = {
      base: input.baseModels,
      head: input.headModels,
      backend: input.backend,
      renames: input.renames,
      allowDataLoss: false,
      message: null,
      downRevision: null,
      randomId: () => stableRevisionId(input.revisionKey),
    };
    let generated = await generateRevision(request);
    if (generated.status === 'refused') generated = await applyConfirmedDataLoss(generated, request, input.confirmedDataLoss);
    const common = { findings: generated.plan.findings, diagnostics: generated.diagnostics };
    if (generated.status === 'unreadable') {
      return { ...common, status: 'unreadable', markdown: unreadableReport(generated), revisionFile: null, confirmations: [] };
    }
    const ready = generated.status === 'ready' ? generated : null;
    let verification: Verification | null = null;
    let verificationSkipped: string | null = null;
    if (ready) {
      ({ verification, verificationSkipped } = await runVerification(verify, input, ready));
    }
    const report = buildReport({
      plan: generated.plan,
      sql: generated.sql,
      revision: ready && {
        path: ready.revision.path,
        id: ready.revision.id,
        downRevision: ready.downRevision,
        content: ready.revision.content,
      },
      verification,
      verificationSkipped,
      lockTimeout: lockTimeoutFor(generated.plan, ready?.backend.style),
      confirmationStyle: 'pull-request',
    });
    const status: MigrationStatus = report.status === 'refused' ? 'needs-confirmation' : report.status;
    return {
      ...common,
      status,
      markdown: renderMarkdownReport(report, input.markdownBudget),
      revisionFile: ready && { path: ready.revision.path, content: ready.revision.content },
      confirmations: status === 'needs-confirmation' ? openConfirmations(generated) : [],
    };
  };
}

/**
 * The planner has one switch for data loss; the bot confirms finding by finding. When every
 * refusing finding is a data-loss one a person confirmed, the plan is made again with the
 * switch on, and kept only if that confirms nothing more. Otherwise the plan stays refused,
 * its confirmed findings marked so, and the report says what still awaits a confirmation.
 */
async function applyConfirmedDataLoss(
  refused: GenerateResult & { status: 'refused' },
  request: GenerateRequest,
  confirmedDataLoss: ReadonlySet<string>,
): Promise<GenerateResult> {
  const isConfirmed = (finding: Finding) => isDataLoss(finding) && confirmedDataLoss.has(dataLossFingerprint(finding));
  const open = refused.plan.findings.filter((f) => f.severity === 'error' && !f.confirmed && !isConfirmed(f));
  if (open.length === 0) {
    const allowed = await generateRevision({ ...request, allowDataLoss: true });
    if (allowed.plan.findings.every((f) => !f.confirmed || isConfirmed(f))) return allowed;
  }
  const findings = refused.plan.findings.map((f) => (isConfirmed(f) ? { ...f, confirmed: true } : f));
  return { ...refused, plan: { ...refused.plan, findings } };
}

async function runVerification(
  verify: Verifier | null,
  input: MigrationPipelineInput,
  ready: GenerateResult & { status: 'ready' },
): Promise<{ verification: Verification | null; verificationSkipped: string | null }> {
  if (!verify) return { verification: null, verificationSkipped: 'this installation of the bot has no verification database' };
  try {
    const verification = await verify({
      base: ready.schemas.base,
      head: ready.schemas.head,
      plan: ready.plan,
      sql: ready.sql,
      databaseUrl: input.databaseUrl,
    });
    return { verification, verificationSkipped: null };
  } catch (err) {
    if (err instanceof ExtensionUnavailableError) return { verification: null, verificationSkipped: err.message };
    // The database is infrastructure: when it is unreachable the migration is unverified, not wrong.
    const reason = redact(err instanceof Error ? err.message : String(err), [input.databaseUrl]);
    return { verification: null, verificationSkipped: `the verification database could not be used (${reason})` };
  }
}

function unreadableReport(generated: GenerateResult): string {
  const errors = generated.diagnostics.filter((d) => d.severity === 'error');
  return [
    '## Database migration',
    ':x: The models cannot be read, so no migration was planned:',
    ['```', ...errors.map((d) => formatLocated(d.message, d.location)), '```'].join('\n'),
  ].join('\n\n');
}

/** Any one confirmation of each refusing finding, without repeats, in finding order. */
function openConfirmations(generated: GenerateResult): Confirmation[] {
  const seen = new Map<string, Confirmation>();
  for (const finding of generated.plan.findings) {
    if (finding.severity !== 'error' || finding.confirmed) continue;
    for (const confirmation of finding.confirmations) seen.set(confirmationCommand(confirmation), confirmation);
  }
  return [...seen.values()];
}

/** Alembic's 12-hex-digit revision id, derived from the pull request instead of random. */
export function stableRevisionId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

import { createHash } from 'node:crypto';
import { generateRevision } from '../../core/generate.js';
import { confirmationCommand, type Confirmation } from '../../core/plan/index.js';
import { lockTimeoutFor } from '../../core/render/sql.js';
import type { MigrationPipeline, MigrationStatus, VerificationOutcome, Verifier } from './pipeline.js';
import { renderReport } from './report/render-report.js';

/**
 * The bot's engine from the core stages: generate (read → plan → render, with the backend's
 * conventions), verify the revision on PostgreSQL when a verifier is available, and report.
 * Without a verifier the result is `not-verified`, never `verified`.
 */
export function corePipeline(verify: Verifier | null): MigrationPipeline {
  return async (input) => {
    const generated = await generateRevision({
      base: input.baseModels,
      head: input.headModels,
      backend: input.backend,
      renames: input.renames,
      allowDataLoss: input.allowDataLoss,
      message: null,
      downRevision: null,
      randomId: () => stableRevisionId(input.revisionKey),
    });
    const revisionFile =
      generated.status === 'ready' ? { path: generated.revision.path, content: generated.revision.content } : null;
    let verification: VerificationOutcome | null = null;
    if (revisionFile) {
      verification = verify
        ? await verify({ backend: input.backend, revision: revisionFile, databaseUrl: input.databaseUrl })
        : { ran: false, reason: 'this installation of the bot has no verification stage' };
    }
    const status = statusOf(generated.status, verification);
    const confirmations = status === 'needs-confirmation' ? openConfirmations(generated.plan.findings) : [];
    return {
      status,
      markdown: renderReport(
        {
          status,
          generated,
          verification,
          lockTimeout: lockTimeoutFor(generated.plan, generated.status === 'ready' ? generated.backend.style : undefined),
        },
        input.markdownBudget,
      ),
      revisionFile,
      findings: generated.plan.findings,
      diagnostics: generated.diagnostics,
      confirmations,
    };
  };
}

function statusOf(
  generated: 'unreadable' | 'no-changes' | 'refused' | 'ready',
  verification: VerificationOutcome | null,
): MigrationStatus {
  switch (generated) {
    case 'unreadable':
      return 'unreadable';
    case 'no-changes':
      return 'no-changes';
    case 'refused':
      return 'needs-confirmation';
    case 'ready':
      if (!verification?.ran) return 'not-verified';
      return verification.passed ? 'verified' : 'verification-failed';
  }
}

/** Any one confirmation of each refusing finding, without repeats, in finding order. */
function openConfirmations(findings: { severity: string; confirmed: boolean; confirmations: Confirmation[] }[]): Confirmation[] {
  const seen = new Map<string, Confirmation>();
  for (const finding of findings) {
    if (finding.severity !== 'error' || finding.confirmed) continue;
    for (const confirmation of finding.confirmations) seen.set(confirmationCommand(confirmation), confirmation);
  }
  return [...seen.values()];
}

/** Alembic's 12-hex-digit revision id, derived from the pull request instead of random. */
export function stableRevisionId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

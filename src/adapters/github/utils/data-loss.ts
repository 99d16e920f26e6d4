import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Finding } from '../../../core/plan/types.js';

/** A refusing finding that `/migration allow-data-loss` (or the label) can confirm. */
export function isDataLoss(finding: Finding): boolean {
  return finding.severity === 'error' && finding.confirmations.some((c) => c.kind === 'allow-data-loss');
}

/**
 * Names one data-loss finding across pushes: rule, table, column, and the finding's sentence,
 * which names what table and column cannot (the enum value removed, the types a column
 * narrows between), so a confirmation of `varchar(50)` does not cover a later `varchar(10)`.
 * Hashed, so the sticky comment's hidden state stays small however many findings there are.
 */
export function dataLossFingerprint(finding: Finding): string {
  const key = [finding.rule, finding.table ?? '', finding.column ?? '', finding.message].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * When each data-loss finding of the pull request was first shown in the sticky comment:
 * fingerprint → the time of that comment version, or `null` for the version that carries
 * this state (its time is only known once GitHub has stored it: the comment's `updated_at`).
 * A confirmation covers exactly the findings shown before it was given.
 */
export type DataLossState = Map<string, Date | null>;

const STATE_PREFIX = '<!-- flow-migrate:data-loss ';
const STATE_SUFFIX = ' -->';

const stateSchema = z.object({
  shown: z.record(z.iso.datetime(), z.array(z.string().regex(/^[0-9a-f]{16}$/))),
  pending: z.array(z.string().regex(/^[0-9a-f]{16}$/)),
});

/**
 * The state a sticky comment carries, its pending findings dated by `updatedAt` (the comment's
 * last edit: when anyone edits it later, its findings only count as shown from then on, which
 * asks for a confirmation again rather than accepting one given before). No state, or one that
 * does not parse, is an empty state: every finding then waits for a new confirmation.
 */
export function readDataLossState(body: string | undefined, updatedAt: string | undefined): DataLossState {
  const state: DataLossState = new Map();
  const line = body?.split('\n').find((l) => l.startsWith(STATE_PREFIX) && l.endsWith(STATE_SUFFIX));
  if (!line) return state;
  let json: unknown;
  try {
    json = JSON.parse(line.slice(STATE_PREFIX.length, -STATE_SUFFIX.length));
  } catch {
    return state;
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) return state;
  for (const [time, fingerprints] of Object.entries(parsed.data.shown)) {
    for (const fingerprint of fingerprints) state.set(fingerprint, new Date(time));
  }
  const pendingSince = updatedAt === undefined ? Number.NaN : Date.parse(updatedAt);
  for (const fingerprint of parsed.data.pending) {
    // Without a time it cannot be shown to predate any confirmation: leave it out.
    if (!Number.isNaN(pendingSince)) state.set(fingerprint, new Date(pendingSince));
  }
  return state;
}

/** One hidden line for the sticky comment; `readDataLossState` reads it back. */
export function formatDataLossState(state: DataLossState): string {
  const shown: Record<string, string[]> = {};
  const pending: string[] = [];
  for (const [fingerprint, since] of state) {
    if (since === null) pending.push(fingerprint);
    else (shown[since.toISOString()] ??= []).push(fingerprint);
  }
  // `<` and `>` escaped, so nothing in the JSON can end the HTML comment.
  const json = JSON.stringify({ shown, pending }).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `${STATE_PREFIX}${json}${STATE_SUFFIX}`;
}

/** The findings shown before `confirmedAt`, the latest confirmation by someone with write access. */
export function confirmedFingerprints(state: DataLossState, confirmedAt: Date | null): Set<string> {
  const confirmed = new Set<string>();
  if (confirmedAt === null) return confirmed;
  for (const [fingerprint, since] of state) {
    if (since !== null && since.getTime() < confirmedAt.getTime()) confirmed.add(fingerprint);
  }
  return confirmed;
}

/**
 * The state after a run that shows `findings`: findings shown before keep their time, new
 * ones are pending (shown from this comment version on), and findings gone are forgotten,
 * so one that comes back needs a new confirmation.
 */
export function nextDataLossState(previous: DataLossState, findings: Finding[]): DataLossState {
  const next: DataLossState = new Map();
  for (const finding of findings.filter(isDataLoss)) {
    const fingerprint = dataLossFingerprint(finding);
    next.set(fingerprint, previous.get(fingerprint) ?? null);
  }
  return next;
}

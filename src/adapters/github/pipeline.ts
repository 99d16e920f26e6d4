import type { Confirmation, Finding, Plan, RenameRequest } from '../../core/plan/types.js';
import type { SqlScript } from '../../core/render/types.js';
import type { Diagnostic, Schema } from '../../core/schema/model.js';
import type { SourceTree } from '../../core/source.js';
import type { Verification } from '../../core/verify/round-trip.js';

/** A folder in a source tree: what the reader and the backend discovery start from. */
export interface SourceFolder {
  tree: SourceTree;
  /** Relative to the tree's root, `''` for the root itself. */
  dir: string;
}

export interface MigrationPipelineInput {
  baseModels: SourceFolder;
  headModels: SourceFolder;
  /** The folder holding `alembic.ini`. */
  backend: SourceFolder;
  renames: RenameRequest[];
  /**
   * Fingerprints (`dataLossFingerprint`) of the data-loss findings a person with write access
   * confirmed. Only these are allowed: a drop that appears later stays refused until confirmed.
   */
  confirmedDataLoss: ReadonlySet<string>;
  /** A server where databases may be created; null starts an embedded PostgreSQL. */
  databaseUrl: string | null;
  /** The longest `markdown` may be, in characters (it becomes most of a PR comment). */
  markdownBudget: number;
  /**
   * Names the change across runs (`flow/flowbot-commons#42`), so every push of one pull
   * request proposes the same revision id and the backend pull request's diff stays readable.
   */
  revisionKey: string;
}

/**
 * - `no-changes`: the models changed, the schema did not.
 * - `verified`: a revision was written and passed the round trip.
 * - `not-verified`: a revision was written but verification could not run.
 * - `needs-confirmation`: the plan is refused until a person confirms `confirmations`.
 * - `verification-failed`: the round trip on PostgreSQL found a difference.
 * - `unreadable`: the models could not be read fully (see the error diagnostics).
 */
export type MigrationStatus =
  | 'no-changes'
  | 'verified'
  | 'not-verified'
  | 'needs-confirmation'
  | 'verification-failed'
  | 'unreadable';

export interface RevisionFile {
  /** Relative to the backend repository root. */
  path: string;
  content: string;
}

export interface MigrationPipelineResult {
  status: MigrationStatus;
  /** The report a person acts on, in markdown, within `markdownBudget`. */
  markdown: string;
  /** Set when a revision was rendered (verified or not). */
  revisionFile: RevisionFile | null;
  findings: Finding[];
  diagnostics: Diagnostic[];
  /** What would let a refused plan through. */
  confirmations: Confirmation[];
}

/**
 * The whole engine, read → plan → render → verify → report, as the bot sees it. It throws
 * `InputError` for models or a backend it cannot read.
 */
export type MigrationPipeline = (input: MigrationPipelineInput) => Promise<MigrationPipelineResult>;

export interface VerificationRequest {
  base: Schema;
  head: Schema;
  plan: Plan;
  /** The statements the revision runs. */
  sql: SqlScript;
  databaseUrl: string | null;
}

/** Upgrade → downgrade → upgrade of the migration on an ephemeral PostgreSQL database. */
export type Verifier = (request: VerificationRequest) => Promise<Verification>;

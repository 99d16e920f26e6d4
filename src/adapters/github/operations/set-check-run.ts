import type { ProbotOctokit } from 'probot';
import { ANNOTATIONS_PER_REQUEST, CHECK_OUTPUT_LIMIT, fitMarkdown } from '../utils/limits.js';

export const CHECK_NAME = 'Database migration';

export interface Annotation {
  /** Relative to the repository root. */
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export interface CheckOutcome {
  conclusion: 'success' | 'neutral' | 'action_required' | 'failure';
  title: string;
  summary: string;
  text: string | null;
  annotations: Annotation[];
  detailsUrl: string | null;
}

interface RepositoryRef {
  owner: string;
  repo: string;
}

export async function startCheckRun(octokit: ProbotOctokit, repository: RepositoryRef, headSha: string): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    ...repository,
    name: CHECK_NAME,
    head_sha: headSha,
    status: 'in_progress',
    started_at: new Date().toISOString(),
  });
  return data.id;
}

/**
 * Completes a check run. Annotations go 50 per request (GitHub's limit; each update appends
 * to the ones before) and the conclusion only comes with the last batch, so a check never
 * shows as finished with half its annotations.
 */
export async function completeCheckRun(
  octokit: ProbotOctokit,
  repository: RepositoryRef,
  checkRunId: number,
  outcome: CheckOutcome,
): Promise<void> {
  const batches: Annotation[][] = [];
  for (let i = 0; i < outcome.annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(outcome.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  if (batches.length === 0) batches.push([]);
  const output = {
    title: outcome.title,
    summary: fitMarkdown(outcome.summary, CHECK_OUTPUT_LIMIT, 'the pull-request comment has the rest'),
    ...(outcome.text === null ? {} : { text: fitMarkdown(outcome.text, CHECK_OUTPUT_LIMIT, 'the backend pull request has the whole file') }),
  };
  for (const [index, annotations] of batches.entries()) {
    const last = index === batches.length - 1;
    await octokit.rest.checks.update({
      ...repository,
      check_run_id: checkRunId,
      output: { ...output, ...(annotations.length ? { annotations } : {}) },
      ...(last
        ? {
            conclusion: outcome.conclusion,
            completed_at: new Date().toISOString(),
            ...(outcome.detailsUrl ? { details_url: outcome.detailsUrl } : {}),
          }
        : {}),
    });
  }
}

/** A check run created already complete: for outcomes known before any work starts. */
export async function reportCheckRun(
  octokit: ProbotOctokit,
  repository: RepositoryRef,
  headSha: string,
  outcome: CheckOutcome,
): Promise<void> {
  await completeCheckRun(octokit, repository, await startCheckRun(octokit, repository, headSha), outcome);
}

import type { Context } from 'probot';
import type { z } from 'zod';
import { githubAppConfigSchema, type GithubAppConfig } from './schema.js';

export const CONFIG_FILE = 'flow-migrate.yml';
export const CONFIG_PATH = `.github/${CONFIG_FILE}`;

export type ConfigResult =
  | { kind: 'absent' }
  | { kind: 'valid'; config: GithubAppConfig }
  /** `problem` is plain English, ready to quote in a check run. */
  | { kind: 'invalid'; problem: string };

/**
 * Reads `.github/flow-migrate.yml` the way Probot does (the default branch, with the
 * organisation's `.github` repository as fallback), so a pull request cannot change the
 * configuration it is checked against. GitHub failures propagate; only the file's own
 * problems become `invalid`.
 */
export async function loadConfig(context: Pick<Context, 'config'>): Promise<ConfigResult> {
  let raw: unknown;
  try {
    raw = await context.config(CONFIG_FILE);
  } catch (err) {
    if (typeof (err as { status?: unknown }).status === 'number') throw err;
    return { kind: 'invalid', problem: `${CONFIG_PATH} is not valid YAML: ${plainConfigError(err as Error)}` };
  }
  if (raw === null) return { kind: 'absent' };
  return parseConfig(raw);
}

export function parseConfig(raw: unknown): ConfigResult {
  const result = githubAppConfigSchema.safeParse(raw);
  if (result.success) return { kind: 'valid', config: result.data };
  return { kind: 'invalid', problem: describeIssues(result.error.issues) };
}

function describeIssues(issues: z.core.$ZodIssue[]): string {
  const lines = issues.map((issue) => {
    const where = issue.path.length ? `\`${issue.path.join('.')}\`` : 'the file';
    return `- ${where}: ${issue.message}`;
  });
  return `${CONFIG_PATH} is not a valid flow-migrate configuration:\n${lines.join('\n')}`;
}

function plainConfigError(err: Error): string {
  const cause = err.cause instanceof Error ? err.cause.message : err.message;
  return cause.replace(/^\[@probot\/octokit-plugin-config\]\s*/, '');
}

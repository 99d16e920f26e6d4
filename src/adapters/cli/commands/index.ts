import type { Command } from '../command.js';

/**
 * Every command, in the order `--help` lists them. Each module is loaded only when its command
 * runs: the pre-commit hook starts the CLI on every commit, and loading the whole engine (tree-sitter,
 * pg, the planner) for `hook run` with nothing staged would cost more than the check itself.
 */
export interface CommandEntry {
  name: string;
  /** One line for `flow-migrate --help`. */
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  { name: 'schema', summary: 'print the schema the models describe, and what could not be read', load: async () => (await import('./schema.js')).schemaCommand },
  { name: 'diff', summary: 'plan the schema change between two versions of the models', load: async () => (await import('./diff.js')).diffCommand },
  { name: 'generate', summary: 'write the Alembic revision for the change between two versions of the models', load: async () => (await import('./generate.js')).generateCommand },
  { name: 'verify', summary: 'prove a migration on an ephemeral PostgreSQL (upgrade, downgrade, upgrade) and report', load: async () => (await import('./verify.js')).verifyCommand },
  { name: 'check', summary: 'fail when the models and the backend migration chain have drifted apart', load: async () => (await import('./check.js')).checkCommand },
  { name: 'hook', summary: 'the pre-commit check: run it, install it, uninstall it', load: async () => (await import('./hook.js')).hookCommand },
  { name: 'staging', summary: 'check the staging database against the migration chain; dry-run a revision on it', load: async () => (await import('./staging.js')).stagingCommand },
];

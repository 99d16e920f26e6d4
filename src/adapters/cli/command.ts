import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import type { CliIO } from './io.js';

export interface Command {
  name: string;
  /** The whole text of `flow-migrate <name> --help`. */
  help: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** Wrong flags or values: exit code 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs<T> {
  options: T;
  positionals: string[];
}

/**
 * Parses argv with node's own parser (unknown flags are errors), then validates and
 * types the result with zod, so every command gets checked options or a UsageError.
 */
export function parseOptions<S extends z.ZodType>(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  schema: S,
): ParsedArgs<z.infer<S>> {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const flag = issue.path.length ? `--${String(issue.path[0])}: ` : '';
    throw new UsageError(`${flag}${issue.message}`);
  }
  return { options: result.data, positionals: parsed.positionals };
}

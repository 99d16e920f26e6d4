import { z } from 'zod';
import { UsageError } from './command.js';
import type { CliIO } from './io.js';

/** A postgresql:// (or postgres://) URL that parses; the message never repeats the value, which may hold a password. */
export const databaseUrlSchema = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), 'must be a postgresql:// connection URL');

/** `--database-url`, else DATABASE_URL (empty, as .env files leave it, means unset); a malformed one is bad input. */
export function databaseUrl(option: string | undefined, io: CliIO): string | null {
  if (option !== undefined) return option;
  const fromEnvironment = io.env.DATABASE_URL;
  if (!fromEnvironment) return null;
  const parsed = databaseUrlSchema.safeParse(fromEnvironment);
  if (!parsed.success) throw new UsageError(`DATABASE_URL ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

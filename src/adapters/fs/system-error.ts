import { getSystemErrorMap } from 'node:util';

/** `permission denied (EACCES)`: the operating system's words for a failed file operation, without the stack or the path. */
export function systemErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const known = e.errno === undefined ? undefined : getSystemErrorMap().get(e.errno);
  if (known) return `${known[1]} (${known[0]})`;
  return e.message ?? String(err);
}

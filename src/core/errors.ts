import type { SourceLocation } from './schema/model.js';

/**
 * Input the tool cannot work with (a Python syntax error, an unreadable config, two Alembic
 * heads): the adapters turn it into exit code 2 and print `file:line:column: message`.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly location: SourceLocation | null = null,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** `path:line:column: message`, the form editors and terminals turn into links. */
export function formatLocated(message: string, location: SourceLocation | null): string {
  return location ? `${location.file}:${location.line}:${location.column}: ${message}` : message;
}

/**
 * The database a run needs cannot be had: a server that cannot be reached (`--database-url`,
 * `DATABASE_URL`) or lets the role create no database, an embedded server that does not start.
 * The message is one sentence naming the server, never the password; the adapters exit 1 with it.
 */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

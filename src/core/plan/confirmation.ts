import { InputError } from '../errors.js';
import type { Confirmation, RenameRequest } from './types.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * Parses the text of `--rename` / `/migration rename`: `tasks.status=current_status` renames a
 * column, `bots=flowbots` a table. The new name is never qualified.
 */
export function parseRename(text: string): RenameRequest {
  const m = /^\s*([^=\s]+)\s*=\s*([^=\s]+)\s*$/.exec(text);
  const bad = () =>
    new InputError(`invalid rename "${text}": expected table.old_column=new_column or old_table=new_table`);
  if (!m) throw bad();
  const left = m[1]!.split('.');
  const to = m[2]!;
  if (!NAME.test(to) || left.some((part) => !NAME.test(part))) throw bad();
  if (left.length === 1) return { kind: 'table', from: left[0]!, to };
  if (left.length === 2) return { kind: 'column', table: left[0]!, from: left[1]!, to };
  throw bad();
}

/** The text `parseRename` reads back. */
export function formatRename(rename: RenameRequest): string {
  return rename.kind === 'table' ? `${rename.from}=${rename.to}` : `${rename.table}.${rename.from}=${rename.to}`;
}

/** As a command-line flag: `--allow-data-loss`, `--rename tasks.status=state`, `--assume-empty tasks`. */
export function confirmationFlag(confirmation: Confirmation): string {
  switch (confirmation.kind) {
    case 'allow-data-loss':
      return '--allow-data-loss';
    case 'rename':
      return `--rename ${confirmation.from}=${confirmation.to}`;
    case 'assume-empty':
      return `--assume-empty ${confirmation.table}`;
  }
}

/**
 * As a pull-request command: `/migration allow-data-loss`, `/migration rename tasks.status=state`.
 * The app has no command for an empty table: it says to use the flag.
 */
export function confirmationCommand(confirmation: Confirmation): string {
  switch (confirmation.kind) {
    case 'allow-data-loss':
      return '/migration allow-data-loss';
    case 'rename':
      return `/migration rename ${confirmation.from}=${confirmation.to}`;
    case 'assume-empty':
      return `flow-migrate generate --assume-empty ${confirmation.table}`;
  }
}

import { parseRename } from '../../../core/plan/confirmation.js';
import type { RenameRequest } from '../../../core/plan/types.js';

export type MigrationCommand =
  | { kind: 'allow-data-loss' }
  | { kind: 'regenerate' }
  | { kind: 'rename'; rename: RenameRequest };

export interface ParsedCommands {
  commands: MigrationCommand[];
  /** One plain sentence per `/migration` line that could not be understood. */
  problems: string[];
}

export const COMMAND_USAGE = [
  '`/migration rename tasks.status=current_status` (a column) or `/migration rename bots=flowbots` (a table)',
  '`/migration allow-data-loss`',
  '`/migration regenerate`',
];

/** Every `/migration …` line of a comment; other lines are conversation. */
export function parseCommands(body: string): ParsedCommands {
  const parsed: ParsedCommands = { commands: [], problems: [] };
  for (const line of body.split(/\r?\n/)) {
    const match = /^\s*\/migration(?:\s+(\S+))?\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const [, verb, rest = ''] = match;
    if (verb === 'allow-data-loss' && rest === '') parsed.commands.push({ kind: 'allow-data-loss' });
    else if (verb === 'regenerate' && rest === '') parsed.commands.push({ kind: 'regenerate' });
    else if (verb === 'rename' && rest !== '') {
      try {
        parsed.commands.push({ kind: 'rename', rename: parseRename(rest) });
      } catch (err) {
        parsed.problems.push((err as Error).message);
      }
    } else parsed.problems.push(`"${line.trim()}" is not a command I know`);
  }
  return parsed;
}

export function mentionsCommand(body: string): boolean {
  return /^\s*\/migration\b/m.test(body);
}

import type { Command } from '../command.js';
import { diffCommand } from './diff.js';
import { generateCommand } from './generate.js';
import { hookCommand } from './hook.js';

/** Every command, in the order `--help` lists them. */
export const commands: Command[] = [diffCommand, generateCommand, hookCommand];

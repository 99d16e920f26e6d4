import type { Command } from '../command.js';
import { diffCommand } from './diff.js';
import { generateCommand } from './generate.js';
import { hookCommand } from './hook.js';
import { schemaCommand } from './schema.js';

/** Every command, in the order `--help` lists them. */
export const commands: Command[] = [schemaCommand, diffCommand, generateCommand, hookCommand];

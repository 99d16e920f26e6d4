import type { Command } from '../command.js';
import { checkCommand } from './check.js';
import { diffCommand } from './diff.js';
import { generateCommand } from './generate.js';
import { hookCommand } from './hook.js';
import { stagingCommand } from './staging.js';
import { verifyCommand } from './verify.js';
import { schemaCommand } from './schema.js';

/** Every command, in the order `--help` lists them. */
export const commands: Command[] = [schemaCommand, diffCommand, generateCommand, verifyCommand, checkCommand, hookCommand, stagingCommand];

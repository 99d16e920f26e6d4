import { createRequire } from 'node:module';
import { DatabaseUnavailableError, InputError, formatLocated } from '../../core/errors.js';
import { interruption, onInterruption } from '../../core/verify/interruption.js';
import { packageFile } from '../package-file.js';
import { UsageError } from './command.js';
import { commands } from './commands/index.js';
import { ExitCode } from './exit-codes.js';
import { displayLocation, processIO, type CliIO } from './io.js';

const require = createRequire(import.meta.url);
const { version } = require(packageFile('package.json')) as { version: string };

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'flow-migrate: keep a PostgreSQL schema in step with SQLAlchemy models',
    '',
    'Usage: flow-migrate <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `flow-migrate <command> --help` for the options of one command.',
    'Exit codes: 0 success, 1 failure, 2 bad input, 3 refused for data safety.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? ExitCode.badInput : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${version}\n`);
    return ExitCode.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`flow-migrate: unknown command '${name}'\n\n${usage()}`);
    return ExitCode.badInput;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return ExitCode.ok;
  }
  // Said at once: the cleanup the signal starts may end the process before the run returns.
  const unsubscribe = onInterruption((signal) => io.stderr(`flow-migrate ${name}: interrupted (${signal}); cleaning up\n`));
  let code: number;
  try {
    code = await command.run(rest, io);
  } catch (err) {
    code = failed(name, err, io);
  } finally {
    unsubscribe();
  }
  // What a run reports after SIGINT/SIGTERM (a session the cleanup ended) is not its result.
  return interruption()?.exitCode ?? code;
}

/** The exit code of a command that threw, after one sentence on stderr: never a stack trace. */
function failed(name: string, err: unknown, io: CliIO): number {
  // The interruption's consequence: main reports the interruption instead.
  if (interruption()) return ExitCode.failure;
  if (err instanceof UsageError) {
    io.stderr(`flow-migrate ${name}: ${err.message}\nRun \`flow-migrate ${name} --help\` for usage.\n`);
    return ExitCode.badInput;
  }
  if (err instanceof InputError) {
    const location = err.location ? displayLocation(err.location, io) : null;
    io.stderr(`${formatLocated(err.message, location)}\n`);
    return ExitCode.badInput;
  }
  if (err instanceof DatabaseUnavailableError) {
    io.stderr(`flow-migrate ${name}: ${err.message}\n`);
    return ExitCode.failure;
  }
  // A bug of ours: the sentence, and the stack only when asked for (it may name internals).
  const detail = io.env.FLOW_MIGRATE_DEBUG ? ((err as Error).stack ?? String(err)) : ((err as Error).message ?? String(err));
  io.stderr(`flow-migrate ${name}: internal error: ${detail}\n`);
  return ExitCode.failure;
}

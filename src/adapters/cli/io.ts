import path from 'node:path';
import type { SourceLocation } from '../../core/schema/model.js';

/** Everything a command touches of its process, so tests can run commands in-process. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  color: boolean;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
}

/** Locations are absolute on the file system; people read them relative to where they are. */
export function displayLocation(location: SourceLocation, io: CliIO): SourceLocation {
  if (!path.isAbsolute(location.file)) return location;
  const rel = path.relative(io.cwd, location.file);
  return { ...location, file: rel.startsWith('..') ? location.file : rel };
}

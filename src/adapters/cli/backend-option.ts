import path from 'node:path';
import { loadProjectConfig } from '../config/load-config.js';
import { openRepository } from '../git/repository.js';
import { UsageError } from './command.js';
import type { CliIO } from './io.js';

/**
 * The backend checkout (the folder holding alembic.ini), absolute: `--backend DIR`, else
 * `backend:` of the project config at the root of the repository (`--repo`, else the one
 * holding the current folder, else the current folder), relative to that file; null when
 * neither names one.
 */
export async function backendOption(options: { backend?: string | undefined; repo?: string | undefined }, io: CliIO): Promise<string | null> {
  if (options.backend) return path.resolve(io.cwd, options.backend);
  const start = path.resolve(io.cwd, options.repo ?? '.');
  const root = await openRepository(start).then((r) => r.root, () => start);
  return (await loadProjectConfig(root)).backend;
}

/** The same, for a command that cannot run without one. */
export async function requiredBackendOption(options: { backend?: string | undefined; repo?: string | undefined }, io: CliIO): Promise<string> {
  const backend = await backendOption(options, io);
  if (backend === null) throw new UsageError('--backend: is required (or set `backend:` in flow-migrate.yml)');
  return backend;
}

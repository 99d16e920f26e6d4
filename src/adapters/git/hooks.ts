import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readOptional } from '../fs/read-optional.js';
import { packageFile } from '../package-file.js';
import type { GitRepository } from './repository.js';

/** The line that marks a hook file as ours, so install and uninstall never touch another. */
export const HOOK_MARKER = '# flow-migrate pre-commit hook';


export type InstallResult =
  | { status: 'installed' | 'updated'; path: string }
  | { status: 'replaced'; path: string; backup: string }
  /** Another tool's hook is there and --force was not given: nothing written. */
  | { status: 'foreign'; path: string };

export type UninstallResult =
  | { status: 'removed' | 'absent' | 'foreign'; path: string }
  /** Ours removed and the hook `install --force` had replaced put back. */
  | { status: 'restored'; path: string; backup: string };

/** Where git runs this repository's pre-commit hook: `core.hooksPath` when set, else .git/hooks. */
export async function preCommitHookPath(repo: GitRepository): Promise<string> {
  // Relative results (including a relative core.hooksPath) are relative to the root, where git runs hooks.
  const hooks = (await repo.git.raw(['rev-parse', '--git-path', 'hooks'])).trim();
  return path.join(path.resolve(repo.root, hooks), 'pre-commit');
}

export async function installHook(repo: GitRepository, options: { force: boolean }): Promise<InstallResult> {
  const target = await preCommitHookPath(repo);
  const existing = await readOptional(target);
  const result: InstallResult =
    existing === null
      ? { status: 'installed', path: target }
      : isOurs(existing)
        ? { status: 'updated', path: target }
        : options.force
          ? { status: 'replaced', path: target, backup: backupPath(target) }
          : { status: 'foreign', path: target };
  if (result.status === 'foreign') return result;
  if (result.status === 'replaced') await copyFile(target, result.backup);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, await readFile(packageFile('hooks/pre-commit'), 'utf8'));
  await chmod(target, 0o755);
  return result;
}

export async function uninstallHook(repo: GitRepository): Promise<UninstallResult> {
  const target = await preCommitHookPath(repo);
  const existing = await readOptional(target);
  if (existing === null) return { status: 'absent', path: target };
  if (!isOurs(existing)) return { status: 'foreign', path: target };
  const backup = backupPath(target);
  if ((await readOptional(backup)) !== null) {
    await rename(backup, target);
    return { status: 'restored', path: target, backup };
  }
  await rm(target);
  return { status: 'removed', path: target };
}

function backupPath(hook: string): string {
  return `${hook}.before-flow-migrate`;
}

function isOurs(text: string): boolean {
  return text.split('\n').some((line) => line.trim() === HOOK_MARKER);
}

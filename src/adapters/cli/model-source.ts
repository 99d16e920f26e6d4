import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { SourceDir } from '../../core/generate.js';
import { loadProjectConfig, type ProjectConfig } from '../config/load-config.js';
import { modelsSourceDir, parseModelsPath, type ModelsPath } from '../config/models-path.js';
import { fileSystemTree } from '../fs/file-system-tree.js';
import { gitTree, type GitSource } from '../git/git-tree.js';
import { openRepository, resolveCommit, toPosix, type GitRepository } from '../git/repository.js';
import { UsageError } from './command.js';
import type { CliIO } from './io.js';

/**
 * The flags every command that reads models shares, beside its own `--base`/`--head` or
 * `--models`: spread into the command's parseArgs config and its zod schema.
 */
export const modelSourceParseConfig = {
  staged: { type: 'boolean' },
  worktree: { type: 'boolean' },
  repo: { type: 'string' },
  'models-path': { type: 'string' },
} as const;

export const modelSourceOptionsSchema = z.object({
  staged: z.boolean().default(false),
  worktree: z.boolean().default(false),
  repo: z.string().min(1).optional(),
  'models-path': z.string().min(1).optional(),
});

export type ModelSourceOptions = z.infer<typeof modelSourceOptionsSchema>;

/** For `--help` texts. */
export const MODEL_SOURCE_HELP = `Models: each of --base/--head/--models takes a folder (the models package) or a git
revision (HEAD, main, a tag, a sha) of the repository; a path that exists is a folder.
  --staged            the head is the staged files (what \`git commit\` would record)
  --worktree          the head is the files on disk, as git sees them (untracked included)
  --repo DIR          the repository revisions are read from (default: the current one)
  --models-path PATH  the models folder or glob inside the repository
                      (default: \`models\` in flow-migrate.yml or [tool.flow-migrate])`;

/**
 * `--base X --head Y` (or `--staged` / `--worktree` for the head) as the two model sources
 * diffModels and generateRevision take. Git sources are read from the object store and
 * never touch the work tree or the index.
 */
export async function resolveModelSources(
  options: ModelSourceOptions & { base?: string | undefined; head?: string | undefined },
  io: CliIO,
): Promise<{ base: SourceDir; head: SourceDir }> {
  if (options.base === undefined) throw new UsageError('--base: is required');
  const context = new SourceContext(options, io);
  return {
    base: await context.resolve('--base', options.base),
    head: await context.resolveHead('--head', options.head),
  };
}

/** `--models X` (or `--staged` / `--worktree`) for a command that reads one version. */
export async function resolveModelSource(
  options: ModelSourceOptions & { models?: string | undefined },
  io: CliIO,
): Promise<SourceDir> {
  return new SourceContext(options, io).resolveHead('--models', options.models);
}

class SourceContext {
  private repo: Promise<GitRepository> | null = null;
  private config: Promise<ProjectConfig> | null = null;

  constructor(
    private readonly options: ModelSourceOptions,
    private readonly io: CliIO,
  ) {}

  /** A folder when one exists at `value`, else a revision of the repository. */
  async resolve(flag: string, value: string): Promise<SourceDir> {
    const folder = path.resolve(this.io.cwd, value);
    if (await isDirectory(folder)) return { tree: fileSystemTree(), dir: toPosix(folder) };
    const repo = await this.repository(flag, value);
    // Pinned to its commit now, so a branch that moves while we read cannot mix two versions.
    const commit = await resolveCommit(repo, value).catch(() => {
      throw new UsageError(`${flag} ${value}: neither a folder nor a revision of the repository at ${repo.root}`);
    });
    return this.gitSource({ kind: 'revision', ref: commit });
  }

  /** The value of `flag`, or the index (`--staged`) or the work tree (`--worktree`): exactly one. */
  async resolveHead(flag: string, value: string | undefined): Promise<SourceDir> {
    const given = [value !== undefined && flag, this.options.staged && '--staged', this.options.worktree && '--worktree'].filter(
      (f): f is string => Boolean(f),
    );
    if (given.length !== 1) {
      throw new UsageError(
        given.length ? `${given.join(' and ')} each name the models; give one` : `give ${flag}, --staged or --worktree`,
      );
    }
    if (this.options.staged) return this.gitSource({ kind: 'index' });
    if (this.options.worktree) return this.gitSource({ kind: 'worktree' });
    return this.resolve(flag, value!);
  }

  private async gitSource(source: GitSource): Promise<SourceDir> {
    const flag = { revision: '--base/--head', index: '--staged', worktree: '--worktree' }[source.kind];
    const repo = await this.repository(flag, null);
    const models = await this.modelsPath();
    return modelsSourceDir(gitTree(repo, source), repo.root, models);
  }

  private async repository(flag: string, value: string | null): Promise<GitRepository> {
    this.repo ??= openRepository(path.resolve(this.io.cwd, this.options.repo ?? '.'));
    try {
      return await this.repo;
    } catch (err) {
      const reason = (err as Error).message;
      throw new UsageError(
        value === null
          ? `${flag}: ${reason}; pass --repo DIR`
          : `${flag} ${value}: no such folder, and no revision can be read either: ${reason}`,
      );
    }
  }

  private async modelsPath(): Promise<ModelsPath> {
    if (this.options['models-path']) return parseModelsPath(this.options['models-path']);
    const repo = await this.repo!;
    this.config ??= loadProjectConfig(repo.root);
    const config = await this.config;
    if (!config.models) {
      throw new UsageError(
        'which folder of the repository holds the models? Pass --models-path PATH, or set `models:` in flow-migrate.yml',
      );
    }
    return parseModelsPath(config.models);
  }
}

async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

import posix from 'node:path/posix';
import picomatch from 'picomatch';
import type { SourceDir } from '../../core/generate.js';
import type { SourceTree } from '../../core/source.js';

/**
 * Where the models live inside a repository, from `--models-path` or the config's `models`:
 * a folder (`flowbot_commons`) or a glob of model files (`flowbot_commons/**\/*.py`).
 */
export interface ModelsPath {
  /** The folder the reader starts from, relative to the repository root ('' for the root). */
  dir: string;
  /** Null for a plain folder: every file below `dir` counts. */
  glob: string | null;
}

export function parseModelsPath(spec: string): ModelsPath {
  const normalized = posix.normalize(spec).replace(/\/+$/, '');
  const scan = picomatch.scan(normalized);
  if (!scan.isGlob) return { dir: normalized === '.' ? '' : normalized, glob: null };
  return { dir: scan.base, glob: normalized };
}

/**
 * Whether a path relative to the repository root is one `models` selects: the same test for
 * the files the reader reads and the staged files that make the pre-commit hook check.
 */
export function isModelsFile(models: ModelsPath): (file: string) => boolean {
  if (models.glob !== null) {
    // Called with one argument only: picomatch's second one asks for a result object.
    const matches = picomatch(models.glob, { dot: true });
    return (file) => matches(file);
  }
  const { dir } = models;
  return (file) => dir === '' || file === dir || file.startsWith(`${dir}/`);
}

/** The models of one version of a repository whose files `tree` lists under `root`. */
export function modelsSourceDir(tree: SourceTree, root: string, models: ModelsPath): SourceDir {
  const dir = models.dir ? posix.join(root, models.dir) : root;
  if (models.glob === null) return { tree, dir };
  const selected = isModelsFile(models);
  return {
    dir,
    tree: {
      list: async (d) => (await tree.list(d)).filter((file) => selected(posix.relative(root, file))),
      read: (file) => tree.read(file),
    },
  };
}

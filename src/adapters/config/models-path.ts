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
  /** The same selection as a git pathspec, for `git diff -- <pathspec>`. */
  pathspec: string;
}

export function parseModelsPath(spec: string): ModelsPath {
  const normalized = posix.normalize(spec).replace(/\/+$/, '');
  const scan = picomatch.scan(normalized);
  if (!scan.isGlob) {
    const dir = normalized === '.' ? '' : normalized;
    return { dir, glob: null, pathspec: dir || '.' };
  }
  return { dir: scan.base, glob: normalized, pathspec: `:(glob)${normalized}` };
}

/** The models of one version of a repository whose files `tree` lists under `root`. */
export function modelsSourceDir(tree: SourceTree, root: string, models: ModelsPath): SourceDir {
  const dir = models.dir ? posix.join(root, models.dir) : root;
  if (models.glob === null) return { tree, dir };
  const matches = picomatch(posix.join(root, models.glob), { dot: true });
  return {
    dir,
    tree: {
      list: async (d) => (await tree.list(d)).filter((file) => matches(file)),
      read: (file) => tree.read(file),
    },
  };
}

import type { SourceTree } from '../../../src/core/source.js';

/** A SourceTree over an object of path → text, for tests of pure stages. */
export function memoryTree(files: Record<string, string>): SourceTree {
  return {
    async list(dir) {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      return Object.keys(files)
        .filter((p) => p.startsWith(prefix))
        .sort();
    },
    async read(path) {
      return files[path] ?? null;
    },
  };
}

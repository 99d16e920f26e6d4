import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SourceTree } from '../../core/source.js';

/** The local file system as a SourceTree; paths are absolute (or relative to the cwd). */
export function fileSystemTree(): SourceTree {
  return {
    async list(dir) {
      let entries;
      try {
        entries = await readdir(dir, { recursive: true, withFileTypes: true });
      } catch (err) {
        // No such folder (or a file): nothing is under it, which the reader reports as such.
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return [];
        throw err;
      }
      return entries
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name).split(path.sep).join('/'))
        .sort();
    },
    async read(file) {
      try {
        return await readFile(file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
        throw err;
      }
    },
  };
}

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../core/errors.js';
import type { SourceTree } from '../../core/source.js';
import { systemErrorReason } from './system-error.js';

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
        throw new InputError(`cannot list ${dir}: ${systemErrorReason(err)}`);
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
        throw new InputError(`cannot read ${file}: ${systemErrorReason(err)}`);
      }
    },
  };
}

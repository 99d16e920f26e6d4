import type { SourceTree } from '../../src/core/source.js';

/** A SourceTree over an object of path → text, for tests of pure stages. */
export function memoryTree(files: Record<string, string>): SourceTree {
  return {
    async list(dir) {
      const all = Object.keys(files).sort();
      if (dir === '' || dir === '.') return all;
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      return all.filter((p) => p.startsWith(prefix));
    },
    async read(path) {
      return files[path] ?? null;
    },
  };
}

/**
 * Inline Python indented with the test around it: drops the first newline and the
 * indentation common to every non-blank line.
 */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(common)).join('\n');
}

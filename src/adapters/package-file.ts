import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file shipped with this package (package.json, hooks/pre-commit), found by walking up from
 * this module to the folder holding package.json: the code runs from src/, from dist/ and
 * from the CLI bundle's chunks, each at another depth below it.
 */
export function packageFile(relative: string): string {
  const here = fileURLToPath(import.meta.url);
  for (let dir = path.dirname(here); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, relative);
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${here}`);
  }
}

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes `files` (relative path → text) below `root`. */
export async function writeTree(root: string, files: Map<string, string>): Promise<void> {
  for (const [rel, text] of files) {
    const file = path.join(root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
}

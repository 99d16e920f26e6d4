import { readFile } from 'node:fs/promises';

/** The file's text, or null when it does not exist; any other failure is an error. */
export async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

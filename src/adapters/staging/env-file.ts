import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'dotenv';
import { InputError } from '../../core/errors.js';

export const STAGING_ENV_FILE = '.env.staging';

/** Staging's connection URL, and the same URL safe to print. */
export interface StagingUrl {
  url: string;
  /** The URL with its password replaced by `***`. */
  display: string;
  /** The password as written (for scrubbing messages), or null. */
  password: string | null;
}

/**
 * `PG_URL` from `<backend>/.env.staging`, read as dotenv reads it (comments ignored; a key
 * given twice takes its last value). Missing file or key → InputError naming the file.
 */
export async function readStagingUrl(backendDir: string): Promise<StagingUrl> {
  const file = path.join(backendDir, STAGING_ENV_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(`no ${STAGING_ENV_FILE} in ${backendDir}: it must hold PG_URL=postgresql://user:password@host:5432/db`);
    }
    throw err;
  }
  const url = parse(text).PG_URL?.trim();
  if (!url) throw new InputError(`${file} has no PG_URL (an uncommented PG_URL=postgresql://… line)`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`PG_URL in ${file} is not a URL (expected postgresql://user:password@host:5432/db)`);
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new InputError(`PG_URL in ${file} is a ${parsed.protocol} URL; expected postgresql://`);
  }
  const password = parsed.password ? decodeURIComponent(parsed.password) : null;
  if (parsed.password) parsed.password = '***';
  return { url, display: parsed.toString(), password };
}

/** The text with every form of the password replaced, for messages from drivers and tools. */
export function scrub(text: string, password: string | null): string {
  if (!password) return text;
  let out = text;
  for (const form of new Set([password, encodeURIComponent(password)])) out = out.split(form).join('***');
  return out;
}

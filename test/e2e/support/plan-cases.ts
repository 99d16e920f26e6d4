import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { fileSystemTree } from '../../../src/adapters/fs/file-system-tree.js';
import type { GenerateRequest } from '../../../src/core/generate.js';
import { parseRename } from '../../../src/core/plan/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
export const PLANS_DIR = path.join(ROOT, 'plans');
/** Alembic defaults (random ids, no script.py.mako) and one empty root revision. */
export const PLANS_BACKEND = path.join(ROOT, 'backends/plans-backend');
export const PLANS_BACKEND_HEAD = '1f2e3d4c5b6a';
export const FLOW_PY_BACKEND = path.join(ROOT, 'backends/flow-py-backend');
/** Head model packages for flow-py-backend: `<variant>/app/models`. */
export const FLOW_PY_CHANGES = path.join(ROOT, 'backends/flow-py-backend-changes');

const rowsCheck = z.object({ sql: z.string(), rows: z.array(z.array(z.unknown())) }).strict();

/** `case.json` beside each plan fixture's `base/` and `head/` model packages. */
const caseSchema = z
  .object({
    options: z
      .object({ renames: z.array(z.string()).default([]), allowDataLoss: z.boolean().default(false), assumeEmpty: z.array(z.string()).default([]) })
      .strict(),
    status: z.enum(['ready', 'refused', 'no-changes', 'bad-input']),
    /** bad-input: the error as printed (`file:line:column: message`), as a regex. */
    error: z.string().optional(),
    /** refused: the rules of the unconfirmed error findings, and the flags that confirm them. */
    refusedRules: z.array(z.string()).optional(),
    confirmations: z.array(z.string()).optional(),
    /** Run on every fresh database before anything else (e.g. CREATE EXTENSION). */
    setup: z.array(z.string()).default([]),
    /** Run on the base schema before upgrading; the checks run after upgrade / downgrade. */
    seed: z.array(z.string()).default([]),
    afterUpgrade: z.array(rowsCheck).default([]),
    afterDowngrade: z.array(rowsCheck).default([]),
  })
  .strict();
export type PlanCase = z.infer<typeof caseSchema> & { name: string; dir: string; base: string; head: string };

export function planCases(): PlanCase[] {
  return readdirSync(PLANS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const dir = path.join(PLANS_DIR, e.name);
      const meta = caseSchema.parse(JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')));
      return { ...meta, name: e.name, dir, base: path.join(dir, 'base/models'), head: path.join(dir, 'head/models') };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The expected revision of a ready case: `expected/<file name>` (the name is part of the expectation). */
export function expectedRevision(c: PlanCase): { fileName: string; content: string } | null {
  const dir = path.join(c.dir, 'expected');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.py'));
  } catch {
    return null;
  }
  if (files.length !== 1) throw new Error(`${dir} must hold exactly one .py file`);
  return { fileName: files[0]!, content: readFileSync(path.join(dir, files[0]!), 'utf8') };
}

/** Fixed so the generated files are reproducible. */
export const NOW = new Date(Date.UTC(2026, 1, 3, 4, 5, 6));
export const RANDOM_ID = 'a1b2c3d4e5f6';

/** The generate request of a plan fixture, into `backend` (default: plans-backend itself). */
export function caseRequest(c: PlanCase, backend = PLANS_BACKEND): GenerateRequest {
  const tree = fileSystemTree();
  return {
    base: { tree, dir: c.base },
    head: { tree, dir: c.head },
    backend: { tree, dir: backend },
    renames: c.options.renames.map(parseRename),
    allowDataLoss: c.options.allowDataLoss,
    assumeEmpty: c.options.assumeEmpty,
    message: null,
    downRevision: null,
    now: NOW,
    randomId: () => RANDOM_ID,
  };
}

import { chooseDownRevision, readBackend, renderRevisionFile } from '../../src/core/backend/index.js';
import { generateRevision } from '../../src/core/generate.js';
import { plan, type Plan } from '../../src/core/plan/index.js';
import { ParseCache, readModels } from '../../src/core/read/index.js';
import { renderAlembic, renderSql, type RenderStyle } from '../../src/core/render/index.js';
import type { Schema } from '../../src/core/schema/model.js';
import { fileSystemTree } from '../../src/adapters/fs/file-system-tree.js';
import type { Workspace } from '../fixtures.js';
import type { Task } from './task.js';

export type PipelineStage = 'read' | 'plan' | 'render' | 'read-plan-render' | 'generate';

const tree = fileSystemTree();
const OPTIONS = { renames: [], allowDataLoss: false };

/** Reads a models folder, failing loudly when the reader did not see the whole tree. */
export async function readChecked(dir: string, tables: number, parsed = new ParseCache()): Promise<Schema> {
  const { schema, diagnostics } = await readModels(dir, tree, { parsed });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const first = errors[0]!;
    throw new Error(`${errors.length} reader errors in ${dir}, first: ${first.location?.file}:${first.location?.line} ${first.message}`);
  }
  if (schema.tables.length < tables) throw new Error(`read ${schema.tables.length} tables from ${dir}, expected ${tables}`);
  return schema;
}

/** Plans base → head and checks every synthetic change became an operation. */
export function planChecked(base: Schema, head: Schema, ws: Workspace): Plan {
  const planned = plan(base, head, OPTIONS);
  if (planned.refused) throw new Error('the synthetic change set was refused by the planner');
  const touched = new Set(planned.operations.map((o) => o.table?.replace(/^.*\./, '')));
  const missing = [...ws.changes.touched.map((t) => t.table), ws.changes.newTable].filter(
    (t) => !touched.has(t) && !ws.changes.touched.some((c) => c.table === t && c.kind === 'add-enum-value'),
  );
  if (missing.length) throw new Error(`the plan has no operation on ${missing.join(', ')}`);
  return planned;
}

export async function pipelineTask(stage: PipelineStage, ws: Workspace): Promise<Task> {
  const backend = await readBackend(ws.backend, tree);
  const style: RenderStyle = backend.style;
  switch (stage) {
    case 'read':
      return { run: async () => void (await readChecked(ws.baseModels, ws.tables)) };
    case 'plan': {
      const base = await readChecked(ws.baseModels, ws.tables);
      const head = await readChecked(ws.headModels, ws.tables);
      planChecked(base, head, ws);
      return { run: async () => void plan(base, head, OPTIONS) };
    }
    case 'render': {
      const planned = planChecked(
        await readChecked(ws.baseModels, ws.tables),
        await readChecked(ws.headModels, ws.tables),
        ws,
      );
      return {
        run: async () => {
          renderAlembic(planned, style);
          renderSql(planned, style);
        },
      };
    }
    case 'read-plan-render':
      // What a caller waits for between "here are two model trees" and "here is the revision";
      // like `generate`, the two reads run at once and share one parse cache.
      return {
        run: async () => {
          const parsed = new ParseCache();
          const [base, head] = await Promise.all([
            readChecked(ws.baseModels, ws.tables, parsed),
            readChecked(ws.headModels, ws.tables, parsed),
          ]);
          const planned = planChecked(base, head, ws);
          renderRevisionFile({
            backend,
            body: renderAlembic(planned, style),
            message: 'benchmark',
            downRevision: chooseDownRevision(backend, null),
            now: new Date(0),
          });
          renderSql(planned, style);
        },
      };
    case 'generate':
      return {
        run: async () => {
          const result = await generateRevision({
            base: { tree, dir: ws.baseModels },
            head: { tree, dir: ws.headModels },
            backend: { tree, dir: ws.backend },
            renames: [],
            allowDataLoss: false,
            message: null,
            downRevision: null,
            now: new Date(0),
          });
          if (result.status !== 'ready') throw new Error(`generate ended '${result.status}', expected 'ready'`);
        },
      };
  }
}

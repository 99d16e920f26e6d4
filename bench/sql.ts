import { emptySchema } from '../src/core/schema/model.js';
import { plan } from '../src/core/plan/index.js';
import { renderSql, type SqlScript } from '../src/core/render/index.js';
import type { Workspace } from './fixtures.js';
import { planChecked, readChecked } from './stages/pipeline.js';

/** The SQL of a workspace: the base schema from nothing, and the migration base → head. */
export interface WorkspaceSql {
  base: SqlScript;
  migration: SqlScript;
}

export async function workspaceSql(ws: Workspace): Promise<WorkspaceSql> {
  const base = await readChecked(ws.baseModels, ws.tables);
  const head = await readChecked(ws.headModels, ws.tables);
  return {
    base: renderSql(plan(emptySchema(), base, { renames: [], allowDataLoss: false })),
    migration: renderSql(planChecked(base, head, ws)),
  };
}

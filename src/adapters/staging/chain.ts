import type pg from 'pg';
import type { Backend, Revision } from '../../core/backend/index.js';

/** Where staging stands against the backend's migration chain. */
export interface ChainStatus {
  /** What `alembic_version` holds (several rows when branches are applied separately). */
  stagingRevisions: string[];
  /** Staging revisions no revision file declares: applied from another branch, or files removed. */
  unknown: string[];
  /** Revisions of the chain not applied on staging yet, each after the ones it revises. */
  ahead: Revision[];
  heads: string[];
}

/** The rows of `alembic_version`; null when staging has no such table (never migrated by Alembic). */
export async function stagingRevisions(client: pg.ClientBase): Promise<string[] | null> {
  try {
    const { rows } = await client.query<{ version_num: string }>('SELECT version_num FROM alembic_version ORDER BY version_num');
    return rows.map((r) => r.version_num);
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return null;
    throw err;
  }
}

export function chainStatus(backend: Backend, applied: string[]): ChainStatus {
  const byId = new Map(backend.revisions.map((r) => [r.id, r]));
  const unknown = applied.filter((id) => !byId.has(id));
  const done = ancestors(applied.filter((id) => byId.has(id)), byId);
  // Alembic's revision order: a revision comes after every revision it revises.
  const ahead: Revision[] = [];
  const visit = (revision: Revision) => {
    if (done.has(revision.id) || ahead.includes(revision)) return;
    for (const down of [...revision.downRevisions, ...revision.dependsOn]) {
      const parent = byId.get(down);
      if (parent) visit(parent);
    }
    ahead.push(revision);
  };
  for (const head of backend.heads) visit(byId.get(head)!);
  return { stagingRevisions: applied, unknown, ahead, heads: backend.heads };
}

/** The revisions themselves and everything below them. */
export function ancestors(ids: string[], byId: Map<string, Revision>): Set<string> {
  const seen = new Set<string>();
  const stack = [...ids];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const revision = byId.get(id);
    if (revision) stack.push(...revision.downRevisions, ...revision.dependsOn);
  }
  return seen;
}

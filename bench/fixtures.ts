import { rm } from 'node:fs/promises';
import path from 'node:path';
import { MODELS_DIR, syntheticModels, type ChangeSet } from './synthetic-models.js';
import { writeTree } from './write-tree.js';

/** One size's synthetic project on disk: both model versions and an Alembic backend. */
export interface Workspace {
  tables: number;
  root: string;
  /** The models folders the reader scans. */
  baseModels: string;
  headModels: string;
  /** The folder holding alembic.ini. */
  backend: string;
  changes: ChangeSet;
}

const ALEMBIC_INI = `[alembic]
script_location = migrations
file_template = %%(rev)s_%%(slug)s
prepend_sys_path = .
sqlalchemy.url = postgresql://flow@localhost:5432/flow
`;

/** A root revision with no operations, so the new one has a head to revise. */
const INITIAL_REVISION = `"""initial

Revision ID: 001
Revises:
Create Date: 2026-01-05 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
`;

export async function createWorkspace(parent: string, tables: number): Promise<Workspace> {
  const root = path.join(parent, `tables-${tables}`);
  await rm(root, { recursive: true, force: true });
  const base = syntheticModels(tables, 'base');
  const head = syntheticModels(tables, 'head');
  await writeTree(path.join(root, 'base'), base.files);
  await writeTree(path.join(root, 'head'), head.files);
  const backend = path.join(root, 'backend');
  await writeTree(
    backend,
    new Map([
      ['alembic.ini', ALEMBIC_INI],
      ['migrations/versions/001_initial.py', INITIAL_REVISION],
    ]),
  );
  return {
    tables,
    root,
    baseModels: path.join(root, 'base', MODELS_DIR),
    headModels: path.join(root, 'head', MODELS_DIR),
    backend,
    changes: head.changes,
  };
}

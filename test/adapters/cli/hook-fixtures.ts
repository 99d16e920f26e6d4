import { tempRepo, type TempRepo } from '../git/temp-repo.js';

/** The models as committed: a tasks table. */
export const BASE_MODELS = `from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
`;

/** A nullable column added: safe. */
export const ADD_NOTES = BASE_MODELS.replace(
  '    status: Mapped[str] = mapped_column(String(20))\n',
  '    status: Mapped[str] = mapped_column(String(20))\n    notes: Mapped[str | None] = mapped_column(String(500))\n',
);

/** A table added: its create_table call spans several lines. */
export const ADD_MILESTONES = `${BASE_MODELS}

class Milestone(Base):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
`;

/** A column removed: data loss. */
export const DROP_STATUS = BASE_MODELS.replace('    status: Mapped[str] = mapped_column(String(20))\n', '');

const ALEMBIC_INI = `[alembic]
script_location = migrations
sqlalchemy.url = postgresql://localhost/flow
`;

const FIRST_REVISION = `"""create tasks

Revision ID: 001
Revises:
Create Date: 2026-01-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("tasks")
`;

/** A revision 002 on top of the backend's 001 whose upgrade() is `upgrade` (indented by four). */
export function secondRevision(upgrade: string): string {
  return FIRST_REVISION.replace(/Revision ID: 001\nRevises:/, 'Revision ID: 002\nRevises: 001')
    .replace('revision = "001"\ndown_revision = None', 'revision = "002"\ndown_revision = "001"')
    .replace(/def upgrade\(\):\n[\s\S]*?\n\n\ndef downgrade/, `def upgrade():\n${upgrade}\n\n\ndef downgrade`);
}

/** Two sibling repositories as developers have them: flowbot-commons and flow-py-backend. */
export interface Workspace {
  models: TempRepo;
  backend: TempRepo;
  remove(): void;
}

export function workspace(config: string | null = 'models: flowbot_commons\nbackend: BACKEND\n'): Workspace {
  const backend = tempRepo('flow-py-backend-');
  backend.commit('alembic', {
    'alembic.ini': ALEMBIC_INI,
    'migrations/env.py': '# env\n',
    'migrations/versions/001_create_tasks.py': FIRST_REVISION,
  });
  const models = tempRepo('flowbot-commons-');
  const files: Record<string, string> = {
    'flowbot_commons/__init__.py': '',
    'flowbot_commons/models.py': BASE_MODELS,
    'README.md': '# flowbot-commons\n',
  };
  if (config !== null) files['flow-migrate.yml'] = config.replace('BACKEND', backend.root);
  models.commit('models', files);
  return {
    models,
    backend,
    remove() {
      models.remove();
      backend.remove();
    },
  };
}

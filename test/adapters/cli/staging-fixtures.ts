import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const revision = (id: string, down: string | null, upgrade: string, downgrade: string) => `"""${id}"""
from alembic import op
import sqlalchemy as sa

revision = "${id}"
down_revision = ${down === null ? 'None' : `"${down}"`}
branch_labels = None
depends_on = None


def upgrade():
${upgrade}


def downgrade():
${downgrade}
`;

/** A small backend: tasks created (001), tasks.status made NOT NULL (002), an index built concurrently (003). */
export const REVISIONS = {
  '001_create_tasks.py': revision(
    '001',
    null,
    `    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )`,
    '    op.drop_table("tasks")',
  ),
  '002_status_not_null.py': revision(
    '002',
    '001',
    '    op.alter_column("tasks", "status", existing_type=sa.String(length=20), nullable=False)',
    '    op.alter_column("tasks", "status", existing_type=sa.String(length=20), nullable=True)',
  ),
  '003_index_title.py': revision(
    '003',
    '002',
    `    with op.get_context().autocommit_block():
        op.create_index("ix_tasks_title", "tasks", ["title"], postgresql_concurrently=True)`,
    '    op.drop_index("ix_tasks_title", table_name="tasks")',
  ),
};

/** What staging holds after 001, as Alembic would have left it. */
export const STAGING_AT_001 = `
CREATE TABLE tasks (id SERIAL NOT NULL, title VARCHAR(200) NOT NULL, status VARCHAR(20), CONSTRAINT tasks_pkey PRIMARY KEY (id));
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO alembic_version (version_num) VALUES ('001');
INSERT INTO tasks (title, status) VALUES ('write tests', 'done'), ('ship', NULL);
`;

export function backendDir(revisions: Record<string, string> = REVISIONS): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'flow-py-backend-'));
  writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = migrations\n');
  mkdirSync(path.join(dir, 'migrations/versions'), { recursive: true });
  writeFileSync(path.join(dir, 'migrations/env.py'), 'raise RuntimeError("the staging check must not run env.py")\n');
  for (const [name, text] of Object.entries(revisions)) writeFileSync(path.join(dir, 'migrations/versions', name), text);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A role with a password and a database it owns on the test server, standing in for
 * staging; dropped by `remove()`.
 */
export interface StagingDatabase {
  /** postgresql://role:password@host:port/db */
  url: string;
  password: string;
  admin(sql: string): Promise<pg.QueryResult>;
  /** A query on staging itself, as its owner. */
  query(sql: string): Promise<pg.QueryResult>;
  remove(): Promise<void>;
}

export async function stagingDatabase(serverUrl: string): Promise<StagingDatabase> {
  const name = `fm_staging_${randomBytes(4).toString('hex')}`;
  // Characters that need escaping in a URL, so the redaction is tested on its hard case.
  const password = `pw:${randomBytes(4).toString('hex')}/@x`;
  const admin = async (sql: string, database = 'postgres') => {
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
  await admin(`CREATE DATABASE ${name} OWNER ${name}`);
  const url = new URL(serverUrl);
  url.username = name;
  url.password = encodeURIComponent(password);
  url.pathname = `/${name}`;
  const own = url.toString();
  return {
    url: own,
    password,
    admin: (sql) => admin(sql),
    async query(sql) {
      const client = new pg.Client({ connectionString: own });
      await client.connect();
      try {
        return await client.query(sql);
      } finally {
        await client.end();
      }
    },
    async remove() {
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
      await admin(`DROP DATABASE IF EXISTS ${name}`);
      await admin(`DROP ROLE IF EXISTS ${name}`);
    },
  };
}

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readBackend, renderRevisionFile, slugify } from '../../../src/core/backend/index.js';
import type { AlembicBody } from '../../../src/core/render/index.js';
import { fileSystemTree } from '../../../src/adapters/fs/file-system-tree.js';
import { memoryTree } from '../../support/memory-tree.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/backends/flow-py-backend');
const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
const BODY: AlembicBody = {
  imports: ['from sqlalchemy.dialects import postgresql'],
  upgrade: "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n    op.add_column('users', sa.Column('last_login', sa.DateTime(), nullable=True))",
  downgrade: "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n    op.drop_column('users', 'last_login')",
};

describe('slugify (Alembic’s rule)', () => {
  it('joins \\w runs with _, lower-cases, and cuts on a word boundary keeping a trailing _', () => {
    expect(slugify('Add last_login to users!', 40)).toBe('add_last_login_to_users');
    expect(slugify('add last_login to users, create sessions and 3 more changes', 40)).toBe(
      'add_last_login_to_users_create_sessions_',
    );
    expect(slugify('averyveryverylongsingleword', 10)).toBe('averyveryv_');
    expect(slugify('crée les tâches', 40)).toBe('crée_les_tâches');
  });
});

describe('renderRevisionFile', () => {
  it('follows the fixture backend: next sequential id, its template, down revision = head', async () => {
    const backend = await readBackend(FIXTURE, fileSystemTree());
    const file = renderRevisionFile({ backend, body: BODY, message: 'add last_login to users', downRevision: '003', now: NOW });
    expect(file.id).toBe('004');
    expect(file.fileName).toBe('004_add_last_login_to_users.py');
    expect(file.path).toBe(`${FIXTURE}/migrations/versions/004_add_last_login_to_users.py`);
    expect(file.content).toBe(`"""add last_login to users

Revision ID: 004
Revises: 003
Create Date: 2026-01-02 03:04:05.006000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '004'
down_revision: Union[str, None] = '003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column('users', sa.Column('last_login', sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column('users', 'last_login')
`);
  });

  it('random ids, every file_template token, and the default template for an empty backend', async () => {
    const backend = await readBackend(
      'b',
      memoryTree({
        'b/alembic.ini':
          '[alembic]\nscript_location = migrations\nfile_template = %%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d%%(second).2d_%%(epoch)s_%%(rev)s_%%(slug)s\ntruncate_slug_length = 12\n',
      }),
    );
    const file = renderRevisionFile({
      backend,
      body: { imports: [], upgrade: '    pass', downgrade: '    pass' },
      message: 'create "quoted""" things',
      downRevision: null,
      now: NOW,
      randomId: () => 'abcdef123456',
    });
    expect(file.id).toBe('abcdef123456');
    expect(file.fileName).toBe(`20260102_030405_${Math.floor(NOW.getTime() / 1000)}_abcdef123456_create_.py`);
    expect(file.path).toBe(`b/migrations/versions/${file.fileName}`);
    expect(file.content).toContain(`"""create "quoted\\"\\"\\" things\n`);
    expect(file.content).toContain("revision: str = 'abcdef123456'\ndown_revision: Union[str, None] = None\n");
    expect(file.content).toContain('Revises: \n');
  });
});

describe('where the file goes', () => {
  it('with several version locations, beside the revision it revises, as `alembic revision` does', async () => {
    const rev = (id: string, down: string) => `revision = '${id}'\ndown_revision = ${down}\n`;
    const backend = await readBackend(
      'b',
      memoryTree({
        'b/alembic.ini': '[alembic]\nscript_location = m\nversion_locations = %(here)s/core %(here)s/billing\n',
        'b/core/1.py': rev('c1', 'None'),
        'b/billing/1.py': rev('b1', "'c1'"),
      }),
    );
    const body = { imports: [], upgrade: '    pass', downgrade: '    pass' };
    const file = renderRevisionFile({ backend, body, message: 'x', downRevision: 'b1', now: NOW, randomId: () => 'ffff' });
    expect(file.path).toBe('b/billing/ffff_x.py');
    const first = renderRevisionFile({ backend, body, message: 'x', downRevision: null, now: NOW, randomId: () => 'ffff' });
    expect(first.path).toBe('b/core/ffff_x.py');
  });
});

describe('timezone', () => {
  it('the create date and the date tokens are taken in the ini timezone, printed as an aware datetime', async () => {
    const backend = await readBackend(
      'b',
      memoryTree({
        'b/alembic.ini':
          '[alembic]\nscript_location = m\ntimezone = Asia/Kolkata\nfile_template = %%(year)d-%%(month).2d-%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s\n',
      }),
    );
    const file = renderRevisionFile({
      backend,
      body: { imports: [], upgrade: '    pass', downgrade: '    pass' },
      message: 'x',
      downRevision: null,
      now: NOW,
      randomId: () => 'abc',
    });
    expect(file.fileName).toBe('2026-01-02_0834_abc.py');
    expect(file.content).toContain('Create Date: 2026-01-02 08:34:05.006000+05:30\n');
  });

  it('an unknown timezone is an error at its ini line', async () => {
    await expect(
      readBackend('b', memoryTree({ 'b/alembic.ini': '[alembic]\nscript_location = m\ntimezone = Mars/Olympus\n' })),
    ).rejects.toMatchObject({ message: expect.stringMatching(/timezone "Mars\/Olympus"/), location: { line: 3 } });
  });
});

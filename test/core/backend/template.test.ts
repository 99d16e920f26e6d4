import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE } from '../../../src/core/backend/default-template.js';
import { pyRepr, renderTemplate, type TemplateValue } from '../../../src/core/backend/template.js';
import { InputError } from '../../../src/core/errors.js';

const comma = (v: TemplateValue) => (v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v));

describe('renderTemplate (the Mako subset of script.py.mako)', () => {
  it("renders Alembic's own template exactly as Mako does", () => {
    const out = renderTemplate(DEFAULT_TEMPLATE, 'script.py.mako', {
      message: 'add last_login to users',
      up_revision: 'ab12cd34ef56',
      down_revision: ['111', '222'],
      branch_labels: null,
      depends_on: null,
      create_date: { str: '2026-01-02 03:04:05.000006', repr: '' },
      imports: '',
      upgrades: 'op.add_column("users", sa.Column("x", sa.Integer()))\n    op.execute("SELECT 1")',
      downgrades: '',
      comma,
    });
    expect(out).toBe(`"""add last_login to users

Revision ID: ab12cd34ef56
Revises: 111, 222
Create Date: 2026-01-02 03:04:05.000006

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'ab12cd34ef56'
down_revision: Union[str, None] = ('111', '222')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("users", sa.Column("x", sa.Integer()))
    op.execute("SELECT 1")


def downgrade() -> None:
    pass
`);
  });

  it('handles % if / elif / else / endif, ## comments, <%text> and %% escapes', () => {
    const template = [
      '## a template comment',
      '% if flag:',
      'yes ${name}',
      '% elif other:',
      'other',
      '% else:',
      'no',
      '% endif',
      '<%text>${not_evaluated}</%text>',
      '%% literal',
      'joined \\',
      'line',
      '',
    ].join('\n');
    expect(renderTemplate(template, 't', { flag: false, other: 'x', name: 'n' })).toBe(
      'other\n${not_evaluated}\n% literal\njoined line\n',
    );
    expect(renderTemplate(template, 't', { flag: ['a'], other: null, name: 'n' })).toBe(
      'yes n\n${not_evaluated}\n% literal\njoined line\n',
    );
  });

  it('evaluates not/and/or, is None and comparisons', () => {
    const v = { a: null, b: 'x' };
    expect(renderTemplate('${a is None and b == "x"}|${not b or "z"}|${a if a is not None else "dflt"}', 't', v)).toBe(
      'True|z|dflt',
    );
  });

  it('names the template line of anything it does not understand', () => {
    for (const [template, message] of [
      ['ok\n${config.get_main_option("x")}\n', /unsupported expression/],
      ['ok\n<%! import os %>\n', /unsupported Mako tag/],
      ['ok\n% for x in y:\n% endfor\n', /unsupported Mako control line/],
      ['ok\n${undefined_name}\n', /does not provide/],
      ['ok\n${a | upper}\n', /unknown Mako filter/],
    ] as const) {
      try {
        renderTemplate(template, 'migrations/script.py.mako', { a: 'x' });
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        expect((err as InputError).message).toMatch(message);
        expect((err as InputError).location).toMatchObject({ file: 'migrations/script.py.mako', line: 2 });
      }
    }
  });

  it("reprs strings the way Python does", () => {
    expect(pyRepr("it's")).toBe(`"it's"`);
    expect(pyRepr('a\\b\n')).toBe(`'a\\\\b\\n'`);
    expect(pyRepr(['one'])).toBe(`('one',)`);
  });
});

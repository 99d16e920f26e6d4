/**
 * renderTemplate against real Mako (the library Alembic renders script.py.mako with): the
 * same templates and values must give the same text. Skips, saying why, without Python.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE, DEFAULT_UNTYPED_TEMPLATE } from '../../../src/core/backend/default-template.js';
import { renderTemplate, type TemplateValue } from '../../../src/core/backend/template.js';
import { oracleSkipReason } from '../../e2e/support/oracle.js';

const python = process.env['FLOW_MIGRATE_PYTHON']!;

/** What Alembic passes: plain values, and its `comma` filter (alembic.util.format_as_comma). */
const MAKO = `
import json, sys
from mako.template import Template
from alembic.util import format_as_comma
request = json.load(sys.stdin)
values = request["values"]
for key in ("down_revision", "branch_labels", "depends_on"):
    if isinstance(values[key], list):
        values[key] = tuple(values[key])
sys.stdout.write(Template(request["template"]).render(comma=format_as_comma, **values))
`;

function mako(template: string, values: Record<string, string | string[] | null>): string {
  const result = spawnSync(python, ['-c', MAKO], { input: JSON.stringify({ template, values }), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

const CUSTOM = `<%text>## not a comment: \${literal}</%text>
"""\${message | trim}

Revision ID: \${up_revision}
Revises: \${down_revision | comma,n}
Create Date: \${create_date}
"""
## a Mako comment line, not copied
% if imports:
\${imports}
% else:
# no extra imports
% endif
revision = \${repr(up_revision)}
down_revision = \${repr(down_revision)}
% if branch_labels is None and not depends_on:
branch_labels = None
% elif branch_labels:
branch_labels = \${repr(branch_labels)}
% endif
%% not a control line
joined \\
line
def upgrade():
    \${upgrades if upgrades else "pass"}

def downgrade():
    \${downgrades if downgrades else "pass"}
`;

const VALUES: Record<string, string | string[] | null>[] = [
  {
    message: '  add last_login to users  ',
    up_revision: '004',
    down_revision: '003',
    branch_labels: null,
    depends_on: null,
    create_date: '2026-01-02 03:04:05.000006',
    imports: 'from sqlalchemy.dialects import postgresql',
    upgrades: "op.add_column('users', sa.Column('x', sa.Integer()))\n    op.execute(\"SELECT '%'\")",
    downgrades: "op.drop_column('users', 'x')",
  },
  {
    message: "merge the 'a' and \"b\" heads",
    up_revision: 'ab12cd34ef56',
    down_revision: ['a1', 'b2'],
    branch_labels: ['feature'],
    depends_on: null,
    create_date: '2026-01-02 03:04:05',
    imports: '',
    upgrades: '',
    downgrades: '',
  },
];

describe.skipIf(oracleSkipReason !== null)(
  `renderTemplate equals Mako${oracleSkipReason ? ` (skipped: ${oracleSkipReason})` : ''}`,
  () => {
    const comma = (v: TemplateValue) => (v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v));
    for (const [name, template] of Object.entries({ generic: DEFAULT_TEMPLATE, untyped: DEFAULT_UNTYPED_TEMPLATE, custom: CUSTOM })) {
      it(name, () => {
        for (const values of VALUES) {
          expect(renderTemplate(template, 'script.py.mako', { ...values, comma })).toBe(mako(template, values));
        }
      });
    }
  },
);

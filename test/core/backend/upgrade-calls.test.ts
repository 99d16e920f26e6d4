import { describe, expect, it } from 'vitest';
import { upgradeOpCalls } from '../../../src/core/backend/upgrade-calls.js';

describe('upgradeOpCalls', () => {
  it('gives each op. call of upgrade() whole, whatever its layout, quotes, comments or trailing comma', async () => {
    const a = await upgradeOpCalls(
      'a.py',
      [
        'def upgrade():',
        '    op.execute("SET LOCAL lock_timeout = \'5s\'")',
        '    op.execute("SET LOCAL statement_timeout = \'5min\'")',
        "    op.add_column('tasks', sa.Column('notes', sa.String(length=500), nullable=True))",
        '    with op.batch_alter_table("tasks") as batch:',
        '        batch.drop_column("x")',
        '    op.create_index(op.f("ix_tasks_notes"), "tasks", ["notes"])',
        '',
        'def downgrade():',
        '    op.drop_column("tasks", "notes")',
        '',
      ].join('\n'),
    );
    const b = await upgradeOpCalls(
      'b.py',
      [
        'def upgrade():',
        '    op.add_column(',
        '        "tasks",  # where',
        '        sa.Column("notes", sa.String(length = 500), nullable=True,),',
        '    )',
        '',
      ].join('\n'),
    );
    expect(a).toEqual([
      'op . add_column ( "tasks" , sa . Column ( "notes" , sa . String ( length = 500 ) , nullable = True ) )',
      'op . batch_alter_table ( "tasks" )',
      'op . create_index ( op . f ( "ix_tasks_notes" ) , "tasks" , [ "notes" ] )',
    ]);
    expect(b).toEqual([a[0]]);
  });

  it('tells calls apart by any argument, not only by their first line', async () => {
    const calls = (column: string) =>
      upgradeOpCalls('r.py', `def upgrade():\n    op.create_table(\n        "t",\n        sa.Column("${column}", sa.Integer()),\n    )\n`);
    expect(await calls('a')).not.toEqual(await calls('b'));
  });
});

import { describe, expect, it } from 'vitest';
import { parsePython } from '../../src/core/read/parser.js';
import { readModels } from '../../src/core/read/index.js';
import type { SourceTree } from '../../src/core/source.js';
import { MODELS_DIR, syntheticModels } from '../../bench/synthetic-models.js';

function memoryTree(files: Map<string, string>): SourceTree {
  return {
    async list(dir) {
      return [...files.keys()].filter((p) => p.startsWith(`${dir}/`)).sort();
    },
    async read(path) {
      return files.get(path) ?? null;
    },
  };
}

describe('synthetic model trees for the benchmark', () => {
  const TABLES = 40;
  const base = syntheticModels(TABLES, 'base');
  const head = syntheticModels(TABLES, 'head');

  it('are valid Python for tree-sitter', async () => {
    for (const tree of [base, head]) {
      for (const [file, text] of tree.files) await expect(parsePython(file, text)).resolves.toBeDefined();
    }
  });

  it('read as every table, in both styles, with no reader errors', async () => {
    const { schema, diagnostics } = await readModels(MODELS_DIR, memoryTree(base.files));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(schema.tables).toHaveLength(TABLES);
    const names = schema.tables.map((t) => t.name);
    expect(names).toContain('widget_0001'); // 2.0 style
    expect(names).toContain('gadget_0011'); // 1.x style
    expect(names).toContain('link_0009'); // association Table(...)

    const widget = schema.tables.find((t) => t.name === 'widget_0001')!;
    // Own columns, then the mixin's; `score` is annotation-only, `parent` a relationship.
    expect(widget.columns.map((c) => c.name)).toEqual([
      'id', 'parent_id', 'code', 'title', 'notes', 'status', 'amount', 'is_active', 'payload', 'external_id', 'score',
      'created_at', 'updated_at',
    ]);
    expect(widget.foreignKeys.map((f) => f.referredTable)).toEqual(['widget_0000']);
    expect(widget.columns.find((c) => c.name === 'status')!.type).toMatchObject({ name: 'state02', isEnum: true });

    const gadget = schema.tables.find((t) => t.name === 'gadget_0011')!;
    // A ForeignKey with no type takes the referenced column's.
    expect(gadget.columns.find((c) => c.name === 'parent_id')!.type.name).toBe('integer');
    expect(gadget.uniqueConstraints.map((u) => u.name)).toEqual(['uq_gadget_0011_code']);
    expect(gadget.indexes.map((i) => i.name).sort()).toEqual(['ix_gadget_0011_kind_rank', 'ix_gadget_0011_parent_id']);
  });

  it('head has the new table, the changed columns and the new enum label', async () => {
    const { schema, diagnostics } = await readModels(MODELS_DIR, memoryTree(head.files));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(schema.tables).toHaveLength(TABLES + 1);
    expect(schema.tables.map((t) => t.name)).toContain(head.changes.newTable);
    const kinds = new Set(head.changes.touched.map((t) => t.kind));
    expect(kinds.size).toBe(5);
    const enumName = head.changes.enumWithNewValue.toLowerCase();
    expect(schema.enums.find((e) => e.name === enumName)!.labels).toContain('RETIRED');
    const widened = head.changes.touched.find((t) => t.kind === 'widen-type')!;
    const table = schema.tables.find((t) => t.name === widened.table)!;
    expect(table.columns.find((c) => c.name === 'title' || c.name === 'label')!.type.length).toBeGreaterThan(200);
  });
});

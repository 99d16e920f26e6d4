import { createRequire } from 'node:module';
import { Language, Parser, type Node as WasmNode } from 'web-tree-sitter';
import { describe, expect, it } from 'vitest';
import { parsePython, parseSnippet } from '../../../src/core/read/parser.js';
import { convertTree, type Node } from '../../../src/core/read/syntax-tree.js';

const require = createRequire(import.meta.url);

const SOURCE = `# café ☕ — non-ASCII before the code shifts UTF-16 offsets
class User(Base, metaclass=Meta):  # 😀
    __tablename__ = "usérs"
    id: Mapped[int] = mapped_column(primary_key=True)
    name = sa.Column(sa.String(50) | None, nullable=False, comment=f"x{y}")

    def label(self, *args, **kw):
        if self.name:
            return g(h(1), "é")
from a.b import (c, d as e)
`;

/** The plain tree must answer exactly what web-tree-sitter answers, node by node. */
function compare(plain: Node, wasm: WasmNode, fields: string[]): void {
  expect([plain.type, plain.isNamed, plain.text, plain.startIndex, plain.endIndex]).toEqual([
    wasm.type, wasm.isNamed, wasm.text, wasm.startIndex, wasm.endIndex,
  ]);
  expect(plain.startPosition).toEqual(wasm.startPosition);
  expect(plain.children.map((c) => c.type)).toEqual(wasm.children.map((c) => c!.type));
  expect(plain.namedChildren.map((c) => c.text)).toEqual(wasm.namedChildren.map((c) => c!.text));
  for (const field of fields) {
    expect(plain.childForFieldName(field)?.text ?? null).toBe(wasm.childForFieldName(field)?.text ?? null);
    expect(plain.childrenForFieldName(field).map((c) => c.text)).toEqual(
      wasm.childrenForFieldName(field).map((c) => c!.text),
    );
  }
  expect(plain.descendantsOfType('call').map((c) => c.startIndex)).toEqual(
    wasm.descendantsOfType('call').map((c) => c!.startIndex),
  );
  plain.children.forEach((child, i) => {
    expect(child.parent).toBe(plain);
    compare(child, wasm.children[i]!, fields);
  });
}

describe('plain syntax tree', () => {
  it('matches web-tree-sitter node by node: types, text, positions, fields, descendants', async () => {
    const plain = await parsePython('m.py', SOURCE);
    await Parser.init();
    const parser = new Parser();
    parser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
    const wasm = parser.parse(SOURCE)!;
    const language = parser.language!;
    const fields = language.fields.filter((f): f is string => f !== null);
    expect(fields).toContain('superclasses');
    compare(plain.rootNode, wasm.rootNode, fields);
    wasm.delete();
  });

  it('copies ERROR and MISSING nodes as web-tree-sitter has them (the reader refuses such trees, but the copy must not lie)', async () => {
    await Parser.init();
    const parser = new Parser();
    parser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
    const broken = 'class T(Base:\n    x = (1,\ndef f(:\n    pass\n';
    const wasm = parser.parse(broken)!;
    expect(wasm.rootNode.hasError).toBe(true);
    expect(wasm.rootNode.descendantsOfType('ERROR').length).toBeGreaterThan(0);
    const plain = convertTree(parser.parse(broken)!, broken);
    compare(plain.rootNode, wasm.rootNode, []);
    expect(plain.rootNode.descendantsOfType('ERROR').map((n) => [n.startIndex, n.isNamed])).toEqual(
      wasm.rootNode.descendantsOfType('ERROR').map((n) => [n!.startIndex, n!.isNamed]),
    );
    wasm.delete();
  });

  it('reads a string annotation as its type node', async () => {
    await parsePython('m.py', 'x = 1\n');
    expect(parseSnippet('Mapped[Optional["User"]]')?.text).toBe('Mapped[Optional["User"]]');
    expect(parseSnippet('Mapped[')).toBeNull();
  });
});

import type { Tree as WasmTree, TreeCursor } from 'web-tree-sitter';

/**
 * A parsed file as plain JavaScript objects, converted once from web-tree-sitter's tree.
 * Every property access on a web-tree-sitter node crosses into wasm and allocates a fresh
 * node object, and the reader asks for `.type`, `.text` and children many times per node;
 * a plain copy makes those field reads. It also lets the wasm tree be freed right after
 * parsing, which web-tree-sitter never does on its own (memory would grow with every read
 * in the long-running GitHub App). Only the part of the node API the reader uses is kept,
 * with the same meaning.
 */
export interface Point {
  row: number;
  column: number;
}

export class Node {
  /** Every child, anonymous tokens (`(`, `|`, string delimiters) and comments included. */
  readonly children: Node[] = [];
  /** The named children, comments included (as in tree-sitter). */
  readonly namedChildren: Node[] = [];
  private readonly fields: (string | null)[] = [];

  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    /** UTF-16 offsets into the parsed source, as web-tree-sitter reports them for string input. */
    readonly startIndex: number,
    readonly endIndex: number,
    readonly startPosition: Point,
    readonly parent: Node | null,
    private readonly source: string,
  ) {}

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  childForFieldName(field: string): Node | null {
    const i = this.fields.indexOf(field);
    return i < 0 ? null : this.children[i]!;
  }

  childrenForFieldName(field: string): Node[] {
    return this.children.filter((_, i) => this.fields[i] === field);
  }

  /** This node and its descendants of that type, in source order (as tree-sitter's). */
  descendantsOfType(type: string): Node[] {
    const found: Node[] = [];
    const visit = (node: Node): void => {
      if (node.type === type) found.push(node);
      for (const child of node.children) visit(child);
    };
    visit(this);
    return found;
  }

  /** @internal used while converting. */
  addChild(child: Node, field: string | null): void {
    this.children.push(child);
    this.fields.push(field);
    if (child.isNamed) this.namedChildren.push(child);
  }
}

export interface Tree {
  rootNode: Node;
}

/** Copies a web-tree-sitter tree into plain nodes and frees the wasm tree. */
export function convertTree(tree: WasmTree, source: string): Tree {
  const cursor = tree.walk();
  try {
    return { rootNode: build(cursor, null, source) };
  } finally {
    cursor.delete();
    tree.delete();
  }
}

function build(cursor: TreeCursor, parent: Node | null, source: string): Node {
  const node = new Node(
    cursor.nodeType,
    cursor.nodeIsNamed,
    cursor.startIndex,
    cursor.endIndex,
    cursor.startPosition,
    parent,
    source,
  );
  if (cursor.gotoFirstChild()) {
    do {
      const field = cursor.currentFieldName;
      node.addChild(build(cursor, node, source), field);
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  return node;
}

import type { Language, Tree as WasmTree, TreeCursor } from 'web-tree-sitter';

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

/** The parsed text, shared by its nodes; line starts are found only when a position is asked for. */
class Source {
  private lineStarts: number[] | null = null;

  constructor(readonly text: string) {}

  /** Tree-sitter's point for a UTF-16 offset: rows end at `\n`, columns count UTF-16 units. */
  point(index: number): Point {
    this.lineStarts ??= lineStartsOf(this.text);
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo]! };
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Shared by every leaf (about half the nodes), frozen so no caller can fill it. */
const NO_CHILDREN: Node[] = Object.freeze([]) as unknown as Node[];

export class Node {
  private kids: Node[] = NO_CHILDREN;
  /** Field name of each child, by position; null until a child has one (most nodes have none). */
  private fields: (string | null)[] | null = null;
  private named: Node[] | null = null;

  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    /** UTF-16 offsets into the parsed source, as web-tree-sitter reports them for string input. */
    readonly startIndex: number,
    readonly endIndex: number,
    readonly parent: Node | null,
    private readonly source: Source,
  ) {}

  /** Every child, anonymous tokens (`(`, `|`, string delimiters) and comments included. */
  get children(): Node[] {
    return this.kids;
  }

  get text(): string {
    return this.source.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    return this.source.point(this.startIndex);
  }

  /** The named children, comments included (as in tree-sitter). */
  get namedChildren(): Node[] {
    this.named ??= this.children.filter((c) => c.isNamed);
    return this.named;
  }

  childForFieldName(field: string): Node | null {
    const i = this.fields ? this.fields.indexOf(field) : -1;
    return i < 0 ? null : this.children[i]!;
  }

  childrenForFieldName(field: string): Node[] {
    const fields = this.fields;
    return fields ? this.children.filter((_, i) => fields[i] === field) : [];
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
    if (field !== null) {
      this.fields ??= this.children.map(() => null);
      this.fields.push(field);
    } else if (this.fields) {
      this.fields.push(null);
    }
    if (this.kids === NO_CHILDREN) this.kids = [];
    this.kids.push(child);
  }
}

export interface Tree {
  rootNode: Node;
}

/** Copies a web-tree-sitter tree into plain nodes and frees the wasm tree. */
export function convertTree(tree: WasmTree, text: string): Tree {
  const cursor = tree.walk();
  try {
    return { rootNode: new Converter(tree.language, cursor, new Source(text)).node(null) };
  } finally {
    cursor.delete();
    tree.delete();
  }
}

/** Each cursor getter is a wasm call: ask for the type id, offsets and field id only, the rest by type. */
class Converter {
  private readonly types: string[];
  private readonly fields: (string | null)[];
  private readonly isNamed = new Map<number, boolean>();

  constructor(
    private readonly language: Language,
    private readonly cursor: TreeCursor,
    private readonly source: Source,
  ) {
    this.types = language.types;
    this.fields = language.fields;
  }

  node(parent: Node | null): Node {
    const cursor = this.cursor;
    const typeId = cursor.nodeTypeId;
    let named = this.isNamed.get(typeId);
    if (named === undefined) {
      named = this.language.nodeTypeIsNamed(typeId);
      this.isNamed.set(typeId, named);
    }
    const node = new Node(this.types[typeId] ?? 'ERROR', named, cursor.startIndex, cursor.endIndex, parent, this.source);
    if (cursor.gotoFirstChild()) {
      do {
        const field = this.fields[cursor.currentFieldId] ?? null;
        node.addChild(this.node(node), field);
      } while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
    return node;
  }
}

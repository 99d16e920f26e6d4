import type { Language, Tree as WasmTree } from 'web-tree-sitter';

/**
 * A parsed file as plain JavaScript data, copied once from web-tree-sitter's tree.
 * Every property access on a web-tree-sitter node crosses into wasm and allocates a fresh
 * node object, and the reader asks for `.type`, `.text` and children many times per node;
 * a plain copy makes those field reads. It also lets the wasm tree be freed right after
 * parsing, which web-tree-sitter never does on its own (memory would grow with every read
 * in the long-running GitHub App). Only the part of the node API the reader uses is kept,
 * with the same meaning.
 *
 * The copy is a set of typed arrays, one slot per node in preorder, and a node object is
 * made only when the reader first reaches it: most nodes (punctuation, the arguments of a
 * field the reader never asks for) never become one. A 1000-table models package is a third
 * of a million nodes, and an object for each was most of the read's garbage-collection time.
 */
export interface Point {
  row: number;
  column: number;
}

const ERROR_ID = 0xffff;

/** What a grammar's numeric ids mean, worked out once per language. */
class Grammar {
  private static readonly known = new WeakMap<Language, Grammar>();

  readonly types: string[];
  readonly named: Uint8Array;
  readonly fieldIds = new Map<string, number>();

  private constructor(language: Language) {
    this.types = language.types.map((t) => t ?? 'ERROR');
    this.named = new Uint8Array(ERROR_ID + 1);
    this.types.forEach((_, id) => (this.named[id] = language.nodeTypeIsNamed(id) ? 1 : 0));
    // Tree-sitter's ERROR node has the largest id, past the grammar's own list.
    this.types[ERROR_ID] = 'ERROR';
    this.named[ERROR_ID] = 1;
    language.fields.forEach((name, id) => {
      if (name !== null) this.fieldIds.set(name, id);
    });
  }

  static of(language: Language): Grammar {
    let grammar = Grammar.known.get(language);
    if (!grammar) {
      grammar = new Grammar(language);
      Grammar.known.set(language, grammar);
    }
    return grammar;
  }
}

/**
 * The nodes of one file in preorder: node `i`'s children are `i + 1` onwards, each next one
 * after the previous one's last descendant. Plain typed arrays, so a parser thread can hand
 * them over without copying.
 */
export interface FlatNodes {
  types: Uint16Array;
  /** The field id under which each node sits in its parent; 0 for none. */
  fields: Uint16Array;
  /** UTF-16 offsets into the parsed source, as web-tree-sitter reports them for string input. */
  starts: Int32Array;
  ends: Int32Array;
  /** -1 for the root. */
  parents: Int32Array;
  /** The index of each node's last descendant (itself for a leaf). */
  lasts: Int32Array;
}

class FlatTree {
  private readonly nodes: (Node | undefined)[];
  private lineStarts: number[] | null = null;

  constructor(
    readonly text: string,
    readonly grammar: Grammar,
    readonly flat: FlatNodes,
  ) {
    this.nodes = new Array<Node | undefined>(flat.types.length);
  }

  /** The one node object for slot `i`, so identity comparisons between nodes hold. */
  node(i: number): Node {
    let node = this.nodes[i];
    if (node === undefined) {
      node = new Node(this, i);
      this.nodes[i] = node;
    }
    return node;
  }

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

/** Shared by every leaf, frozen so no caller can fill it. */
const NO_CHILDREN: Node[] = Object.freeze([]) as unknown as Node[];

export class Node {
  readonly type: string;
  readonly isNamed: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  private kids: Node[] | null = null;
  private named: Node[] | null = null;

  constructor(
    private readonly tree: FlatTree,
    private readonly index: number,
  ) {
    const typeId = tree.flat.types[index]!;
    this.type = tree.grammar.types[typeId]!;
    this.isNamed = tree.grammar.named[typeId] === 1;
    this.startIndex = tree.flat.starts[index]!;
    this.endIndex = tree.flat.ends[index]!;
  }

  get parent(): Node | null {
    const parent = this.tree.flat.parents[this.index]!;
    return parent < 0 ? null : this.tree.node(parent);
  }

  /** Every child, anonymous tokens (`(`, `|`, string delimiters) and comments included. */
  get children(): readonly Node[] {
    if (this.kids === null) {
      const { lasts } = this.tree.flat;
      const last = lasts[this.index]!;
      if (last === this.index) {
        this.kids = NO_CHILDREN;
      } else {
        const kids: Node[] = [];
        for (let i = this.index + 1; i <= last; i = lasts[i]! + 1) kids.push(this.tree.node(i));
        this.kids = kids;
      }
    }
    return this.kids;
  }

  get text(): string {
    return this.tree.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    return this.tree.point(this.startIndex);
  }

  /** The named children, comments included (as in tree-sitter). */
  get namedChildren(): readonly Node[] {
    if (this.named === null) {
      const { lasts, types } = this.tree.flat;
      const { grammar } = this.tree;
      const named: Node[] = [];
      const last = lasts[this.index]!;
      for (let i = this.index + 1; i <= last; i = lasts[i]! + 1) {
        if (grammar.named[types[i]!] === 1) named.push(this.tree.node(i));
      }
      this.named = named;
    }
    return this.named;
  }

  childForFieldName(field: string): Node | null {
    const id = this.tree.grammar.fieldIds.get(field);
    if (id === undefined) return null;
    const { lasts, fields } = this.tree.flat;
    const last = lasts[this.index]!;
    for (let i = this.index + 1; i <= last; i = lasts[i]! + 1) {
      if (fields[i] === id) return this.tree.node(i);
    }
    return null;
  }

  childrenForFieldName(field: string): Node[] {
    const id = this.tree.grammar.fieldIds.get(field);
    const found: Node[] = [];
    if (id === undefined) return found;
    const { lasts, fields } = this.tree.flat;
    const last = lasts[this.index]!;
    for (let i = this.index + 1; i <= last; i = lasts[i]! + 1) {
      if (fields[i] === id) found.push(this.tree.node(i));
    }
    return found;
  }

  /** This node and its descendants of that type, in source order (as tree-sitter's). */
  descendantsOfType(type: string): Node[] {
    const { lasts, types } = this.tree.flat;
    const { grammar } = this.tree;
    const found: Node[] = [];
    const last = lasts[this.index]!;
    for (let i = this.index; i <= last; i++) {
      if (grammar.types[types[i]!] === type) found.push(this.tree.node(i));
    }
    return found;
  }
}

export interface Tree {
  rootNode: Node;
}

/** Copies a web-tree-sitter tree into typed arrays and frees the wasm tree. */
export function convertTree(tree: WasmTree, text: string): Tree {
  try {
    return treeOf(flatten(tree), text, tree.language);
  } finally {
    tree.delete();
  }
}

/** The tree over nodes flattened here or on a parser thread, for the text they were parsed from. */
export function treeOf(flat: FlatNodes, text: string, language: Language): Tree {
  return { rootNode: new FlatTree(text, Grammar.of(language), flat).node(0) };
}

/**
 * One preorder walk, without recursion (a long chain of `a + b + ...` nests deeply). Each
 * cursor getter is a wasm call, so only the type id, offsets and field id are asked for.
 */
export function flatten(tree: WasmTree): FlatNodes {
  const count = tree.rootNode.descendantCount;
  const flat: FlatNodes = {
    types: new Uint16Array(count),
    fields: new Uint16Array(count),
    starts: new Int32Array(count),
    ends: new Int32Array(count),
    parents: new Int32Array(count),
    lasts: new Int32Array(count),
  };
  const { types, fields, starts, ends, parents, lasts } = flat;
  const cursor = tree.walk();
  try {
    let next = 0;
    let parent = -1;
    let field = 0;
    for (;;) {
      const i = next++;
      types[i] = cursor.nodeTypeId;
      starts[i] = cursor.startIndex;
      ends[i] = cursor.endIndex;
      parents[i] = parent;
      fields[i] = field;
      if (cursor.gotoFirstChild()) {
        parent = i;
        field = cursor.currentFieldId;
        continue;
      }
      lasts[i] = i;
      for (;;) {
        if (cursor.gotoNextSibling()) {
          field = cursor.currentFieldId;
          break;
        }
        if (parent < 0 || !cursor.gotoParent()) return flat;
        lasts[parent] = next - 1;
        parent = parents[parent]!;
      }
    }
  } finally {
    cursor.delete();
  }
}

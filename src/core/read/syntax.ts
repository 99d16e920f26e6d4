import type { Node } from './syntax-tree.js';
import type { SourceLocation } from '../schema/model.js';

/** Small, shape-only helpers over tree-sitter-python nodes. */

export function locationOf(file: string, node: Node): SourceLocation {
  return { file, line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

/** The named children but comments; the node's own list when it has none (the common case), so it must not be changed. */
export function namedChildren(node: Node): readonly Node[] {
  const all = node.namedChildren;
  return all.some((c) => c.type === 'comment') ? all.filter((c) => c.type !== 'comment') : all;
}

/** Strips parentheses around an expression: `(x)` is `x`. */
export function unwrap(node: Node): Node {
  let current = node;
  while (current.type === 'parenthesized_expression' || current.type === 'type') {
    const inner = namedChildren(current)[0];
    if (!inner) break;
    current = inner;
  }
  return current;
}

export interface CallArguments {
  readonly positional: readonly Node[];
  readonly keywords: ReadonlyMap<string, Node>;
  /** `*args` / `**kwargs` make the call's arguments unknowable statically. */
  readonly hasSplat: boolean;
}

/** Syntax trees are shared by the reads of a change, and the reader asks for a column's arguments several times. */
const argumentsOfCall = new WeakMap<Node, CallArguments>();

export function callArguments(call: Node): CallArguments {
  let known = argumentsOfCall.get(call);
  if (!known) {
    known = readCallArguments(call);
    argumentsOfCall.set(call, known);
  }
  return known;
}

function readCallArguments(call: Node): CallArguments {
  const result = { positional: [] as Node[], keywords: new Map<string, Node>(), hasSplat: false };
  const list = call.childForFieldName('arguments');
  if (!list) return result;
  for (const arg of namedChildren(list)) {
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name');
      const value = arg.childForFieldName('value');
      if (name && value) result.keywords.set(name.text, value);
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      result.hasSplat = true;
    } else {
      result.positional.push(arg);
    }
  }
  return result;
}

/** The value of a plain string literal (or implicit concatenation of them), else null. */
export function stringValue(node: Node): string | null {
  const n = unwrap(node);
  if (n.type === 'concatenated_string') {
    let out = '';
    for (const part of namedChildren(n)) {
      const v = stringValue(part);
      if (v === null) return null;
      out += v;
    }
    return out;
  }
  if (n.type !== 'string') return null;
  const start = n.children[0];
  if (!start || start.type !== 'string_start') return null;
  const prefix = start.text.replace(/['"]+$/, '').toLowerCase();
  if (prefix.includes('f') || prefix.includes('b')) return null;
  const raw = prefix.includes('r');
  let out = '';
  for (const child of n.children) {
    if (!child) continue;
    if (child.type === 'string_content') out += raw ? child.text : decodeEscapes(child.text);
    else if (child.type === 'escape_sequence') out += raw ? child.text : decodeEscapes(child.text);
    else if (child.type === 'interpolation') return null;
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': '',
};

function decodeEscapes(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\s\S])/g, (whole, esc: string) => {
    if (/^[xuU]/.test(esc) && esc.length > 1) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    return SIMPLE_ESCAPES[esc] ?? whole;
  });
}

/** `a.b.c` as ['a', 'b', 'c'] for a chain of identifiers and attributes, else null. */
export function dottedParts(node: Node): string[] | null {
  const n = unwrap(node);
  if (n.type === 'identifier') return [n.text];
  if (n.type === 'attribute') {
    const object = n.childForFieldName('object');
    const attribute = n.childForFieldName('attribute');
    if (!object || !attribute) return null;
    const head = dottedParts(object);
    return head ? [...head, attribute.text] : null;
  }
  return null;
}

/** A node's source for a message: on one line, and cut short when long. */
export function excerpt(node: Node | null | undefined, max = 60): string {
  if (!node) return '';
  const text = node.text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

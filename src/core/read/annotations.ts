import type { Node } from './syntax-tree.js';
import { parseSnippet } from './parser.js';
import type { Resolver, Scope, Sym } from './symbols.js';
import { namedChildren, stringValue, unwrap } from './syntax.js';

/** `X[a, b]` as written in an annotation (`generic_type`) or an expression (`subscript`). */
export function genericParts(node: Node): { head: Node; args: Node[] } | null {
  const n = unwrap(node);
  if (n.type === 'generic_type') {
    const [head, params] = namedChildren(n);
    if (!head || params?.type !== 'type_parameter') return null;
    return { head, args: namedChildren(params).map(unwrap) };
  }
  if (n.type === 'subscript') {
    const head = n.childForFieldName('value');
    if (!head) return null;
    const args = n.childrenForFieldName('subscript').filter((c): c is Node => c !== null);
    // `X[a, b]` parses as one tuple subscript in some grammar versions.
    const flat = args.length === 1 && unwrap(args[0]!).type === 'tuple' ? namedChildren(unwrap(args[0]!)) : args;
    return { head, args: flat.map(unwrap) };
  }
  return null;
}

/** A string annotation (`"Mapped[User]"`) as the expression it names. */
function deString(node: Node): Node {
  const n = unwrap(node);
  if (n.type !== 'string') return n;
  const text = stringValue(n);
  const parsed = text === null ? null : parseSnippet(text);
  return parsed ? unwrap(parsed) : n;
}

export type MappedKind = 'column' | 'relationship' | 'none';

/** The `Mapped[...]` wrapper of a class attribute annotation. */
export interface MappedAnnotation {
  kind: MappedKind;
  /** The X of Mapped[X]. */
  inner: Node | null;
  scope: Scope;
}

const MAPPED = new Set(['sa.Mapped']);
const RELATIONSHIP_MAPPED = new Set(['sa.WriteOnlyMapped', 'sa.DynamicMapped']);

export function mappedAnnotation(node: Node | null, scope: Scope, resolver: Resolver): MappedAnnotation {
  if (!node) return { kind: 'none', inner: null, scope };
  const n = deString(node);
  const parts = genericParts(n);
  if (!parts) return { kind: 'none', inner: null, scope };
  const head = resolver.resolve(parts.head, scope);
  if (head.kind !== 'external') return { kind: 'none', inner: null, scope };
  if (RELATIONSHIP_MAPPED.has(head.name)) return { kind: 'relationship', inner: parts.args[0] ?? null, scope };
  if (!MAPPED.has(head.name)) return { kind: 'none', inner: null, scope };
  return { kind: 'column', inner: parts.args[0] ?? null, scope };
}

/** X after Optional/Union/`| None`/Annotated are peeled off it. */
export interface PythonType {
  node: Node;
  scope: Scope;
  optional: boolean;
  /** `Annotated[X, mapped_column(...)]` extras, outermost last. */
  annotatedColumns: { node: Node; scope: Scope }[];
  /** Each alias or Annotated form passed on the way, for `type_annotation_map` look-ups. */
  aliases: { node: Node; scope: Scope }[];
  /** Set when X is a union of several non-None types. */
  ambiguous: boolean;
}

export function peelPythonType(node: Node, scope: Scope, resolver: Resolver, depth = 0): PythonType {
  const n = deString(node);
  const plain: PythonType = { node: n, scope, optional: false, annotatedColumns: [], aliases: [], ambiguous: false };
  if (depth > 15) return plain;
  if (n.type === 'none') return { ...plain, optional: true };
  if (n.type === 'binary_operator' || n.type === 'union_type') {
    const members = flattenUnion(n);
    return fromUnion(members, scope, resolver, depth, plain);
  }
  const parts = genericParts(n);
  if (parts) {
    const head = resolver.resolve(parts.head, scope);
    const name = head.kind === 'external' ? head.name : null;
    if (name === 'typing.Optional' && parts.args[0]) {
      const inner = peelPythonType(parts.args[0], scope, resolver, depth + 1);
      return { ...inner, optional: true, aliases: [{ node: n, scope }, ...inner.aliases] };
    }
    if (name === 'typing.Union') return fromUnion(parts.args, scope, resolver, depth, plain);
    if (name === 'typing.Annotated' && parts.args[0]) {
      const inner = peelPythonType(parts.args[0], scope, resolver, depth + 1);
      const extras = parts.args.slice(1).filter((a) => unwrap(a).type === 'call').map((a) => ({ node: a, scope }));
      return {
        ...inner,
        annotatedColumns: [...inner.annotatedColumns, ...extras],
        aliases: [{ node: n, scope }, ...inner.aliases],
      };
    }
    return plain;
  }
  if (n.type === 'identifier' || n.type === 'attribute') {
    const sym = resolver.resolve(n, scope);
    // `Str50 = Annotated[str, 50]`, `OptionalInt = Optional[int]`: follow the alias.
    if (sym.kind === 'value') {
      const target = unwrap(sym.node);
      if (genericParts(target) || target.type === 'binary_operator') {
        const inner = peelPythonType(target, { module: sym.module }, resolver, depth + 1);
        return { ...inner, aliases: [{ node: n, scope }, ...inner.aliases] };
      }
    }
  }
  return plain;
}

function flattenUnion(node: Node): Node[] {
  const n = unwrap(node);
  if ((n.type === 'binary_operator' || n.type === 'union_type') && n.children.some((c) => c?.text === '|')) {
    return namedChildren(n).flatMap(flattenUnion);
  }
  return [n];
}

function fromUnion(members: Node[], scope: Scope, resolver: Resolver, depth: number, plain: PythonType): PythonType {
  const peeled = members.map((m) => peelPythonType(m, scope, resolver, depth + 1));
  const optional = peeled.some((p) => p.optional && unwrap(p.node).type === 'none') || peeled.some((p) => p.optional);
  const real = peeled.filter((p) => unwrap(p.node).type !== 'none');
  if (real.length !== 1) return { ...plain, optional, ambiguous: real.length > 1 };
  return { ...real[0]!, optional, aliases: [{ node: plain.node, scope }, ...real[0]!.aliases] };
}

/** A key identifying what a type expression names, for `type_annotation_map` look-ups. */
export function typeKey(sym: Sym): string | null {
  switch (sym.kind) {
    case 'external':
      return `external:${sym.name}`;
    case 'class':
    case 'value':
      return `${sym.kind}:${sym.module.file}:${sym.node.startIndex}`;
    default:
      return null;
  }
}

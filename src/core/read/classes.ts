import type { Node } from './syntax-tree.js';
import type { ModuleInfo } from './modules.js';
import { classBases, type Resolver, type Sym } from './symbols.js';
import { namedChildren } from './syntax.js';

export type ClassSym = Sym & { kind: 'class' };

/** An attribute set in a class body. */
export interface ClassAttribute {
  name: string;
  value: Node | null;
  annotation: Node | null;
  /** The statement, for locations. */
  statement: Node;
  /** A method; `declaredAttr` when decorated with `@declared_attr`. */
  isFunction: boolean;
  declaredAttr: boolean;
}

export interface ClassInfo {
  sym: ClassSym;
  name: string;
  module: ModuleInfo;
  node: Node;
  bases: Sym[];
  decorators: Sym[];
  /** In the order SQLAlchemy scans them (see `mergeWithOrdering`). */
  attributes: ClassAttribute[];
  byName: Map<string, ClassAttribute>;
}

const ENUM_BASES = new Set(['enum.Enum', 'enum.IntEnum', 'enum.StrEnum', 'enum.Flag', 'enum.IntFlag']);

/** Classes of the source tree: bodies, MRO and what they derive from outside the tree. */
export class Classes {
  private readonly cache = new Map<string, ClassInfo>();
  private readonly mroCache = new Map<string, ClassInfo[]>();

  constructor(readonly resolver: Resolver) {}

  info(sym: ClassSym): ClassInfo {
    const key = classKey(sym);
    let info = this.cache.get(key);
    if (!info) {
      const scope = { module: sym.module };
      const decorated = sym.node.parent?.type === 'decorated_definition' ? sym.node.parent : null;
      const decorators = decorated
        ? namedChildren(decorated)
            .filter((d) => d.type === 'decorator')
            .map((d) => {
              const expr = namedChildren(d)[0];
              const target = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
              return target ? this.resolver.resolve(target, scope) : ({ kind: 'unknown' } as Sym);
            })
        : [];
      const attributes = readAttributes(sym.node);
      info = {
        sym,
        name: sym.name,
        module: sym.module,
        node: sym.node,
        bases: classBases(sym.node).map((b) => this.resolver.resolve(b, scope)),
        decorators,
        attributes,
        byName: new Map(attributes.map((a) => [a.name, a])),
      };
      this.cache.set(key, info);
    }
    return info;
  }

  /** The tree's classes in method resolution order (C3), the class itself first. */
  mro(info: ClassInfo): ClassInfo[] {
    const key = classKey(info.sym);
    const cached = this.mroCache.get(key);
    if (cached) return cached;
    this.mroCache.set(key, [info]);
    const parents = this.treeBases(info);
    const merged = c3Merge([...parents.map((p) => this.mro(p)), parents]);
    const result = [info, ...(merged ?? dedupe(parents.flatMap((p) => this.mro(p))))];
    this.mroCache.set(key, result);
    return result;
  }

  treeBases(info: ClassInfo): ClassInfo[] {
    return info.bases.filter((b): b is ClassSym => b.kind === 'class').map((b) => this.info(b));
  }

  /** Canonical names of every external class anywhere in the ancestry. */
  externalAncestors(info: ClassInfo): Set<string> {
    const out = new Set<string>();
    for (const c of this.mro(info)) {
      for (const b of c.bases) if (b.kind === 'external') out.add(b.name);
    }
    return out;
  }

  isEnum(info: ClassInfo): boolean {
    return [...this.externalAncestors(info)].some((n) => ENUM_BASES.has(n));
  }

  isTypeDecorator(info: ClassInfo): boolean {
    return this.externalAncestors(info).has('sa.TypeDecorator');
  }

  /** The attribute as Python finds it: on the class, else on the first base in MRO order. */
  lookup(info: ClassInfo, name: string): { owner: ClassInfo; attribute: ClassAttribute } | null {
    for (const c of this.mro(info)) {
      const attribute = c.byName.get(name);
      if (attribute) return { owner: c, attribute };
    }
    return null;
  }
}

export function classKey(sym: ClassSym): string {
  return `${sym.module.file}:${sym.node.startIndex}`;
}

function dedupe(list: ClassInfo[]): ClassInfo[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const k = classKey(c.sym);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** C3 linearisation; `info` caches one ClassInfo per class, so classes compare by identity. */
function c3Merge(sequences: ClassInfo[][]): ClassInfo[] | null {
  const seqs = sequences.filter((s) => s.length > 0);
  // Where each sequence now starts: merged heads are skipped rather than shifted off a copy.
  const starts = seqs.map(() => 0);
  const out: ClassInfo[] = [];
  for (;;) {
    let head: ClassInfo | null = null;
    let remaining = false;
    for (let i = 0; i < seqs.length && !head; i++) {
      const candidate = seqs[i]![starts[i]!];
      if (!candidate) continue;
      remaining = true;
      if (!seqs.some((other, j) => other.indexOf(candidate, starts[j]! + 1) >= 0)) head = candidate;
    }
    if (!head) return remaining ? null : out;
    out.push(head);
    seqs.forEach((s, j) => {
      if (s[starts[j]!] === head) starts[j]!++;
    });
  }
}

/**
 * SQLAlchemy walks a class's attributes in `util.merge_lists_w_ordering(list(vars(cls)),
 * list(cls.__annotations__))` order, which puts annotation-only attributes after the
 * assigned ones that precede the next shared name. Reproduced exactly, since it decides the
 * column order of CREATE TABLE.
 */
export function mergeWithOrdering(a: string[], b: string[]): string[] {
  const overlap = new Set(a.filter((x) => b.includes(x)));
  const result: string[] = [];
  let current = a[Symbol.iterator]();
  let other = b[Symbol.iterator]();
  for (;;) {
    let swapped = false;
    for (let step = current.next(); !step.done; step = current.next()) {
      if (overlap.has(step.value)) {
        overlap.delete(step.value);
        [current, other] = [other, current];
        swapped = true;
        break;
      }
      result.push(step.value);
    }
    if (!swapped) {
      for (let step = other.next(); !step.done; step = other.next()) result.push(step.value);
      return result;
    }
  }
}

function readAttributes(classNode: Node): ClassAttribute[] {
  const body = classNode.childForFieldName('body');
  if (!body) return [];
  const vars: string[] = [];
  const annotations: string[] = [];
  const byName = new Map<string, ClassAttribute>();
  const record = (attr: ClassAttribute, inVars: boolean, annotated: boolean): void => {
    const known = byName.get(attr.name);
    // A later assignment replaces the value but keeps the first position, as a dict does.
    byName.set(attr.name, known ? { ...attr, annotation: attr.annotation ?? known.annotation } : attr);
    if (inVars && !vars.includes(attr.name)) vars.push(attr.name);
    if (annotated && !annotations.includes(attr.name)) annotations.push(attr.name);
  };
  for (const stmt of namedChildren(body)) {
    if (stmt.type === 'expression_statement') {
      const inner = namedChildren(stmt)[0];
      if (inner?.type !== 'assignment') continue;
      const left = inner.childForFieldName('left');
      if (left?.type !== 'identifier') continue;
      const value = inner.childForFieldName('right');
      const annotation = inner.childForFieldName('type');
      record(
        { name: left.text, value, annotation, statement: stmt, isFunction: false, declaredAttr: false },
        value !== null,
        annotation !== null,
      );
    } else if (stmt.type === 'function_definition' || stmt.type === 'decorated_definition') {
      const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      const name = def?.childForFieldName('name')?.text;
      if (!def || !name) continue;
      const declaredAttr =
        stmt.type === 'decorated_definition' &&
        namedChildren(stmt).some((d) => d.type === 'decorator' && /declared_attr/.test(d.text));
      record({ name, value: def, annotation: null, statement: stmt, isFunction: true, declaredAttr }, true, false);
    }
  }
  return mergeWithOrdering(vars, annotations).map((n) => byName.get(n)!);
}

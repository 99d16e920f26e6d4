import type { Node } from './syntax-tree.js';
import type { ModuleIndex, ModuleInfo } from './modules.js';
import { namedChildren, unwrap } from './syntax.js';

/** What a name or dotted expression refers to, as far as static reading can tell. */
export type Sym =
  /** Outside the source tree: a canonical dotted name (see `canonicalExternal`). */
  | { kind: 'external'; name: string }
  | { kind: 'class'; module: ModuleInfo; node: Node; name: string }
  /** A module-level `name = <node>`. */
  | { kind: 'value'; module: ModuleInfo; node: Node; name: string }
  | { kind: 'module'; module: ModuleInfo }
  /** A module-level `def`. */
  | { kind: 'function'; module: ModuleInfo; node: Node; name: string }
  /** `owner.name` where owner is a class or value of the tree (`User.id`, `Base.metadata`). */
  | { kind: 'member'; owner: Sym; name: string }
  | { kind: 'unknown' };

/** Where a name is looked up: a module, plus names bound in a class body or a call. */
export interface Scope {
  module: ModuleInfo;
  locals?: Map<string, Sym>;
}

const SQLALCHEMY_MODULES = new Set([
  'orm', 'types', 'sql', 'sqltypes', 'expression', 'functions', 'schema', 'dialects', 'postgresql', 'ext',
  'declarative', 'decl_api', 'json', 'base', 'ranges', 'array', 'named_types', 'elements', 'type_api',
  'asyncio', 'hybrid', 'mutable', 'associationproxy', 'psycopg2', 'asyncpg', 'psycopg', 'pg8000', 'sqltypes',
]);

/**
 * One spelling per SQLAlchemy name, whichever module it was imported from:
 * `sqlalchemy.dialects.postgresql.JSONB` and `sqlalchemy.types.String` become
 * `sa.JSONB` / `sa.String`; `typing_extensions.X` becomes `typing.X`; Flask-SQLAlchemy's
 * `db.Column` is `sa.Column`.
 */
export function canonicalExternal(dotted: string): string {
  let canonical = canonicalNames.get(dotted);
  if (canonical === undefined) {
    // A long-running process meets many trees: keep the memo bounded.
    if (canonicalNames.size >= 10_000) canonicalNames.clear();
    canonical = canonicalize(dotted);
    canonicalNames.set(dotted, canonical);
  }
  return canonical;
}

/** Resolution asks for the same few hundred names thousands of times per read. */
const canonicalNames = new Map<string, string>();

function canonicalize(dotted: string): string {
  const parts = dotted.split('.');
  // `sa.types` + `.JSON` arrives here already half canonical.
  if (parts[0] === 'sqlalchemy' || parts[0] === 'sa') {
    let i = 1;
    while (i < parts.length - 1 && SQLALCHEMY_MODULES.has(parts[i]!)) i++;
    return ['sa', ...parts.slice(i)].join('.');
  }
  if (parts[0] === 'typing_extensions') return ['typing', ...parts.slice(1)].join('.');
  return dotted;
}

const BUILTINS = new Set([
  'int', 'str', 'bool', 'float', 'bytes', 'dict', 'list', 'tuple', 'set', 'frozenset', 'object', 'None', 'type',
  'property', 'classmethod', 'staticmethod', 'super', 'range', 'len', 'sorted', 'getattr', 'setattr', 'hasattr',
  'isinstance', 'min', 'max', 'sum', 'any', 'all', 'map', 'filter', 'zip', 'enumerate', 'iter', 'next', 'repr',
]);

export class Resolver {
  /**
   * Module-level names resolved from the top (depth 0), per module: a pass resolves the same
   * few names (`Column`, `String`, `Base`) for every attribute. The index does not change
   * during a pass (modules are loaded between passes, each with a new Resolver), so a
   * name's symbol is fixed; the module demands it makes were recorded the first time.
   */
  private readonly memo = new Map<ModuleInfo, Map<string, Sym>>();

  constructor(private readonly index: ModuleIndex) {}

  /** The symbol an identifier or attribute chain names, in `scope`. */
  resolve(node: Node, scope: Scope, depth = 0): Sym {
    const n = unwrap(node);
    if (depth > 40) return { kind: 'unknown' };
    if (n.type === 'identifier') return this.resolveName(n.text, scope, depth);
    if (n.type === 'attribute') {
      const object = n.childForFieldName('object');
      const attribute = n.childForFieldName('attribute')?.text;
      if (!object || !attribute) return { kind: 'unknown' };
      return this.member(this.resolve(object, scope, depth + 1), attribute, depth);
    }
    if (n.type === 'none') return { kind: 'external', name: 'None' };
    // `TypeDecorator[Any]`, `Mapped[int]` as a base or an alias: the generic itself.
    if (n.type === 'subscript' || n.type === 'generic_type') {
      const head = n.type === 'subscript' ? n.childForFieldName('value') : namedChildren(n)[0];
      return head ? this.resolve(head, scope, depth + 1) : { kind: 'unknown' };
    }
    return { kind: 'unknown' };
  }

  resolveName(name: string, scope: Scope, depth = 0): Sym {
    const local = scope.locals?.get(name);
    if (local) return local;
    return this.inModule(scope.module, name, depth);
  }

  /** `owner.name`. */
  member(owner: Sym, name: string, depth = 0): Sym {
    switch (owner.kind) {
      case 'external':
        return { kind: 'external', name: canonicalExternal(`${owner.name}.${name}`) };
      case 'module': {
        const found = this.inModule(owner.module, name, depth + 1);
        if (found.kind !== 'unknown') return found;
        const sub = this.index.get(owner.module.name ? `${owner.module.name}.${name}` : name);
        return sub ? { kind: 'module', module: sub } : { kind: 'unknown' };
      }
      case 'value': {
        if (this.isFlaskSqlAlchemy(owner)) {
          return { kind: 'external', name: name === 'Model' ? 'flask_sqlalchemy.Model' : `sa.${name}` };
        }
        const target = unwrap(owner.node);
        if (target.type === 'identifier' || target.type === 'attribute') {
          return this.member(this.resolve(target, { module: owner.module }, depth + 1), name, depth + 1);
        }
        return { kind: 'member', owner, name };
      }
      case 'class':
      case 'member':
        return { kind: 'member', owner, name };
      case 'function':
        return { kind: 'unknown' };
      case 'unknown':
        return owner;
    }
  }

  /** The `db = SQLAlchemy()` of Flask-SQLAlchemy: its attributes are SQLAlchemy's names. */
  private isFlaskSqlAlchemy(sym: Sym & { kind: 'value' }): boolean {
    const node = unwrap(sym.node);
    if (node.type !== 'call') return false;
    const fn = node.childForFieldName('function');
    if (!fn) return false;
    return this.derivesFromFlaskSqlAlchemy(this.resolve(fn, { module: sym.module }), 0);
  }

  /** `SQLAlchemy` itself, or a subclass of it in the tree (`class RedashSQLAlchemy(SQLAlchemy)`). */
  private derivesFromFlaskSqlAlchemy(sym: Sym, depth: number): boolean {
    if (sym.kind === 'external') return /^flask_sqlalchemy\.(SQLAlchemy|extension\.SQLAlchemy)$/.test(sym.name);
    if (sym.kind !== 'class' || depth > 10) return false;
    return classBases(sym.node).some((b) => this.derivesFromFlaskSqlAlchemy(this.resolve(b, { module: sym.module }), depth + 1));
  }

  private inModule(module: ModuleInfo, name: string, depth: number): Sym {
    if (depth > 0) return this.lookUp(module, name, depth);
    let names = this.memo.get(module);
    if (!names) {
      names = new Map();
      this.memo.set(module, names);
    }
    let sym = names.get(name);
    if (!sym) {
      sym = this.lookUp(module, name, 0);
      names.set(name, sym);
    }
    return sym;
  }

  private lookUp(module: ModuleInfo, name: string, depth: number): Sym {
    if (depth > 40) return { kind: 'unknown' };
    const cls = module.classes.get(name);
    if (cls) return { kind: 'class', module, node: cls, name };
    const fn = module.functions.get(name);
    if (fn) return { kind: 'function', module, node: fn, name };
    const value = module.assignments.get(name);
    if (value) {
      const v = unwrap(value);
      // `Alias = Other` is the other name itself.
      if (v.type === 'identifier' || v.type === 'attribute') {
        const target = this.resolve(v, { module }, depth + 1);
        if (target.kind !== 'unknown') return target;
      }
      // So is `TypeDecorator = _TypeDecorator[Any]`; `Str50 = Annotated[str, 50]` stays an
      // alias, since the type_annotation_map may name it.
      if (v.type === 'subscript') {
        const target = this.resolve(v, { module }, depth + 1);
        if (target.kind === 'class' || (target.kind === 'external' && !target.name.startsWith('typing.'))) return target;
      }
      return { kind: 'value', module, node: value, name };
    }
    const binding = module.imports.get(name);
    if (binding) {
      if (binding.kind === 'module') {
        const target = this.index.get(binding.module);
        return target ? { kind: 'module', module: target } : { kind: 'external', name: canonicalExternal(binding.module) };
      }
      return this.fromModule(binding.module, binding.name, depth + 1);
    }
    for (const star of module.starImports) {
      const target = this.index.get(star);
      if (target) {
        const found = this.inModule(target, name, depth + 1);
        if (found.kind !== 'unknown') return found;
      } else if (star.startsWith('sqlalchemy')) {
        return { kind: 'external', name: canonicalExternal(`${star}.${name}`) };
      }
    }
    if (BUILTINS.has(name)) return { kind: 'external', name: `builtins.${name}` };
    return { kind: 'unknown' };
  }

  private fromModule(moduleName: string, name: string, depth: number): Sym {
    const target = this.index.get(moduleName);
    if (target) {
      const found = this.inModule(target, name, depth + 1);
      if (found.kind !== 'unknown') return found;
      const sub = this.index.get(`${moduleName}.${name}`);
      if (sub) return { kind: 'module', module: sub };
      return { kind: 'unknown' };
    }
    const sub = this.index.get(`${moduleName}.${name}`);
    if (sub) return { kind: 'module', module: sub };
    return { kind: 'external', name: canonicalExternal(`${moduleName}.${name}`) };
  }
}

/** The class's base-class expressions (keyword arguments such as `metaclass=` excluded). */
export function classBases(node: Node): Node[] {
  const list = node.childForFieldName('superclasses');
  return list ? namedChildren(list).filter((c) => c.type !== 'keyword_argument') : [];
}

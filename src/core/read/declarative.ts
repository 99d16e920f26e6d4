import type { Node } from './syntax-tree.js';
import { typeKey } from './annotations.js';
import { classKey, type ClassInfo, type Classes } from './classes.js';
import { NOT_CONSTANT, evaluateLiteral } from './literals.js';
import { DEFAULT_CONVENTION } from './naming.js';
import { classBases, type Scope, type Sym } from './symbols.js';
import { callArguments, namedChildren, unwrap } from './syntax.js';

/** What a `MetaData(...)` contributes to the tables on it. */
export interface MetadataInfo {
  convention: Record<string, string>;
  schema: string | null;
  /** Why the convention or schema could not be read, when it could not. */
  problem: { reason: string; node: Node; file: string } | null;
}

export interface TypeMapEntry {
  key: string;
  value: Node;
  scope: Scope;
}

/** A declarative base: `declarative_base()`, a `DeclarativeBase` subclass, Flask's `db.Model`. */
export interface DeclarativeBaseInfo {
  metadata: MetadataInfo;
  typeMap: TypeMapEntry[];
  /** Flask-SQLAlchemy's `db.Model`, whose metaclass adds rules of its own. */
  flask: boolean;
}

const BASE_CLASSES = new Set(['sa.DeclarativeBase', 'sa.DeclarativeBaseNoMeta']);
const BASE_FACTORIES = new Set(['sa.declarative_base']);
const BASE_DECORATORS = new Set(['sa.as_declarative']);
/** `@reg.mapped` on a plain class maps it with the registry's metadata. */
const REGISTRY_DECORATORS = new Set(['mapped', 'mapped_as_dataclass']);
const FLASK_MODEL = 'flask_sqlalchemy.Model';

export function defaultMetadata(): MetadataInfo {
  return { convention: DEFAULT_CONVENTION, schema: null, problem: null };
}

/** Finds the declarative base of classes, and reads `MetaData(...)` calls. */
export class Declarative {
  private readonly cache = new Map<string, DeclarativeBaseInfo | null>();

  constructor(private readonly classes: Classes) {}

  private get resolver() {
    return this.classes.resolver;
  }

  /** The declarative base a class derives from, or null when it derives from none. */
  baseOf(info: ClassInfo): DeclarativeBaseInfo | null {
    const key = classKey(info.sym);
    if (this.cache.has(key)) return this.cache.get(key)!;
    this.cache.set(key, null);
    let found: DeclarativeBaseInfo | null = null;
    for (const c of this.classes.mro(info)) {
      found = this.ownBase(c);
      if (found) break;
    }
    this.cache.set(key, found);
    return found;
  }

  /** The base class itself (`class Base(DeclarativeBase)`): it maps no table. */
  isBaseClass(info: ClassInfo): boolean {
    return (
      info.decorators.some((d) => d.kind === 'external' && BASE_DECORATORS.has(d.name)) ||
      info.bases.some((b) => b.kind === 'external' && BASE_CLASSES.has(b.name))
    );
  }

  /** Bases of the ancestry the reader cannot look into (imported from outside the tree, or unknown). */
  unresolvedBases(info: ClassInfo): Node[] {
    const out: Node[] = [];
    for (const c of this.classes.mro(info)) {
      const nodes = classBases(c.node);
      c.bases.forEach((b, i) => {
        const opaque = b.kind === 'unknown' || (b.kind === 'external' && !b.name.startsWith('sa.') && b.name !== 'builtins.object');
        if (opaque && nodes[i]) out.push(nodes[i]!);
      });
    }
    return out;
  }

  private ownBase(c: ClassInfo): DeclarativeBaseInfo | null {
    if (c.decorators.some((d) => d.kind === 'external' && BASE_DECORATORS.has(d.name))) return this.fromClassBody(c);
    for (const d of c.decorators) {
      if (d.kind !== 'member' || !REGISTRY_DECORATORS.has(d.name) || d.owner.kind !== 'value') continue;
      const registry = this.registryCall(d.owner.node, { module: d.owner.module });
      if (registry) return this.fromRegistry(registry);
    }
    for (const b of c.bases) {
      if (b.kind === 'external' && BASE_CLASSES.has(b.name)) return this.fromClassBody(c);
      if (b.kind === 'external' && b.name === FLASK_MODEL) return { metadata: defaultMetadata(), typeMap: [], flask: true };
      if (b.kind === 'value') {
        const made = this.fromFactory(b);
        if (made) return made;
      }
    }
    return null;
  }

  /** `class Base(DeclarativeBase): metadata = MetaData(...); type_annotation_map = {...}`. */
  private fromClassBody(c: ClassInfo): DeclarativeBaseInfo {
    const scope = { module: c.module };
    // `registry = registry(metadata=..., type_annotation_map=...)` configures both at once.
    const registry = c.byName.get('registry')?.value;
    const registryCall = registry ? this.registryCall(registry, scope) : null;
    const registryArgs = registryCall ? callArguments(registryCall.call).keywords : new Map<string, Node>();
    const metadata = c.byName.get('metadata')?.value ?? registryArgs.get('metadata');
    const typeMap = c.byName.get('type_annotation_map')?.value ?? registryArgs.get('type_annotation_map');
    return {
      metadata: metadata ? this.metadataOf(metadata, scope) : defaultMetadata(),
      typeMap: typeMap ? this.typeMapOf(typeMap, scope) : [],
      flask: false,
    };
  }

  /** `Base = declarative_base(metadata=...)` / `registry(...).generate_base()`. */
  private fromFactory(sym: Sym & { kind: 'value' }): DeclarativeBaseInfo | null {
    const call = unwrap(sym.node);
    if (call.type !== 'call') return null;
    const fn = call.childForFieldName('function');
    if (!fn) return null;
    const scope = { module: sym.module };
    const callee = this.resolver.resolve(fn, scope);
    const args = callArguments(call);
    if (callee.kind === 'external' && BASE_FACTORIES.has(callee.name)) {
      const metadata = args.keywords.get('metadata');
      const typeMap = args.keywords.get('type_annotation_map');
      return {
        metadata: metadata ? this.metadataOf(metadata, scope) : defaultMetadata(),
        typeMap: typeMap ? this.typeMapOf(typeMap, scope) : [],
        flask: false,
      };
    }
    if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'generate_base') {
      const registry = this.registryCall(fn.childForFieldName('object')!, scope);
      return registry ? this.fromRegistry(registry) : null;
    }
    return null;
  }

  /** `registry(metadata=..., type_annotation_map=...)`. */
  private fromRegistry(registry: { call: Node; scope: Scope }): DeclarativeBaseInfo {
    const regArgs = callArguments(registry.call);
    const metadata = regArgs.keywords.get('metadata');
    const typeMap = regArgs.keywords.get('type_annotation_map');
    return {
      metadata: metadata ? this.metadataOf(metadata, registry.scope) : defaultMetadata(),
      typeMap: typeMap ? this.typeMapOf(typeMap, registry.scope) : [],
      flask: false,
    };
  }

  private registryCall(node: Node, scope: Scope): { call: Node; scope: Scope } | null {
    let n = unwrap(node);
    let s = scope;
    if (n.type === 'identifier' || n.type === 'attribute') {
      const sym = this.resolver.resolve(n, scope);
      if (sym.kind !== 'value') return null;
      n = unwrap(sym.node);
      s = { module: sym.module };
    }
    if (n.type !== 'call') return null;
    const callee = this.resolver.resolve(n.childForFieldName('function')!, s);
    return callee.kind === 'external' && callee.name === 'sa.registry' ? { call: n, scope: s } : null;
  }

  /** The MetaData a `Table(name, <metadata>, ...)` argument names. */
  metadataOfArgument(node: Node, scope: Scope): MetadataInfo {
    const sym = this.resolver.resolve(node, scope);
    if (sym.kind === 'member' && sym.name === 'metadata') {
      const owner = sym.owner;
      if (owner.kind === 'class') return this.baseOf(this.classes.info(owner))?.metadata ?? defaultMetadata();
      if (owner.kind === 'value') return this.fromFactory(owner)?.metadata ?? defaultMetadata();
    }
    return this.metadataOf(node, scope);
  }

  /** `MetaData(naming_convention=..., schema=...)`, directly or through a name bound to it. */
  metadataOf(node: Node, scope: Scope, depth = 0): MetadataInfo {
    const n = unwrap(node);
    if (depth < 10 && (n.type === 'identifier' || n.type === 'attribute')) {
      const sym = this.resolver.resolve(n, scope);
      if (sym.kind === 'value') return this.metadataOf(sym.node, { module: sym.module }, depth + 1);
      if (sym.kind === 'member' && sym.name === 'metadata') return this.metadataOfArgument(n, scope);
    }
    if (n.type !== 'call') return defaultMetadata();
    const callee = this.resolver.resolve(n.childForFieldName('function')!, scope);
    if (callee.kind !== 'external' || callee.name !== 'sa.MetaData') return defaultMetadata();
    const args = callArguments(n);
    const result = defaultMetadata();
    const conventionNode = args.keywords.get('naming_convention');
    if (conventionNode) {
      const value = evaluateLiteral(conventionNode, scope, this.resolver);
      if (value !== NOT_CONSTANT && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const entries = Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string');
        // MetaData replaces the default convention only when given a non-empty one.
        if (entries.length) result.convention = Object.fromEntries(entries);
        if (entries.length !== Object.keys(value).length) {
          result.problem = {
            reason: 'naming_convention entries that are not strings (callables) cannot be applied statically',
            node: conventionNode,
            file: scope.module.file,
          };
        }
      } else {
        result.problem = {
          reason: 'naming_convention= is not a constant dict, so constraint names cannot be determined',
          node: conventionNode,
          file: scope.module.file,
        };
      }
    }
    const schemaNode = args.keywords.get('schema');
    if (schemaNode) {
      const value = evaluateLiteral(schemaNode, scope, this.resolver);
      if (typeof value === 'string') result.schema = value;
      else if (value !== null) {
        result.problem = { reason: 'MetaData(schema=) is not a constant', node: schemaNode, file: scope.module.file };
      }
    }
    return result;
  }

  private typeMapOf(node: Node, scope: Scope, depth = 0): TypeMapEntry[] {
    const n = unwrap(node);
    if (depth < 10 && n.type === 'identifier') {
      const sym = this.resolver.resolve(n, scope);
      if (sym.kind === 'value') return this.typeMapOf(sym.node, { module: sym.module }, depth + 1);
    }
    if (n.type !== 'dictionary') return [];
    const out: TypeMapEntry[] = [];
    for (const pair of namedChildren(n)) {
      const k = pair.childForFieldName('key');
      const v = pair.childForFieldName('value');
      if (!k || !v) continue;
      const key = typeKey(this.resolver.resolve(k, scope));
      if (key) out.push({ key, value: v, scope });
    }
    return out;
  }
}

import type { Node } from './syntax-tree.js';
import type { ColumnType, EnumType } from '../schema/model.js';
import type { ClassInfo, Classes, ClassSym } from './classes.js';
import { NOT_CONSTANT, evaluateLiteral, type JsonValue } from './literals.js';
import type { Scope, Sym } from './symbols.js';
import { callArguments, excerpt, locationOf, namedChildren, stringValue, unwrap } from './syntax.js';

/** An argument with the scope its expression is evaluated in. */
export interface Arg {
  node: Node;
  scope: Scope;
}

export interface TypeArgs {
  positional: Arg[];
  keywords: Map<string, Arg>;
}

/** The CHECK a non-native `Enum(..., create_constraint=True)` adds to its table. */
export interface EnumCheck {
  name: string | null;
  labels: string[];
}

export type TypeResult =
  | { ok: true; type: ColumnType; enum: EnumType | null; check?: EnumCheck; keywords?: TypeKeywords }
  | { ok: false; reason: string };

/** The keywords a SQLAlchemy type call was given, for the column reader to warn at those it drops. */
export interface TypeKeywords {
  type: string;
  given: (Arg & { keyword: string })[];
}

const NO_ARGS: TypeArgs = { positional: [], keywords: new Map() };

export function scalar(name: string, fields: Partial<ColumnType> = {}): ColumnType {
  return { name, length: null, precision: null, scale: null, arrayDimensions: 0, isEnum: false, ...fields };
}

export function argsOf(call: Node, scope: Scope): TypeArgs {
  const args = callArguments(call);
  return {
    positional: args.positional.map((node) => ({ node, scope })),
    keywords: new Map([...args.keywords].map(([k, node]) => [k, { node, scope }])),
  };
}

/** The Python type of a `Mapped[...]` annotation → the SQLAlchemy type its default map gives. */
const PYTHON_TYPES: Record<string, ColumnType> = {
  'builtins.int': scalar('integer'),
  'builtins.str': scalar('character varying'),
  'builtins.bool': scalar('boolean'),
  'builtins.float': scalar('double precision'),
  'builtins.bytes': scalar('bytea'),
  'decimal.Decimal': scalar('numeric'),
  'datetime.datetime': scalar('timestamp without time zone'),
  'datetime.date': scalar('date'),
  'datetime.time': scalar('time without time zone'),
  'datetime.timedelta': scalar('interval'),
  'uuid.UUID': scalar('uuid'),
};

/** SQLAlchemy types whose PostgreSQL type takes no arguments. */
const FIXED_TYPES: Record<string, string> = {
  Integer: 'integer', INTEGER: 'integer', INT: 'integer',
  BigInteger: 'bigint', BIGINT: 'bigint',
  SmallInteger: 'smallint', SMALLINT: 'smallint',
  Text: 'text', TEXT: 'text', UnicodeText: 'text', CLOB: 'text',
  Boolean: 'boolean', BOOLEAN: 'boolean',
  REAL: 'real', DOUBLE: 'double precision', Double: 'double precision', DOUBLE_PRECISION: 'double precision',
  Date: 'date', DATE: 'date',
  LargeBinary: 'bytea', BYTEA: 'bytea', PickleType: 'bytea', BLOB: 'bytea', BINARY: 'bytea', VARBINARY: 'bytea',
  Uuid: 'uuid', UUID: 'uuid',
  JSON: 'json', JSONB: 'jsonb',
  INET: 'inet', CIDR: 'cidr', MACADDR: 'macaddr', MACADDR8: 'macaddr8', MONEY: 'money', OID: 'oid',
  REGCLASS: 'regclass', REGCONFIG: 'regconfig', TSVECTOR: 'tsvector', TSQUERY: 'tsquery', HSTORE: 'hstore',
  CITEXT: 'citext',
  INT4RANGE: 'int4range', INT8RANGE: 'int8range', NUMRANGE: 'numrange', DATERANGE: 'daterange',
  TSRANGE: 'tsrange', TSTZRANGE: 'tstzrange', INT4MULTIRANGE: 'int4multirange', INT8MULTIRANGE: 'int8multirange',
  NUMMULTIRANGE: 'nummultirange', DATEMULTIRANGE: 'datemultirange', TSMULTIRANGE: 'tsmultirange',
  TSTZMULTIRANGE: 'tstzmultirange',
};

const VARCHAR_TYPES = new Set(['String', 'VARCHAR', 'Unicode', 'NVARCHAR']);
const CHAR_TYPES = new Set(['CHAR', 'NCHAR']);
const NUMERIC_TYPES = new Set(['Numeric', 'NUMERIC', 'DECIMAL']);
const FLOAT_TYPES = new Set(['Float', 'FLOAT']);
const TIMESTAMP_TYPES = new Set(['DateTime', 'DATETIME', 'TIMESTAMP']);
const TIME_TYPES = new Set(['Time', 'TIME']);
const INTERVAL_TYPES = new Set(['Interval', 'INTERVAL']);
const ENUM_TYPES = new Set(['Enum', 'ENUM']);
const ARRAY_TYPES = new Set(['ARRAY']);

export const INTEGER_TYPES = new Set(['integer', 'bigint', 'smallint']);

/** Turns SQLAlchemy type expressions and Python annotations into PostgreSQL types. */
export class TypeReader {
  constructor(private readonly classes: Classes) {}

  private get resolver() {
    return this.classes.resolver;
  }

  /** A type expression: `String(50)`, `sa.Enum(Status)`, `ARRAY(Integer)`, a TypeDecorator… */
  fromExpression(node: Node, scope: Scope, depth = 0): TypeResult {
    const n = unwrap(node);
    if (depth > 10) return { ok: false, reason: 'the type refers to itself' };
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      if (!fn) return unknownType(n);
      // `MutableDict.as_mutable(JSONB)`: change tracking around the type it is given.
      if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'as_mutable') {
        const inner = callArguments(n).positional[0];
        return inner ? this.fromExpression(inner, scope, depth + 1) : unknownType(n);
      }
      // `JSON().with_variant(JSONB(), "postgresql")`: the variant is what PostgreSQL gets.
      if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'with_variant') {
        const args = callArguments(n);
        const dialects = args.positional.slice(1).map((a) => evaluateLiteral(a, scope, this.resolver));
        const isPostgres = dialects.some((d) => d === 'postgresql' || (Array.isArray(d) && d.includes('postgresql')));
        const target = isPostgres ? args.positional[0] : fn.childForFieldName('object');
        return target ? this.fromExpression(target, scope, depth + 1) : unknownType(n);
      }
      const args = this.expandedArgs(n, scope);
      if (!args) return { ok: false, reason: `the *arguments of ${excerpt(n)} are not a constant list` };
      return this.fromSymbol(this.resolver.resolve(fn, scope), args, n, depth);
    }
    if (n.type === 'identifier' || n.type === 'attribute') {
      return this.fromSymbol(this.resolver.resolve(n, scope), NO_ARGS, n, depth);
    }
    return unknownType(n);
  }

  /** A type call's arguments, `Enum(*STATUSES, name="status")` spread out; null when a splat is not constant. */
  private expandedArgs(call: Node, scope: Scope): TypeArgs | null {
    const args = argsOf(call, scope);
    const list = call.childForFieldName('arguments');
    const splats = list ? namedChildren(list).filter((a) => a.type === 'list_splat' || a.type === 'dictionary_splat') : [];
    for (const splat of splats) {
      const inner = namedChildren(splat)[0];
      const sym = inner && splat.type === 'list_splat' ? this.resolver.resolve(inner, scope) : null;
      const items = sym?.kind === 'value' ? unwrap(sym.node) : null;
      if (!sym || sym.kind !== 'value' || !items || !['list', 'tuple'].includes(items.type)) return null;
      // Spread after the plain positional arguments: `Enum(*VALUES, name=...)` in practice.
      args.positional.push(...namedChildren(items).map((node) => ({ node, scope: { module: sym.module } })));
    }
    return args;
  }

  private fromSymbol(sym: Sym, args: TypeArgs, node: Node, depth: number): TypeResult {
    if (sym.kind === 'external' && sym.name.startsWith('sa.')) {
      const name = sym.name.slice(3).split('.').pop()!;
      const result = this.sqlalchemyType(name, args, node);
      if (!result.ok || !args.keywords.size) return result;
      return { ...result, keywords: { type: name, given: [...args.keywords].map(([keyword, arg]) => ({ keyword, ...arg })) } };
    }
    if (sym.kind === 'value') {
      if (args.positional.length || args.keywords.size) return unknownType(node);
      return this.fromExpression(sym.node, { module: sym.module }, depth + 1);
    }
    if (sym.kind === 'class') {
      const info = this.classes.info(sym);
      if (this.classes.isTypeDecorator(info)) return this.typeDecorator(info, args, node, depth);
      if (this.classes.isEnum(info)) {
        return { ok: false, reason: `${info.name} is a Python enum, not a column type: wrap it in Enum(${info.name})` };
      }
    }
    return unknownType(node);
  }

  /**
   * A TypeDecorator is its `impl`; constructor arguments reach the impl through
   * TypeDecorator.__init__, or through a custom __init__'s `super().__init__(...)` call.
   */
  private typeDecorator(info: ClassInfo, args: TypeArgs, node: Node, depth: number): TypeResult {
    const dialectImpl = this.postgresqlDialectImpl(info);
    if (dialectImpl) return this.fromExpression(dialectImpl.node, dialectImpl.scope, depth + 1);
    const impl = this.classes.lookup(info, 'impl');
    if (!impl?.attribute.value) return { ok: false, reason: `TypeDecorator ${info.name} has no readable impl` };
    const implNode = unwrap(impl.attribute.value);
    const implScope = { module: impl.owner.module };
    if (implNode.type === 'call') return this.fromExpression(implNode, implScope, depth + 1);
    const init = this.classes.lookup(info, '__init__');
    let forwarded = args;
    if (init?.attribute.isFunction && init.attribute.value) {
      const bound = forwardedBySuperInit(init.attribute.value, args, { module: init.owner.module });
      if (!bound) return { ok: false, reason: `the arguments ${info.name}.__init__ passes to its impl cannot be read` };
      forwarded = bound;
    }
    return this.fromSymbol(this.resolver.resolve(implNode, implScope), forwarded, node, depth + 1);
  }

  /**
   * SQLAlchemy's documented platform-independent pattern: `load_dialect_impl()` returning
   * `dialect.type_descriptor(X)` under `if dialect.name == "postgresql":` means PostgreSQL
   * gets X, whatever `impl` says.
   */
  private postgresqlDialectImpl(info: ClassInfo): Arg | null {
    const method = this.classes.lookup(info, 'load_dialect_impl');
    if (!method?.attribute.isFunction || !method.attribute.value) return null;
    const fn = method.attribute.value.type === 'decorated_definition'
      ? method.attribute.value.childForFieldName('definition')
      : method.attribute.value;
    for (const branch of fn?.descendantsOfType('if_statement') ?? []) {
      const condition = branch?.childForFieldName('condition')?.text.replace(/\s+/g, '') ?? '';
      if (!/^dialect\.name==["']postgresql["']$/.test(condition)) continue;
      const ret = branch!.childForFieldName('consequence')?.descendantsOfType('return_statement')[0];
      const value = ret ? namedChildren(ret)[0] : undefined;
      const call = value ? unwrap(value) : null;
      const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
      if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'type_descriptor') continue;
      const arg = callArguments(call!).positional[0];
      if (arg) return { node: arg, scope: { module: method.owner.module } };
    }
    return null;
  }

  private literal(arg: Arg | undefined): JsonValue | typeof NOT_CONSTANT | undefined {
    return arg ? evaluateLiteral(arg.node, arg.scope, this.resolver) : undefined;
  }

  private intArg(args: TypeArgs, index: number, keyword: string): number | null | 'bad' {
    const v = this.literal(args.keywords.get(keyword) ?? args.positional[index]);
    if (v === undefined || v === null) return null;
    return typeof v === 'number' && Number.isInteger(v) ? v : 'bad';
  }

  private boolArg(args: TypeArgs, index: number, keyword: string): boolean | 'bad' {
    const v = this.literal(args.keywords.get(keyword) ?? args.positional[index]);
    if (v === undefined) return false;
    return typeof v === 'boolean' ? v : 'bad';
  }

  private sqlalchemyType(name: string, args: TypeArgs, node: Node): TypeResult {
    const fixed = FIXED_TYPES[name];
    if (fixed) return { ok: true, type: scalar(fixed), enum: null };
    const bad = (what: string): TypeResult => ({ ok: false, reason: `the ${what} of ${name}(...) is not a constant` });
    if (VARCHAR_TYPES.has(name) || CHAR_TYPES.has(name)) {
      const length = this.intArg(args, 0, 'length');
      if (length === 'bad') return bad('length');
      if (CHAR_TYPES.has(name)) return { ok: true, type: scalar('character', { length: length ?? 1 }), enum: null };
      return { ok: true, type: scalar('character varying', { length }), enum: null };
    }
    if (NUMERIC_TYPES.has(name)) {
      const precision = this.intArg(args, 0, 'precision');
      const scale = this.intArg(args, 1, 'scale');
      if (precision === 'bad' || scale === 'bad') return bad('precision');
      const type = scalar('numeric', precision === null ? {} : { precision, scale: scale ?? 0 });
      return { ok: true, type, enum: null };
    }
    if (FLOAT_TYPES.has(name)) {
      const precision = this.intArg(args, 0, 'precision');
      if (precision === 'bad') return bad('precision');
      return { ok: true, type: scalar(precision !== null && precision <= 24 ? 'real' : 'double precision'), enum: null };
    }
    if (TIMESTAMP_TYPES.has(name) || TIME_TYPES.has(name)) {
      const timezone = this.boolArg(args, 0, 'timezone');
      const precision = this.intArg(args, 1, 'precision');
      if (timezone === 'bad' || precision === 'bad') return bad('timezone or precision');
      const base = TIME_TYPES.has(name) ? 'time' : 'timestamp';
      return {
        ok: true,
        type: scalar(`${base} ${timezone ? 'with' : 'without'} time zone`, { precision }),
        enum: null,
      };
    }
    if (INTERVAL_TYPES.has(name)) {
      // Interval(native, second_precision, day_precision) reaches PostgreSQL as INTERVAL(second_precision).
      const precision = name === 'INTERVAL' ? this.intArg(args, 0, 'precision') : this.intArg(args, 1, 'second_precision');
      if (precision === 'bad') return bad('precision');
      return { ok: true, type: scalar('interval', { precision }), enum: null };
    }
    if (name === 'BIT') {
      const length = this.intArg(args, 0, 'length');
      const varying = this.boolArg(args, 1, 'varying');
      if (length === 'bad' || varying === 'bad') return bad('length');
      return { ok: true, type: scalar(varying ? 'bit varying' : 'bit', { length: length ?? (varying ? null : 1) }), enum: null };
    }
    if (ARRAY_TYPES.has(name)) {
      const item = args.keywords.get('item_type') ?? args.positional[0];
      if (!item) return { ok: false, reason: 'ARRAY() needs an item type' };
      const inner = this.fromExpression(item.node, item.scope);
      if (!inner.ok) return inner;
      const dims = this.intArg(args, 2, 'dimensions');
      if (dims === 'bad') return bad('dimensions');
      return { ok: true, type: { ...inner.type, arrayDimensions: inner.type.arrayDimensions + (dims ?? 1) }, enum: inner.enum };
    }
    if (ENUM_TYPES.has(name)) return this.enumType(args, node);
    return { ok: false, reason: `the SQLAlchemy type ${name} has no known PostgreSQL type` };
  }

  /** `Enum(PyEnum)` / `Enum("a", "b", name=...)`: a native enum type, or varchar when not native. */
  enumType(args: TypeArgs, node: Node, enumClass?: ClassInfo): TypeResult {
    let labels: string[] = [];
    let defaultName: string | null = null;
    let location = locationOf(args.positional[0]?.scope.module.file ?? '', node);
    const first = args.positional[0];
    const cls = enumClass ?? (first ? this.enumClassOf(first) : null);
    if (cls) {
      const members = enumMembers(cls, this.classes);
      const valuesCallable = args.keywords.get('values_callable');
      if (valuesCallable) {
        if (!/\.value\b/.test(valuesCallable.node.text)) {
          return { ok: false, reason: 'values_callable= other than [e.value for e in x] cannot be evaluated' };
        }
        const values = members.map((m) => m.value);
        if (values.some((v) => v === null)) return { ok: false, reason: `the values of ${cls.name} are not all constants` };
        labels = values as string[];
      } else {
        labels = members.map((m) => m.name);
      }
      defaultName = cls.name.toLowerCase();
      location = locationOf(cls.module.file, cls.node);
    } else {
      for (const a of args.positional) {
        const v = stringValue(a.node);
        if (v === null) return { ok: false, reason: 'the labels of Enum(...) are not string constants' };
        labels.push(v);
      }
    }
    const nativeArg = this.literal(args.keywords.get('native_enum'));
    const native = nativeArg === undefined ? true : nativeArg;
    if (typeof native !== 'boolean') return { ok: false, reason: 'native_enum= is not a constant' };
    if (!native) {
      const length = this.intArg(args, -1, 'length');
      if (length === 'bad') return { ok: false, reason: 'length= is not a constant' };
      const longest = labels.reduce((m, l) => Math.max(m, l.length), 0);
      const type = scalar('character varying', { length: length ?? longest });
      const create = this.literal(args.keywords.get('create_constraint'));
      if (create !== undefined && typeof create !== 'boolean') return { ok: false, reason: 'create_constraint= is not a constant' };
      if (create !== true) return { ok: true, type, enum: null };
      const nameArg = this.literal(args.keywords.get('name'));
      if (nameArg !== undefined && nameArg !== null && typeof nameArg !== 'string') return { ok: false, reason: 'the enum name= is not a string constant' };
      // The CHECK takes the enum's name (an explicit name=None leaves it to the convention or PostgreSQL).
      const checkName = nameArg === undefined ? defaultName : nameArg;
      return { ok: true, type, enum: null, check: { name: checkName, labels } };
    }
    const nameArg = this.literal(args.keywords.get('name'));
    const name = typeof nameArg === 'string' ? nameArg : defaultName;
    if (nameArg !== undefined && typeof nameArg !== 'string') return { ok: false, reason: 'the enum name= is not a string constant' };
    if (!name) return { ok: false, reason: 'a PostgreSQL enum type needs a name: pass name= to Enum(...)' };
    if (!labels.length) return { ok: false, reason: `the enum type ${name} is given no labels here, so its values are unknown` };
    const schemaArg = this.literal(args.keywords.get('schema'));
    return {
      ok: true,
      type: scalar(name, { isEnum: true }),
      enum: { name, schema: typeof schemaArg === 'string' ? schemaArg : null, labels, location },
    };
  }

  private enumClassOf(arg: Arg): ClassInfo | null {
    const sym = this.resolver.resolve(arg.node, arg.scope);
    if (sym.kind !== 'class') return null;
    const info = this.classes.info(sym);
    return this.classes.isEnum(info) ? info : null;
  }

  /** The type SQLAlchemy's default type map gives a Python type (Mapped[X] with no type). */
  fromPythonType(sym: Sym, node: Node): TypeResult {
    if (sym.kind === 'external') {
      const t = PYTHON_TYPES[sym.name];
      if (t) return { ok: true, type: t, enum: null };
    }
    if (sym.kind === 'class') {
      const info = this.classes.info(sym as ClassSym);
      if (this.classes.isEnum(info)) return this.enumType(NO_ARGS, node, info);
    }
    return { ok: false, reason: `no SQLAlchemy type is known for the annotation ${excerpt(node)}` };
  }

  /** `Literal["a", "b"]`: a non-native Enum, i.e. varchar as long as the longest value. */
  fromLiteral(values: Node[]): TypeResult {
    let longest = 0;
    for (const v of values) {
      const s = stringValue(v);
      if (s === null) return { ok: false, reason: 'only Literal[...] of strings maps to a column type' };
      longest = Math.max(longest, s.length);
    }
    return { ok: true, type: scalar('character varying', { length: longest }), enum: null };
  }
}

function unknownType(node: Node): TypeResult {
  return { ok: false, reason: `the column type ${excerpt(node)} cannot be determined statically` };
}

interface EnumMember {
  name: string;
  value: string | null;
}

/** Members in declaration order; aliases (a repeated value) are left out, as SQLAlchemy does. */
export function enumMembers(cls: ClassInfo, classes: Classes): EnumMember[] {
  const members: EnumMember[] = [];
  const seenValues = new Set<string>();
  for (const attr of cls.attributes) {
    if (attr.isFunction || !attr.value || attr.name.startsWith('_')) continue;
    const v = evaluateLiteral(attr.value, { module: cls.module }, classes.resolver);
    const key = v === NOT_CONSTANT ? null : JSON.stringify(v);
    if (key !== null && seenValues.has(key)) continue;
    if (key !== null) seenValues.add(key);
    members.push({ name: attr.name, value: v === NOT_CONSTANT ? null : v === null ? null : String(v) });
  }
  return members;
}

/**
 * Binds a call's arguments to `__init__`'s parameters and returns the arguments of its
 * `super().__init__(...)` call, or null when that cannot be followed.
 */
function forwardedBySuperInit(init: Node, args: TypeArgs, initScope: Scope): TypeArgs | null {
  const params = init.childForFieldName('parameters');
  const body = init.childForFieldName('body');
  if (!params || !body) return null;
  const bound = new Map<string, Arg>();
  let extraKeywords: string | null = null;
  let extraPositional: string | null = null;
  let keywordOnly = false;
  let positional = [...args.positional];
  const keywords = new Map(args.keywords);
  const list = namedChildren(params).slice(1);
  for (const param of list) {
    // `*args: Any` / `**kwargs: Any` are typed parameters around the splat pattern.
    const inner = param.type === 'typed_parameter' ? namedChildren(param)[0] : undefined;
    const p = inner && (inner.type === 'list_splat_pattern' || inner.type === 'dictionary_splat_pattern') ? inner : param;
    if (p.type === 'dictionary_splat_pattern') {
      extraKeywords = namedChildren(p)[0]?.text ?? null;
      continue;
    }
    if (p.type === 'list_splat_pattern' || p.type === 'keyword_separator') {
      if (p.type === 'list_splat_pattern') extraPositional = namedChildren(p)[0]?.text ?? null;
      keywordOnly = true;
      continue;
    }
    const nameNode = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? namedChildren(p)[0]);
    const name = nameNode?.text;
    if (!name) return null;
    const defaultValue = p.childForFieldName('value');
    if (keywords.has(name)) {
      bound.set(name, keywords.get(name)!);
      keywords.delete(name);
    } else if (positional.length && !keywordOnly) {
      bound.set(name, positional[0]!);
      positional = positional.slice(1);
    } else if (defaultValue) {
      bound.set(name, { node: defaultValue, scope: initScope });
    }
  }
  const superCall = body.descendantsOfType('call').find((c) => {
    const fn = c?.childForFieldName('function');
    return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === '__init__' && /^super\(/.test(fn.text);
  });
  if (!superCall) return { positional: [], keywords: new Map() };
  const out: TypeArgs = { positional: [], keywords: new Map() };
  const substitute = (node: Node): Arg =>
    unwrap(node).type === 'identifier' && bound.has(unwrap(node).text)
      ? bound.get(unwrap(node).text)!
      : { node, scope: initScope };
  const argList = superCall.childForFieldName('arguments');
  for (const a of argList ? namedChildren(argList) : []) {
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name')?.text;
      const v = a.childForFieldName('value');
      if (k && v) out.keywords.set(k, substitute(v));
    } else if (a.type === 'dictionary_splat') {
      if (namedChildren(a)[0]?.text !== extraKeywords) return null;
      for (const [k, v] of keywords) out.keywords.set(k, v);
    } else if (a.type === 'list_splat') {
      if (extraPositional === null || namedChildren(a)[0]?.text !== extraPositional) return null;
      out.positional.push(...positional);
    } else {
      out.positional.push(substitute(a));
    }
  }
  return out;
}

import type { Node } from './syntax-tree.js';
import type { ColumnType, EnumType, PythonDefault, SourceLocation } from '../schema/model.js';
import { genericParts, peelPythonType, typeKey, type MappedAnnotation } from './annotations.js';
import { at, calleeName, infoDict, literal, type ReaderContext } from './context.js';
import { readCheck, readForeignKey } from './constraints.js';
import type { TypeMapEntry } from './declarative.js';
import type { ColumnDraft, ForeignKeyDraft } from './drafts.js';
import { quoteSqlString, sqlLiteral } from './literals.js';
import { renderClause, type SqlContext } from './sql-expression.js';
import type { Scope } from './symbols.js';
import { callArguments, excerpt, stringValue, unwrap } from './syntax.js';
import type { EnumCheck, TypeResult } from './types.js';
import { COLUMN_KEYWORDS, TYPE_KEYWORDS, warnUnreadKeywords } from './unread-keywords.js';

/** SQLAlchemy callables that declare a column. */
export const COLUMN_FACTORIES = new Set(['sa.Column', 'sa.mapped_column']);

/** One call contributing arguments: `Annotated[..., mapped_column(...)]` extras, then the attribute's own. */
interface ArgSource {
  call: Node;
  scope: Scope;
  /** Leading positional arguments that are not the column's (`partial(Column, ...)`'s Column). */
  skip?: number;
}

/** How a call makes a column: `Column`/`mapped_column` themselves, or a `functools.partial` of one. */
export interface ColumnFactory {
  mapped: boolean;
  /** The partial's call, whose arguments come before the call's own. */
  defaults: ArgSource | null;
}

/** The column factory a call uses, or null when it makes no column the reader knows. */
export function columnFactory(ctx: ReaderContext, call: Node, scope: Scope): ColumnFactory | null {
  const name = calleeName(ctx, call, scope);
  if (name && COLUMN_FACTORIES.has(name)) return { mapped: name === 'sa.mapped_column', defaults: null };
  const fn = call.type === 'call' ? call.childForFieldName('function') : null;
  const sym = fn ? ctx.resolver.resolve(fn, scope) : null;
  if (sym?.kind !== 'value') return null;
  // `Column = functools.partial(db.Column, nullable=False)`
  const partial = unwrap(sym.node);
  const partialScope = { module: sym.module };
  if (partial.type !== 'call' || calleeName(ctx, partial, partialScope) !== 'functools.partial') return null;
  const target = callArguments(partial).positional[0];
  const inner = target ? ctx.resolver.resolve(target, partialScope) : null;
  if (inner?.kind !== 'external' || !COLUMN_FACTORIES.has(inner.name)) return null;
  return { mapped: inner.name === 'sa.mapped_column', defaults: { call: partial, scope: partialScope, skip: 1 } };
}

export interface ColumnSpec {
  /** The attribute name (or, in a `Table(...)`, the column name). */
  key: string;
  /** `Column(...)`/`mapped_column(...)`; null for an annotation-only attribute. */
  call: Node | null;
  scope: Scope;
  annotation: MappedAnnotation;
  typeMap: TypeMapEntry[];
  location: SourceLocation;
}

/** Reads one column; null (with an error diagnostic) when it cannot be determined. */
export function readColumn(ctx: ReaderContext, spec: ColumnSpec): ColumnDraft | null {
  const { location } = spec;
  const factory = spec.call ? columnFactory(ctx, spec.call, spec.scope) : null;
  const mappedStyle = spec.call === null || factory?.mapped === true;
  const peeled =
    spec.annotation.kind === 'column' && spec.annotation.inner
      ? peelPythonType(spec.annotation.inner, spec.annotation.scope, ctx.resolver)
      : null;
  const sources: ArgSource[] = [...(peeled?.annotatedColumns.map((a) => ({ call: unwrap(a.node), scope: a.scope })) ?? [])];
  if (factory?.defaults) sources.push(factory.defaults);
  if (spec.call) sources.push({ call: spec.call, scope: spec.scope });

  let name = spec.key;
  let typeArg: { node: Node; scope: Scope } | null = null;
  const keywords = new Map<string, { node: Node; scope: Scope }>();
  const foreignKeys: ForeignKeyDraft[] = [];
  const checkCalls: { node: Node; scope: Scope }[] = [];
  let identityCall: { node: Node; scope: Scope } | null = null;
  let computedCall: { node: Node; scope: Scope } | null = null;
  let sequenceCall: Node | null = null;

  for (const source of sources) {
    const args = callArguments(source.call);
    if (args.hasSplat) {
      ctx.diagnostics.error('unreadable-column', `the arguments of column ${spec.key} use * or ** and cannot be read statically`, location);
      return null;
    }
    const positional = args.positional.slice(source.skip ?? 0);
    const given = positional[0] ? stringValue(positional[0]) : null;
    if (given !== null) {
      name = given;
      positional.shift();
    }
    for (const [k, v] of args.keywords) keywords.set(k, { node: v, scope: source.scope });
    for (const p of positional) {
      const n = unwrap(p);
      const callee = n.type === 'call' ? calleeName(ctx, n, source.scope) : null;
      if (callee === 'sa.ForeignKey') {
        const fk = readForeignKey(ctx, n, source.scope, spec.key);
        if (!fk) return null;
        foreignKeys.push(fk);
      } else if (callee === 'sa.Identity') identityCall = { node: n, scope: source.scope };
      else if (callee === 'sa.Computed') computedCall = { node: n, scope: source.scope };
      else if (callee === 'sa.CheckConstraint') checkCalls.push({ node: n, scope: source.scope });
      else if (callee === 'sa.Sequence') {
        // SQLAlchemy then draws values from the sequence client-side: no SERIAL, no DDL default.
        sequenceCall = n;
        ctx.diagnostics.warning('sequence-ignored', `the Sequence(...) of column ${spec.key} is not part of the schema model`, at(source.scope, n));
      } else if (callee === 'sa.FetchedValue' || callee === 'sa.DefaultClause' || n.type === 'none') {
        // `Column(None, ForeignKey(...))`: no type, so the referenced column's.
        continue;
      } else typeArg = { node: n, scope: source.scope };
    }
  }
  const kw = (k: string) => keywords.get(k);
  warnUnreadKeywords(ctx, `column ${spec.key}`, [...keywords].map(([keyword, arg]) => ({ keyword, ...arg })), COLUMN_KEYWORDS);
  const nameKw = kw('name');
  if (nameKw) {
    const v = literal(ctx, nameKw.node, nameKw.scope);
    if (!v.ok || typeof v.value !== 'string') {
      ctx.diagnostics.error('unreadable-column', `the name= of column ${spec.key} is not a constant`, location);
      return null;
    }
    name = v.value;
  }
  typeArg = kw('type_') ?? typeArg;

  const flag = (k: string): boolean | null | 'bad' => {
    const arg = kw(k);
    if (!arg) return null;
    const v = literal(ctx, arg.node, arg.scope);
    if (!v.ok || (typeof v.value !== 'boolean' && v.value !== null)) return 'bad';
    return v.value as boolean | null;
  };
  const flags: Record<'primary_key' | 'nullable' | 'index' | 'unique', boolean | null> = {
    primary_key: null,
    nullable: null,
    index: null,
    unique: null,
  };
  for (const k of Object.keys(flags) as (keyof typeof flags)[]) {
    const v = flag(k);
    if (v === 'bad') {
      ctx.diagnostics.error('unreadable-column', `${k}= of column ${spec.key} is not a constant True/False`, at(kw(k)!.scope, kw(k)!.node));
      return null;
    }
    flags[k] = v;
  }

  // The type: explicit, else the annotation (type_annotation_map first), else the foreign key's.
  let type: ColumnType | null = null;
  let enumType: EnumType | null = null;
  let enumCheck: EnumCheck | null = null;
  let result: TypeResult | null = null;
  if (typeArg) result = ctx.types.fromExpression(typeArg.node, typeArg.scope);
  // SQLAlchemy applies the annotation's type only to a column without a foreign key.
  else if (peeled && !foreignKeys.length) result = annotationType(ctx, peeled, spec.typeMap);
  if (result && !result.ok) {
    ctx.diagnostics.error('unknown-column-type', `column ${spec.key}: ${result.reason}`, typeArg ? at(typeArg.scope, typeArg.node) : location);
    return null;
  }
  if (result?.ok) {
    if (result.keywords) warnUnreadKeywords(ctx, `${result.keywords.type}(...) of column ${spec.key}`, result.keywords.given, TYPE_KEYWORDS);
    type = result.type;
    enumType = result.enum;
    enumCheck = result.check ?? null;
  } else if (!foreignKeys.length) {
    ctx.diagnostics.error('unknown-column-type', `column ${spec.key} has no type: give it one, or a Mapped[...] annotation`, location);
    return null;
  }

  const identity = identityCall ? readIdentity(ctx, identityCall.node, identityCall.scope) : null;
  const computed = computedCall ? readComputed(ctx, computedCall.node, computedCall.scope, spec.key) : null;

  const primaryKey = flags.primary_key === true;
  let nullable: boolean;
  if (flags.nullable !== null) nullable = flags.nullable;
  else if (primaryKey || identity) nullable = false;
  else if (mappedStyle && peeled) nullable = peeled.optional;
  else nullable = true;
  // PostgreSQL makes every primary-key column NOT NULL, whatever the model says.
  if (primaryKey) nullable = false;

  const autoincrementArg = kw('autoincrement');
  let autoincrement: ColumnDraft['autoincrement'] = 'auto';
  if (autoincrementArg) {
    const v = literal(ctx, autoincrementArg.node, autoincrementArg.scope);
    if (v.ok && (typeof v.value === 'boolean' || v.value === 'auto' || v.value === 'ignore_fk')) autoincrement = v.value;
  }

  const sortArg = kw('sort_order');
  const sortValue = sortArg ? literal(ctx, sortArg.node, sortArg.scope) : null;
  const comment = readComment(ctx, kw('comment'), spec.key);
  const infoArg = kw('info');

  const keyArg = kw('key');
  const keyValue = keyArg ? literal(ctx, keyArg.node, keyArg.scope) : null;
  const column: ColumnDraft = {
    key: spec.key,
    name,
    columnKey: keyValue?.ok && typeof keyValue.value === 'string' ? keyValue.value : name,
    type,
    enum: enumType,
    nullable,
    primaryKey,
    index: flags.index === true,
    unique: flags.unique === true,
    serverDefault: null,
    default: sequenceCall
      ? { python: sequenceCall.text, sql: null }
      : readDefault(ctx, kw('default') ?? kw('insert_default') ?? kw('default_factory'), Boolean(kw('default_factory') && !kw('default') && !kw('insert_default'))),
    autoincrement,
    identity,
    computed,
    comment,
    info: infoArg ? infoDict(ctx, infoArg.node, infoArg.scope) : {},
    sortOrder: sortValue?.ok && typeof sortValue.value === 'number' ? sortValue.value : 0,
    location,
    checks: [],
    foreignKeys,
  };
  const serverDefault = kw('server_default');
  if (serverDefault) column.serverDefault = readServerDefault(ctx, serverDefault.node, serverDefault.scope, spec.key);
  for (const c of checkCalls) {
    const check = readCheck(ctx, c.node, c.scope, columnSqlContext(ctx, c.scope, column));
    if (check) column.checks.push(check);
  }
  if (enumCheck) {
    const labels = enumCheck.labels.map(quoteSqlString).join(', ');
    column.checks.push({ name: enumCheck.name, expression: `${quoteIdentifier(name)} IN (${labels})`, columns: [spec.key], location });
  }
  return column;
}

function columnSqlContext(ctx: ReaderContext, scope: Scope, column: ColumnDraft): SqlContext {
  return { scope, resolver: ctx.resolver, column: (n) => (n === column.key || n === column.name ? column.name : null) };
}

/** The type of `Mapped[X]` for a column with no explicit type. */
function annotationType(ctx: ReaderContext, peeled: ReturnType<typeof peelPythonType>, typeMap: TypeMapEntry[]): TypeResult {
  if (peeled.ambiguous) return { ok: false, reason: `the annotation ${excerpt(peeled.node)} is a union of several types` };
  const candidates = [...peeled.aliases, { node: peeled.node, scope: peeled.scope }];
  for (const candidate of candidates) {
    const key = typeKey(ctx.resolver.resolve(candidate.node, candidate.scope));
    const entry = key ? typeMap.find((e) => e.key === key) : undefined;
    if (entry) return ctx.types.fromExpression(entry.value, entry.scope);
  }
  const parts = genericParts(peeled.node);
  if (parts) {
    const head = ctx.resolver.resolve(parts.head, peeled.scope);
    if (head.kind === 'external' && head.name === 'typing.Literal') return ctx.types.fromLiteral(parts.args);
    return { ok: false, reason: `no SQLAlchemy type is known for the annotation ${excerpt(peeled.node)}` };
  }
  return ctx.types.fromPythonType(ctx.resolver.resolve(peeled.node, peeled.scope), peeled.node);
}

function readComment(ctx: ReaderContext, arg: { node: Node; scope: Scope } | undefined, key: string): string | null {
  if (!arg) return null;
  const v = literal(ctx, arg.node, arg.scope);
  if (v.ok && (typeof v.value === 'string' || v.value === null)) return v.value as string | null;
  ctx.diagnostics.warning('comment-not-constant', `the comment of ${key} is not a constant string; it is ignored`, at(arg.scope, arg.node));
  return null;
}

/** `server_default="x"` is a quoted literal; `text(...)`, `func.now()`, `sa.false()` are SQL. */
function readServerDefault(ctx: ReaderContext, node: Node, scope: Scope, key: string): string | null {
  const s = stringValue(node);
  if (s !== null) return quoteSqlString(s);
  const n = unwrap(node);
  if (n.type === 'none') return null;
  const callee = n.type === 'call' ? calleeName(ctx, n, scope) : null;
  if (callee === 'sa.FetchedValue') return null;
  if (callee === 'sa.DefaultClause') {
    const inner = callArguments(n).positional[0];
    return inner ? readServerDefault(ctx, inner, scope, key) : null;
  }
  const member = enumMemberText(ctx, n, scope);
  if (member !== null) return quoteSqlString(member);
  const sql = renderClause(n, { scope, resolver: ctx.resolver, column: () => null });
  if (sql !== null && !['integer', 'float', 'true', 'false'].includes(n.type)) return sql;
  ctx.diagnostics.warning(
    'unreadable-server-default',
    `the server_default of ${key} (${excerpt(node)}) cannot be rendered statically; it is left out`,
    at(scope, node),
  );
  return null;
}

/** `Status.ACTIVE.name` / `Status.ACTIVE.value`: the text of an enum member, else null. */
function enumMemberText(ctx: ReaderContext, node: Node, scope: Scope): string | null {
  if (node.type !== 'attribute') return null;
  const which = node.childForFieldName('attribute')?.text;
  if (which !== 'name' && which !== 'value') return null;
  const sym = ctx.resolver.resolve(node.childForFieldName('object')!, scope);
  if (sym.kind !== 'member' || sym.owner.kind !== 'class') return null;
  const cls = ctx.classes.info(sym.owner);
  if (!ctx.classes.isEnum(cls)) return null;
  if (which === 'name') return cls.byName.has(sym.name) ? sym.name : null;
  const value = cls.byName.get(sym.name)?.value;
  const v = value ? literal(ctx, value, { module: cls.module }) : null;
  return v?.ok && (typeof v.value === 'string' || typeof v.value === 'number') ? String(v.value) : null;
}

/** `default=`: kept as written; its SQL value only when it is a constant. */
function readDefault(ctx: ReaderContext, arg: { node: Node; scope: Scope } | undefined, factory: boolean): PythonDefault | null {
  if (!arg) return null;
  const n = unwrap(arg.node);
  if (n.type === 'none') return null;
  if (factory) return { python: arg.node.text, sql: null };
  const v = literal(ctx, n, arg.scope);
  if (v.ok) {
    if (v.value === null) return null;
    return { python: arg.node.text, sql: sqlLiteral(v.value) };
  }
  // `Status.ACTIVE`: a native enum stores the member's name.
  const sym = ctx.resolver.resolve(n, arg.scope);
  if (sym.kind === 'member' && sym.owner.kind === 'class' && ctx.classes.isEnum(ctx.classes.info(sym.owner))) {
    return { python: arg.node.text, sql: quoteSqlString(sym.name) };
  }
  return { python: arg.node.text, sql: null };
}

function readIdentity(ctx: ReaderContext, call: Node, scope: Scope): ColumnDraft['identity'] {
  const args = callArguments(call);
  const num = (k: string): number | null => {
    const node = args.keywords.get(k);
    if (!node) return null;
    const v = literal(ctx, node, scope);
    return v.ok && typeof v.value === 'number' ? v.value : null;
  };
  const alwaysNode = args.keywords.get('always') ?? args.positional[0];
  const always = alwaysNode ? literal(ctx, alwaysNode, scope) : null;
  return { always: always?.ok === true && always.value === true, start: num('start'), increment: num('increment') };
}

function readComputed(ctx: ReaderContext, call: Node, scope: Scope, key: string): ColumnDraft['computed'] {
  const args = callArguments(call);
  const exprNode = args.positional[0] ?? args.keywords.get('sqltext');
  const expression = exprNode ? (stringValue(exprNode) ?? renderClause(exprNode, { scope, resolver: ctx.resolver, column: (n) => n })) : null;
  if (expression === null) {
    ctx.diagnostics.warning('unreadable-computed', `the expression of Computed(...) on ${key} cannot be rendered statically`, at(scope, call));
    return null;
  }
  return { expression, persisted: true };
}

/** A column name as SQLAlchemy's compiler writes it: bare when lower-case and plain, else quoted. */
function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

import type { Node } from './syntax-tree.js';
import { NOT_CONSTANT, evaluateLiteral, sqlLiteral } from './literals.js';
import type { Resolver, Scope } from './symbols.js';
import { callArguments, namedChildren, stringValue, unwrap } from './syntax.js';

/** What SQL rendering needs besides the node: names, and which names are columns. */
export interface SqlContext {
  scope: Scope;
  resolver: Resolver;
  /** The database name of a column named by a class attribute or a key string, else null. */
  column(name: string): string | null;
}

/** ANSI functions SQLAlchemy renders without parentheses (its compiler's FUNCTIONS map). */
const BARE_FUNCTIONS: Record<string, string> = {
  current_date: 'CURRENT_DATE',
  current_time: 'CURRENT_TIME',
  current_timestamp: 'CURRENT_TIMESTAMP',
  current_user: 'CURRENT_USER',
  localtime: 'LOCALTIME',
  localtimestamp: 'LOCALTIMESTAMP',
  session_user: 'SESSION_USER',
  user: 'USER',
};

/** SQLAlchemy's generic functions (`sqlalchemy.sql.functions`), importable by name. */
const GENERIC_FUNCTIONS = new Set([
  'coalesce', 'concat', 'count', 'max', 'min', 'sum', 'now', 'random', 'char_length', 'array_agg', 'percentile_cont',
  'current_date', 'current_time', 'current_timestamp', 'current_user', 'localtime', 'localtimestamp', 'session_user',
]);

const COMPARISONS: Record<string, string> = { '==': '=', '!=': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };

/**
 * SQL given as text: a plain string (`CheckConstraint("price > 0")`) or `text("...")` is the
 * SQL itself; anything else is rendered as a clause.
 */
export function renderSqlText(node: Node, ctx: SqlContext): string | null {
  const s = stringValue(node);
  if (s !== null) return s;
  return renderClause(node, ctx);
}

/**
 * A SQLAlchemy clause as its DDL compiles it: `func.lower(email)` → `lower(email)`,
 * `sa.false()` → `false`, `column('x') == None` → `x IS NULL`. Null when the expression is
 * not something a static reader can render.
 */
export function renderClause(node: Node, ctx: SqlContext, depth = 0): string | null {
  const n = unwrap(node);
  if (depth > 30) return null;
  if (n.type === 'call') return renderCall(n, ctx, depth);
  if (n.type === 'identifier' || n.type === 'attribute') {
    if (n.type === 'identifier') {
      const col = ctx.column(n.text);
      if (col !== null) return col;
    }
    // `cls.created` inside a `@declared_attr` `__table_args__`.
    if (n.type === 'attribute' && n.childForFieldName('object')?.text === 'cls') {
      const col = ctx.column(n.childForFieldName('attribute')!.text);
      if (col !== null) return col;
    }
    const sym = ctx.resolver.resolve(n, ctx.scope);
    if (sym.kind === 'member' && sym.owner.kind === 'class') {
      return ctx.column(sym.name);
    }
    const v = evaluateLiteral(n, ctx.scope, ctx.resolver);
    return v === NOT_CONSTANT ? null : sqlLiteral(v);
  }
  if (n.type === 'comparison_operator') {
    const parts = namedChildren(n);
    const ops = n.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
    if (parts.length !== 2 || ops.length !== 1) return null;
    const [left, right] = parts as [Node, Node];
    const op = ops[0]!;
    const l = renderClause(left, ctx, depth + 1);
    if (l === null) return null;
    if (unwrap(right).type === 'none' && (op === '==' || op === 'is')) return `${l} IS NULL`;
    if (unwrap(right).type === 'none' && (op === '!=' || op === 'is not')) return `${l} IS NOT NULL`;
    const sqlOp = COMPARISONS[op];
    const r = renderClause(right, ctx, depth + 1);
    return sqlOp && r !== null ? `${l} ${sqlOp} ${r}` : null;
  }
  const v = evaluateLiteral(n, ctx.scope, ctx.resolver);
  return v === NOT_CONSTANT ? null : sqlLiteral(v);
}

function renderCall(call: Node, ctx: SqlContext, depth: number): string | null {
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  const args = callArguments(call);
  if (args.hasSplat) return null;
  // `column.desc()` / `column.asc()` on a class-body column.
  if (fn.type === 'attribute') {
    const method = fn.childForFieldName('attribute')?.text;
    const object = fn.childForFieldName('object');
    if (object && (method === 'desc' || method === 'asc') && args.positional.length === 0) {
      const inner = renderClause(object, ctx, depth + 1);
      if (inner !== null) return `${inner} ${method.toUpperCase()}`;
    }
    if (object && method === 'is_' && args.positional.length === 1 && unwrap(args.positional[0]!).type === 'none') {
      const inner = renderClause(object, ctx, depth + 1);
      return inner === null ? null : `${inner} IS NULL`;
    }
    if (object && method === 'isnot' && args.positional.length === 1 && unwrap(args.positional[0]!).type === 'none') {
      const inner = renderClause(object, ctx, depth + 1);
      return inner === null ? null : `${inner} IS NOT NULL`;
    }
  }
  const sym = ctx.resolver.resolve(fn, ctx.scope);
  if (sym.kind !== 'external' || !sym.name.startsWith('sa.')) return null;
  const name = sym.name.slice(3);
  const first = args.positional[0];
  // `from sqlalchemy.sql.functions import coalesce` is `func.coalesce`.
  const fname = name.startsWith('func.') ? name.slice(5) : GENERIC_FUNCTIONS.has(name) ? name : null;
  if (fname !== null) {
    if (args.positional.length === 0 && BARE_FUNCTIONS[fname.toLowerCase()]) return BARE_FUNCTIONS[fname.toLowerCase()]!;
    const rendered: string[] = [];
    for (const a of args.positional) {
      const r = renderClause(a, ctx, depth + 1);
      if (r === null) return null;
      rendered.push(r);
    }
    return `${fname}(${rendered.join(', ')})`;
  }
  switch (name) {
    case 'text':
    case 'literal_column':
    case 'column':
    case 'Column':
      return first ? stringValue(first) : null;
    case 'true':
    case 'expression.true':
      return 'true';
    case 'false':
    case 'expression.false':
      return 'false';
    case 'null':
      return 'NULL';
    case 'literal': {
      if (!first) return null;
      const v = evaluateLiteral(first, ctx.scope, ctx.resolver);
      return v === NOT_CONSTANT ? null : sqlLiteral(v);
    }
    case 'desc':
    case 'asc': {
      if (!first) return null;
      const inner = stringValue(first) ?? renderClause(first, ctx, depth + 1);
      return inner === null ? null : `${inner} ${name.toUpperCase()}`;
    }
    case 'and_':
    case 'or_': {
      const parts: string[] = [];
      for (const a of args.positional) {
        const r = renderSqlText(a, ctx);
        if (r === null) return null;
        parts.push(r);
      }
      return parts.join(name === 'and_' ? ' AND ' : ' OR ');
    }
    case 'not_': {
      const r = first ? renderSqlText(first, ctx) : null;
      return r === null ? null : `NOT (${r})`;
    }
    default:
      return null;
  }
}

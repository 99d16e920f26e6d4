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
 * `sa.false()` → `false`, `column('x') == None` → `x IS NULL`,
 * `or_(a.is_(None), and_(a > 5, ~done))` → `a IS NULL OR a > 5 AND NOT done`. Null when the
 * expression is not something a static reader can render.
 */
export function renderClause(node: Node, ctx: SqlContext, depth = 0): string | null {
  return clause(node, ctx, depth)?.sql ?? null;
}

/**
 * SQLAlchemy's operator precedence (`sqlalchemy.sql.operators._PRECEDENCE`): an operand is
 * parenthesised when its operator binds no tighter than the one around it, unless both are
 * the same associative operator (`a AND b AND c`).
 */
const Precedence = { or: 2, and: 3, comparison: 5, not: 5, add: 7, multiply: 8, atom: 100 } as const;
const ASSOCIATIVE = new Set(['AND', 'OR', '+', '*']);

interface Rendered {
  sql: string;
  precedence: number;
  /** The operator at the top, for the associativity rule. */
  operator: string | null;
  /** What `~clause` / `not_(clause)` compiles to when SQLAlchemy negates the operator instead. */
  negated?: Rendered;
}

const atom = (sql: string): Rendered => ({ sql, precedence: Precedence.atom, operator: null });

function grouped(inner: Rendered, precedence: number, operator: string): string {
  const same = inner.operator === operator && ASSOCIATIVE.has(operator);
  return inner.precedence <= precedence && !same ? `(${inner.sql})` : inner.sql;
}

function binary(left: Rendered, operator: string, right: Rendered, precedence: number, negated?: Rendered): Rendered {
  const sql = `${grouped(left, precedence, operator)} ${operator} ${grouped(right, precedence, operator)}`;
  return { sql, precedence, operator, ...(negated ? { negated } : {}) };
}

/** A comparison and the one SQLAlchemy writes for its negation (`=` / `!=`, `IN` / `NOT IN`). */
function comparison(left: Rendered, operator: string, right: Rendered): Rendered {
  const negatedOperator = NEGATIONS[operator];
  const plain = (op: string) => binary(left, op, right, Precedence.comparison);
  // NOT IN is printed in parentheses of its own.
  const notIn = (op: string): Rendered => atom(`(${plain(op).sql})`);
  const make = (op: string): Rendered => (op.endsWith('NOT IN') ? notIn(op) : plain(op));
  const result = make(operator);
  return negatedOperator ? { ...result, negated: make(negatedOperator) } : result;
}

const NEGATIONS: Record<string, string> = {
  '=': '!=', '!=': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>',
  IS: 'IS NOT', 'IS NOT': 'IS', IN: 'NOT IN', 'NOT IN': 'IN', LIKE: 'NOT LIKE', 'NOT LIKE': 'LIKE', ILIKE: 'NOT ILIKE', 'NOT ILIKE': 'ILIKE',
  'IS DISTINCT FROM': 'IS NOT DISTINCT FROM', 'IS NOT DISTINCT FROM': 'IS DISTINCT FROM',
};

function negation(inner: Rendered): Rendered {
  if (inner.negated) return inner.negated;
  return { sql: `NOT ${grouped(inner, Precedence.not, 'NOT')}`, precedence: Precedence.not, operator: 'NOT', negated: inner };
}

function junction(parts: Rendered[], operator: 'AND' | 'OR'): Rendered | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]!;
  const precedence = operator === 'AND' ? Precedence.and : Precedence.or;
  return { sql: parts.map((p) => grouped(p, precedence, operator)).join(` ${operator} `), precedence, operator };
}

/** Python's comparison operators as SQLAlchemy maps them, and their mirror for `5 < column`. */
const COMPARISONS: Record<string, string> = { '==': '=', '!=': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };
const MIRRORED: Record<string, string> = { '=': '=', '!=': '!=', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
const ARITHMETIC: Record<string, { sql: string; precedence: number }> = {
  '+': { sql: '+', precedence: Precedence.add },
  '-': { sql: '-', precedence: Precedence.add },
  '*': { sql: '*', precedence: Precedence.multiply },
  '/': { sql: '/', precedence: Precedence.multiply },
  '%': { sql: '%', precedence: Precedence.multiply },
};

/** A Python constant as the SQL literal SQLAlchemy binds it as, or undefined when not one. */
function constant(node: Node, ctx: SqlContext): Rendered | undefined {
  const v = evaluateLiteral(node, ctx.scope, ctx.resolver);
  if (v === NOT_CONSTANT) return undefined;
  const sql = sqlLiteral(v);
  return sql === null ? undefined : atom(sql);
}

function clause(node: Node, ctx: SqlContext, depth: number): Rendered | null {
  const n = unwrap(node);
  if (depth > 30) return null;
  const operand = (x: Node) => clause(x, ctx, depth + 1);
  if (n.type === 'call') return renderCall(n, ctx, depth);
  if (n.type === 'identifier' || n.type === 'attribute') {
    if (n.type === 'identifier') {
      const col = ctx.column(n.text);
      if (col !== null) return atom(col);
    }
    // `cls.created` inside a `@declared_attr` `__table_args__`.
    if (n.type === 'attribute' && n.childForFieldName('object')?.text === 'cls') {
      const col = ctx.column(n.childForFieldName('attribute')!.text);
      if (col !== null) return atom(col);
    }
    // `users.c.email` of a Core table.
    const object = n.type === 'attribute' ? unwrap(n.childForFieldName('object')!) : null;
    if (object?.type === 'attribute' && object.childForFieldName('attribute')?.text === 'c') {
      const col = ctx.column(n.childForFieldName('attribute')!.text);
      if (col !== null) return atom(col);
    }
    const sym = ctx.resolver.resolve(n, ctx.scope);
    if (sym.kind === 'member' && sym.owner.kind === 'class') {
      const col = ctx.column(sym.name);
      return col === null ? null : atom(col);
    }
    return constant(n, ctx) ?? null;
  }
  if (n.type === 'comparison_operator') {
    const parts = namedChildren(n);
    const ops = n.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
    if (parts.length !== 2 || ops.length !== 1) return null;
    const [left, right] = parts as [Node, Node];
    const op = ops[0]!;
    const l = operand(left);
    if (l === null) return null;
    if (unwrap(right).type === 'none' && (op === '==' || op === 'is')) return comparison(l, 'IS', atom('NULL'));
    if (unwrap(right).type === 'none' && (op === '!=' || op === 'is not')) return comparison(l, 'IS NOT', atom('NULL'));
    const sqlOp = COMPARISONS[op];
    const r = operand(right);
    if (!sqlOp || r === null) return null;
    // `5 < age` is Python's reflected `age > 5`.
    const leftIsValue = constant(left, ctx) !== undefined && constant(right, ctx) === undefined;
    return leftIsValue ? comparison(r, MIRRORED[sqlOp]!, l) : comparison(l, sqlOp, r);
  }
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text ?? '';
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right) return null;
    if (op === '&' || op === '|') {
      const [l, r] = [operand(left), operand(right)];
      return l && r ? junction([l, r], op === '&' ? 'AND' : 'OR') : null;
    }
    // `+` is `||` between strings: only arithmetic with a number is certain.
    const arithmetic = ARITHMETIC[op];
    const numeric = [left, right].some((x) => typeof evaluateLiteral(x, ctx.scope, ctx.resolver) === 'number');
    if (!arithmetic || !numeric) return constant(n, ctx) ?? null;
    const [l, r] = [operand(left), operand(right)];
    return l && r ? binary(l, arithmetic.sql, r, arithmetic.precedence) : null;
  }
  if (n.type === 'unary_operator' && n.childForFieldName('operator')?.text === '~') {
    const inner = n.childForFieldName('argument');
    const r = inner ? operand(inner) : null;
    return r === null ? null : negation(r);
  }
  return constant(n, ctx) ?? null;
}

/** `column.in_([...])`'s values: a list or tuple of constants, as SQL literals. */
function valueList(node: Node | undefined, ctx: SqlContext): Rendered | null {
  if (!node) return null;
  const v = evaluateLiteral(node, ctx.scope, ctx.resolver);
  if (!Array.isArray(v) || v.length === 0) return null;
  const items = v.map((x) => sqlLiteral(x));
  return items.some((x) => x === null) ? null : atom(`(${items.join(', ')})`);
}

/** Column methods SQLAlchemy compiles to a comparison with their one argument. */
const COMPARISON_METHODS: Record<string, string> = {
  is_: 'IS',
  is_not: 'IS NOT',
  isnot: 'IS NOT',
  like: 'LIKE',
  not_like: 'NOT LIKE',
  notlike: 'NOT LIKE',
  ilike: 'ILIKE',
  not_ilike: 'NOT ILIKE',
  notilike: 'NOT ILIKE',
  is_distinct_from: 'IS DISTINCT FROM',
  is_not_distinct_from: 'IS NOT DISTINCT FROM',
  isnot_distinct_from: 'IS NOT DISTINCT FROM',
};

function renderCall(call: Node, ctx: SqlContext, depth: number): Rendered | null {
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  const args = callArguments(call);
  if (args.hasSplat) return null;
  const operand = (x: Node) => clause(x, ctx, depth + 1);
  // Methods of a class-body column: `column.desc()`, `column.in_([...])`, `column.is_(None)`.
  if (fn.type === 'attribute') {
    const method = fn.childForFieldName('attribute')!.text;
    const object = fn.childForFieldName('object')!;
    const [first, second] = args.positional;
    const self = () => operand(object);
    if ((method === 'desc' || method === 'asc') && args.positional.length === 0) {
      const inner = self();
      if (inner !== null) return atom(`${inner.sql} ${method.toUpperCase()}`);
    }
    if ((method === 'in_' || method === 'not_in' || method === 'notin_') && args.positional.length === 1) {
      const [inner, values] = [self(), valueList(first, ctx)];
      return inner && values ? comparison(inner, method === 'in_' ? 'IN' : 'NOT IN', values) : null;
    }
    if (COMPARISON_METHODS[method] && args.positional.length === 1) {
      const inner = self();
      const value = unwrap(first!).type === 'none' ? atom('NULL') : operand(first!);
      return inner && value ? comparison(inner, COMPARISON_METHODS[method]!, value) : null;
    }
    if (method === 'between' && args.positional.length === 2) {
      const [inner, low, high] = [self(), operand(first!), operand(second!)];
      if (!inner || !low || !high) return null;
      const between = (word: string): Rendered => ({
        sql: `${grouped(inner, Precedence.comparison, word)} ${word} ${low.sql} AND ${high.sql}`,
        precedence: Precedence.comparison,
        operator: word,
      });
      return { ...between('BETWEEN'), negated: between('NOT BETWEEN') };
    }
  }
  const sym = ctx.resolver.resolve(fn, ctx.scope);
  if (sym.kind !== 'external' || !sym.name.startsWith('sa.')) return null;
  const name = sym.name.slice(3);
  const first = args.positional[0];
  // `from sqlalchemy.sql.functions import coalesce` is `func.coalesce`.
  const fname = name.startsWith('func.') ? name.slice(5) : GENERIC_FUNCTIONS.has(name) ? name : null;
  if (fname !== null) {
    if (args.positional.length === 0 && BARE_FUNCTIONS[fname.toLowerCase()]) return atom(BARE_FUNCTIONS[fname.toLowerCase()]!);
    const rendered: string[] = [];
    for (const a of args.positional) {
      const r = operand(a);
      if (r === null) return null;
      rendered.push(r.sql);
    }
    return atom(`${fname}(${rendered.join(', ')})`);
  }
  /** A clause, or a plain string taken as SQL text (as `text()` inserts it: as it is). */
  const textOrClause = (a: Node) => {
    const s = stringValue(a);
    return s !== null ? atom(s) : operand(a);
  };
  switch (name) {
    case 'text':
    case 'literal_column':
    case 'column':
    case 'Column': {
      const s = first ? stringValue(first) : null;
      return s === null ? null : atom(s);
    }
    case 'true':
    case 'expression.true':
      return atom('true');
    case 'false':
    case 'expression.false':
      return atom('false');
    case 'null':
      return atom('NULL');
    case 'literal':
      return first ? (constant(first, ctx) ?? null) : null;
    case 'desc':
    case 'asc': {
      if (!first) return null;
      const inner = textOrClause(first);
      return inner === null ? null : atom(`${inner.sql} ${name.toUpperCase()}`);
    }
    case 'and_':
    case 'or_': {
      const parts: Rendered[] = [];
      for (const a of args.positional) {
        const r = textOrClause(a);
        if (r === null) return null;
        parts.push(r);
      }
      return junction(parts, name === 'and_' ? 'AND' : 'OR');
    }
    case 'not_': {
      const r = first ? textOrClause(first) : null;
      return r === null ? null : negation(r);
    }
    default:
      return null;
  }
}

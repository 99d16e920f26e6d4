import type { Node } from './syntax-tree.js';
import type { ReaderContext } from './context.js';
import type { Scope } from './symbols.js';
import { callArguments, namedChildren, stringValue, unwrap } from './syntax.js';

/** What the table-name evaluator computes: a string, or a list of them (`re.split`). */
type Value = string | string[];

interface Env {
  className: string;
  /** A helper function's parameters and locals. */
  names: Map<string, Value>;
  depth: number;
}

/**
 * Evaluates what a `@declared_attr` `__tablename__` returns, for the forms projects write:
 * a string, `cls.__name__` with `.lower()`/`.upper()`, `+` concatenation, the usual
 * camel-to-snake `re.sub(pattern, repl, ...)` / `PATTERN.sub(repl, ...)`, and a call to a
 * module-level helper made of assignments and one return, in which `re.split`,
 * `"_".join(...)` and `[x.lower() for x in parts if x]` may appear too (Dispatch's
 * `resolve_table_name`). Null for anything else (the caller reports it).
 */
export function evaluateTableName(ctx: ReaderContext, node: Node, scope: Scope, className: string): string | null {
  const value = evaluate(ctx, node, scope, { className, names: new Map(), depth: 0 });
  return typeof value === 'string' ? value : null;
}

function evaluate(ctx: ReaderContext, node: Node, scope: Scope, env: Env): Value | null {
  const n = unwrap(node);
  if (env.depth > 40) return null;
  const inner: Env = { ...env, depth: env.depth + 1 };
  const literal = stringValue(n);
  if (literal !== null) return literal;
  if (n.type === 'attribute' && n.text.replace(/\s+/g, '') === 'cls.__name__') return env.className;
  if (n.type === 'identifier') return env.names.get(n.text) ?? null;
  if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
    const left = evaluate(ctx, n.childForFieldName('left')!, scope, inner);
    const right = evaluate(ctx, n.childForFieldName('right')!, scope, inner);
    return typeof left === 'string' && typeof right === 'string' ? left + right : null;
  }
  if (n.type === 'list_comprehension') return comprehension(ctx, n, scope, inner);
  if (n.type !== 'call') return null;
  const fn = n.childForFieldName('function');
  const args = callArguments(n);
  if (!fn || args.hasSplat) return null;
  if (fn.type === 'identifier') return args.keywords.size ? null : helperCall(ctx, fn, args.positional, scope, inner);
  if (fn.type !== 'attribute') return null;
  const method = fn.childForFieldName('attribute')!.text;
  const object = fn.childForFieldName('object')!;
  if ((method === 'lower' || method === 'upper') && args.positional.length === 0 && args.keywords.size === 0) {
    const text = evaluate(ctx, object, scope, inner);
    if (typeof text !== 'string') return null;
    return method === 'lower' ? text.toLowerCase() : text.toUpperCase();
  }
  if (method === 'join' && args.positional.length === 1 && args.keywords.size === 0) {
    const separator = stringValue(object);
    const parts = evaluate(ctx, args.positional[0]!, scope, inner);
    return separator !== null && Array.isArray(parts) ? parts.join(separator) : null;
  }
  if ((method !== 'sub' && method !== 'split') || args.keywords.size) return null;
  // `re.sub(pattern, repl, s)` / `re.split(pattern, s)`, or the same on `re.compile(pattern)` through a name.
  let pattern: string | null;
  let rest: readonly Node[];
  const owner = ctx.resolver.resolve(object, scope);
  if (owner.kind === 'external' && owner.name === 're') {
    pattern = args.positional[0] ? stringValue(args.positional[0]) : null;
    rest = args.positional.slice(1);
  } else {
    pattern = compiledPattern(ctx, object, scope);
    rest = args.positional;
  }
  const regex = pattern === null ? null : pythonRegex(pattern);
  if (!regex) return null;
  if (method === 'split') {
    const text = rest.length === 1 ? evaluate(ctx, rest[0]!, scope, inner) : null;
    return typeof text === 'string' ? pythonSplit(regex, text) : null;
  }
  const [replNode, subject] = rest;
  const repl = replNode ? stringValue(replNode) : null;
  const text = subject ? evaluate(ctx, subject, scope, inner) : null;
  if (repl === null || typeof text !== 'string' || rest.length !== 2) return null;
  // Python's `\1` is JavaScript's `$1`; a literal `$` must not start one.
  return text.replace(regex, repl.replaceAll('$', '$$$$').replace(/\\(\d)/g, '$$$1'));
}

function pythonRegex(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern, 'g');
  } catch {
    return null;
  }
}

/**
 * `re.split` as Python 3.7+ does it: an empty match splits too, so `re.split("(?=[A-Z])",
 * "UserRole")` is `['', 'User', 'Role']` where JavaScript's split drops the leading `''`.
 * A pattern with groups (whose matches Python puts in the list) is not evaluated.
 */
function pythonSplit(regex: RegExp, text: string): string[] | null {
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(regex)) {
    if (match.length > 1) return null;
    parts.push(text.slice(last, match.index));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** `[expr for x in items if x]`: one loop over a list of strings, filtered by the loop name or not at all. */
function comprehension(ctx: ReaderContext, n: Node, scope: Scope, env: Env): Value | null {
  const body = n.childForFieldName('body');
  const clauses = namedChildren(n).filter((c) => c !== body);
  const loop = clauses[0];
  if (!body || loop?.type !== 'for_in_clause' || clauses.length > 2) return null;
  const variable = loop.childForFieldName('left');
  const items = evaluate(ctx, loop.childForFieldName('right')!, scope, env);
  if (variable?.type !== 'identifier' || !Array.isArray(items)) return null;
  const filter = clauses[1];
  const condition = filter ? namedChildren(filter)[0] : null;
  if (filter && (filter.type !== 'if_clause' || condition?.type !== 'identifier' || condition.text !== variable.text)) return null;
  const out: string[] = [];
  for (const item of items) {
    if (filter && item === '') continue;
    const value = evaluate(ctx, body, scope, { ...env, names: new Map(env.names).set(variable.text, item) });
    if (typeof value !== 'string') return null;
    out.push(value);
  }
  return out;
}

/** A module-level helper called with positional arguments: its assignments, then its return. */
function helperCall(ctx: ReaderContext, fn: Node, positional: readonly Node[], scope: Scope, env: Env): Value | null {
  const sym = ctx.resolver.resolve(fn, scope);
  if (sym.kind !== 'function') return null;
  const params = sym.node.childForFieldName('parameters');
  const names = params ? namedChildren(params) : [];
  if (names.length !== positional.length || names.some((p) => p.type !== 'identifier')) return null;
  const locals = new Map<string, Value>();
  for (const [i, param] of names.entries()) {
    const value = evaluate(ctx, positional[i]!, scope, env);
    if (value === null) return null;
    locals.set(param.text, value);
  }
  const inside: Env = { className: env.className, names: locals, depth: env.depth };
  const helperScope = { module: sym.module };
  const body = sym.node.childForFieldName('body');
  const statements = body ? namedChildren(body) : [];
  for (const [i, stmt] of statements.entries()) {
    const expr = namedChildren(stmt)[0];
    if (stmt.type === 'expression_statement' && expr?.type === 'string' && i === 0) continue;
    if (stmt.type === 'return_statement') return expr ? evaluate(ctx, expr, helperScope, inside) : null;
    if (stmt.type !== 'expression_statement' || expr?.type !== 'assignment') return null;
    const target = expr.childForFieldName('left');
    const value = expr.childForFieldName('right');
    if (target?.type !== 'identifier' || !value || expr.childForFieldName('type')) return null;
    const computed = evaluate(ctx, value, helperScope, inside);
    if (computed === null) return null;
    locals.set(target.text, computed);
  }
  return null;
}

/** The pattern of `NAME = re.compile("...")`. */
function compiledPattern(ctx: ReaderContext, node: Node, scope: Scope): string | null {
  const sym = ctx.resolver.resolve(node, scope);
  const call = sym.kind === 'value' ? unwrap(sym.node) : unwrap(node);
  const callScope = sym.kind === 'value' ? { module: sym.module } : scope;
  if (call.type !== 'call') return null;
  const fn = call.childForFieldName('function');
  const callee = fn ? ctx.resolver.resolve(fn, callScope) : null;
  if (callee?.kind !== 'external' || callee.name !== 're.compile') return null;
  const args = namedChildren(call.childForFieldName('arguments')!);
  return args.length === 1 ? stringValue(args[0]!) : null;
}

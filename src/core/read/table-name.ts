import type { Node } from './syntax-tree.js';
import type { ReaderContext } from './context.js';
import type { Scope } from './symbols.js';
import { callArguments, namedChildren, stringValue, unwrap } from './syntax.js';

/**
 * Evaluates what a `@declared_attr` `__tablename__` returns, for the forms projects write:
 * a string, `cls.__name__` with `.lower()`/`.upper()`, `+` concatenation, and the usual
 * camel-to-snake `re.sub(pattern, repl, ...)` / `PATTERN.sub(repl, ...)`. Null for anything
 * else (the caller reports it).
 */
export function evaluateTableName(ctx: ReaderContext, node: Node, scope: Scope, className: string, depth = 0): string | null {
  const n = unwrap(node);
  if (depth > 20) return null;
  const literal = stringValue(n);
  if (literal !== null) return literal;
  if (n.type === 'attribute' && n.text.replace(/\s+/g, '') === 'cls.__name__') return className;
  if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
    const left = evaluateTableName(ctx, n.childForFieldName('left')!, scope, className, depth + 1);
    const right = evaluateTableName(ctx, n.childForFieldName('right')!, scope, className, depth + 1);
    return left === null || right === null ? null : left + right;
  }
  if (n.type !== 'call') return null;
  const fn = n.childForFieldName('function');
  if (fn?.type !== 'attribute') return null;
  const method = fn.childForFieldName('attribute')!.text;
  const object = fn.childForFieldName('object')!;
  const args = callArguments(n);
  if (args.hasSplat) return null;
  if ((method === 'lower' || method === 'upper') && args.positional.length === 0) {
    const inner = evaluateTableName(ctx, object, scope, className, depth + 1);
    return inner === null ? null : method === 'lower' ? inner.toLowerCase() : inner.toUpperCase();
  }
  if (method !== 'sub' || args.keywords.size) return null;
  // `re.sub(pattern, repl, s)` or `re.compile(pattern).sub(repl, s)` through a name.
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
  const [replNode, subject] = rest;
  const repl = replNode ? stringValue(replNode) : null;
  const text = subject ? evaluateTableName(ctx, subject, scope, className, depth + 1) : null;
  if (pattern === null || repl === null || text === null || rest.length !== 2) return null;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'g');
  } catch {
    return null;
  }
  // Python's `\1` is JavaScript's `$1`; a literal `$` must not start one.
  return text.replace(regex, repl.replaceAll('$', '$$$$').replace(/\\(\d)/g, '$$$1'));
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

import type { Node } from './syntax-tree.js';
import type { SourceLocation } from '../schema/model.js';
import type { Classes } from './classes.js';
import type { Declarative } from './declarative.js';
import type { Diagnostics } from './diagnostics.js';
import { NOT_CONSTANT, evaluateLiteral, type JsonValue } from './literals.js';
import type { Resolver, Scope } from './symbols.js';
import { locationOf } from './syntax.js';
import type { TypeReader } from './types.js';

/** The reader's shared services, and where its diagnostics go. */
export interface ReaderContext {
  resolver: Resolver;
  classes: Classes;
  types: TypeReader;
  declarative: Declarative;
  diagnostics: Diagnostics;
}

export function at(scope: Scope, node: Node): SourceLocation {
  return locationOf(scope.module.file, node);
}

/** A key for a node that stays the same however it is reached. */
export function nodeKey(file: string, node: Node): string {
  return `${file}:${node.startIndex}`;
}

/** The canonical SQLAlchemy name (`sa.Column`) a call's function resolves to, or null. */
export function calleeName(ctx: ReaderContext, call: Node, scope: Scope): string | null {
  if (call.type !== 'call') return null;
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  const sym = ctx.resolver.resolve(fn, scope);
  return sym.kind === 'external' ? sym.name : null;
}

export type Evaluated = { ok: true; value: JsonValue } | { ok: false };

export function literal(ctx: ReaderContext, node: Node, scope: Scope): Evaluated {
  const value = evaluateLiteral(node, scope, ctx.resolver);
  return value === NOT_CONSTANT ? { ok: false } : { ok: true, value };
}

/** A JSON object from an `info={...}` argument; a warning and `{}` when it is not constant. */
export function infoDict(ctx: ReaderContext, node: Node | undefined, scope: Scope): Record<string, unknown> {
  if (!node) return {};
  const v = literal(ctx, node, scope);
  if (v.ok && v.value !== null && typeof v.value === 'object' && !Array.isArray(v.value)) return v.value;
  ctx.diagnostics.warning('info-not-constant', 'info= is not a constant dict, so it is ignored', at(scope, node));
  return {};
}

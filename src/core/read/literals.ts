import type { Node } from './syntax-tree.js';
import type { Resolver, Scope } from './symbols.js';
import { namedChildren, stringValue, unwrap } from './syntax.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A value that could not be evaluated statically. */
export const NOT_CONSTANT = Symbol('not constant');

/**
 * Evaluates a Python literal (strings, numbers, booleans, None, lists, tuples, sets, dicts,
 * and module-level names bound to such literals) to JSON, or NOT_CONSTANT.
 */
export function evaluateLiteral(node: Node, scope: Scope, resolver: Resolver, depth = 0): JsonValue | typeof NOT_CONSTANT {
  const n = unwrap(node);
  if (depth > 20) return NOT_CONSTANT;
  switch (n.type) {
    case 'string':
    case 'concatenated_string': {
      const s = stringValue(n);
      return s === null ? NOT_CONSTANT : s;
    }
    case 'integer':
      return parseInteger(n.text);
    case 'float': {
      const v = Number(n.text.replace(/_/g, ''));
      return Number.isFinite(v) ? v : NOT_CONSTANT;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'unary_operator': {
      const operand = n.childForFieldName('argument');
      const op = n.childForFieldName('operator')?.text;
      if (!operand) return NOT_CONSTANT;
      const v = evaluateLiteral(operand, scope, resolver, depth + 1);
      if (typeof v !== 'number') return NOT_CONSTANT;
      return op === '-' ? -v : op === '+' ? v : NOT_CONSTANT;
    }
    case 'list':
    case 'tuple':
    case 'set': {
      const out: JsonValue[] = [];
      for (const item of namedChildren(n)) {
        const v = evaluateLiteral(item, scope, resolver, depth + 1);
        if (v === NOT_CONSTANT) return NOT_CONSTANT;
        out.push(v);
      }
      return out;
    }
    case 'dictionary': {
      const out: { [key: string]: JsonValue } = {};
      for (const pair of namedChildren(n)) {
        if (pair.type !== 'pair') return NOT_CONSTANT;
        const keyNode = pair.childForFieldName('key');
        const valueNode = pair.childForFieldName('value');
        if (!keyNode || !valueNode) return NOT_CONSTANT;
        const key = evaluateLiteral(keyNode, scope, resolver, depth + 1);
        const value = evaluateLiteral(valueNode, scope, resolver, depth + 1);
        if (key === NOT_CONSTANT || value === NOT_CONSTANT || typeof key === 'object') return NOT_CONSTANT;
        out[String(key)] = value;
      }
      return out;
    }
    case 'call': {
      // dict(a=1) is common enough in info= and naming_convention=.
      const fn = n.childForFieldName('function');
      if (fn?.type !== 'identifier' || fn.text !== 'dict') return NOT_CONSTANT;
      const out: { [key: string]: JsonValue } = {};
      const args = n.childForFieldName('arguments');
      for (const arg of args ? namedChildren(args) : []) {
        if (arg.type !== 'keyword_argument') return NOT_CONSTANT;
        const key = arg.childForFieldName('name')?.text;
        const valueNode = arg.childForFieldName('value');
        if (!key || !valueNode) return NOT_CONSTANT;
        const value = evaluateLiteral(valueNode, scope, resolver, depth + 1);
        if (value === NOT_CONSTANT) return NOT_CONSTANT;
        out[key] = value;
      }
      return out;
    }
    case 'identifier':
    case 'attribute': {
      const sym = resolver.resolve(n, scope);
      if (sym.kind === 'value') return evaluateLiteral(sym.node, { module: sym.module }, resolver, depth + 1);
      return NOT_CONSTANT;
    }
    default:
      return NOT_CONSTANT;
  }
}

function parseInteger(text: string): number | typeof NOT_CONSTANT {
  const t = text.replace(/_/g, '').toLowerCase();
  if (/[lj]$/.test(t)) return NOT_CONSTANT;
  const v = /^0[box]/.test(t) ? Number(t) : /^0+\d/.test(t) ? NaN : Number(t);
  return Number.isFinite(v) ? v : NOT_CONSTANT;
}

export function quoteSqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A constant as a SQL literal, as SQLAlchemy renders one in DDL. */
export function sqlLiteral(value: JsonValue): string | null {
  if (typeof value === 'string') return quoteSqlString(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'NULL';
  return null;
}

import type { Node } from '../read/syntax-tree.js';
import { parsePython } from '../read/parser.js';
import { stringValue } from '../read/syntax.js';

/**
 * The `op.` calls a revision's `upgrade()` makes, each as one canonical text: every token of
 * the call, arguments included however many lines they span, with comments, layout, a
 * trailing comma and the quote style of plain strings left out. Two revisions make the same
 * change when their texts are equal. The `SET lock_timeout` / `statement_timeout` preamble is no part of the change.
 */
export async function upgradeOpCalls(path: string, text: string): Promise<string[]> {
  const root = (await parsePython(path, text)).rootNode;
  const upgrade = root.namedChildren
    .map((s) => (s?.type === 'decorated_definition' ? s.childForFieldName('definition') : s))
    .find((s) => s?.type === 'function_definition' && s.childForFieldName('name')?.text === 'upgrade');
  const body = upgrade?.childForFieldName('body');
  if (!body) return [];
  const calls: string[] = [];
  const visit = (node: Node) => {
    if (node.type === 'call' && isOpCall(node)) {
      const canonical = tokens(node).join(' ');
      if (!/lock_timeout|statement_timeout/i.test(canonical)) calls.push(canonical);
      return;
    }
    for (const child of node.namedChildren) if (child) visit(child);
  };
  visit(body);
  return calls;
}

function isOpCall(call: Node): boolean {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' && fn.childForFieldName('object')?.text === 'op';
}

function tokens(node: Node): string[] {
  if (node.type === 'comment') return [];
  if (node.type === 'string' || node.type === 'concatenated_string') {
    const value = stringValue(node);
    if (value !== null) return [JSON.stringify(value)];
  }
  if (!node.children.length) return [node.text];
  const out: string[] = [];
  const children = node.children.filter((c): c is Node => c !== null && c.type !== 'comment');
  children.forEach((child, i) => {
    // `f(a, b,)` is `f(a, b)`.
    if (child.type === ',' && [')', ']', '}'].includes(children[i + 1]?.type ?? '')) return;
    out.push(...tokens(child));
  });
  return out;
}

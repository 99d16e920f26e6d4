import type { Node } from '../read/syntax-tree.js';
import { InputError } from '../errors.js';
import type { SourceLocation } from '../schema/model.js';
import { parsePython } from '../read/parser.js';

/** One revision file of the backend, as its source declares it (never from its file name). */
export interface Revision {
  id: string;
  /** Empty for a root; two or more for a merge. */
  downRevisions: string[];
  branchLabels: string[];
  dependsOn: string[];
  path: string;
  /** Where `revision = ...` is assigned, for errors about this revision. */
  location: SourceLocation;
  /** Where `down_revision = ...` is assigned (the `revision` line when there is none). */
  downRevisionLocation: SourceLocation;
  habits: RevisionHabits;
}

/** How a revision is written, so a new one can be written the same way. */
export interface RevisionHabits {
  /** `revision: str = ...` rather than `revision = ...`. */
  typedHeader: boolean;
  /** The `lock_timeout` value upgrade() sets in its first statement (`5s`), or null. */
  lockTimeout: string | null;
  /** Index/constraint names given to op.* and sa.* constructs, and how many went through `op.f()`. */
  names: number;
  namesInOpF: number;
  /** The indentation of upgrade()'s body, or null when it has none. */
  indent: string | null;
  /** upgrade() does something (a merge point's `pass` shows no habit but the indentation). */
  upgrades: boolean;
}

/** Calls whose first positional argument is an index or constraint name. */
const NAMING_OPS = new Set([
  'create_index',
  'drop_index',
  'create_unique_constraint',
  'create_foreign_key',
  'create_check_constraint',
  'create_primary_key',
  'drop_constraint',
]);
const LOCK_TIMEOUT = /^\s*SET\s+(?:LOCAL\s+)?lock_timeout\s*(?:=|TO)\s*'?([^';\s]+)'?/i;

export async function readRevision(text: string, path: string): Promise<Revision> {
  const root = (await parsePython(path, text)).rootNode;
  const values = new Map<string, { node: Node; typed: boolean; statement: Node }>();
  let upgrade: Node | null = null;
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    if (statement.type === 'expression_statement') {
      const assignment = statement.namedChildren[0];
      const left = assignment?.childForFieldName('left');
      const right = assignment?.childForFieldName('right');
      if (assignment?.type === 'assignment' && left?.type === 'identifier' && right) {
        values.set(left.text, { node: right, typed: assignment.childForFieldName('type') !== null, statement });
      }
    } else if (statement.type === 'function_definition' && statement.childForFieldName('name')?.text === 'upgrade') {
      upgrade = statement;
    } else if (statement.type === 'decorated_definition') {
      const def = statement.childForFieldName('definition');
      if (def?.childForFieldName('name')?.text === 'upgrade') upgrade = def;
    }
  }

  const revision = values.get('revision');
  if (!revision) throw new InputError('revision file declares no `revision = "..."`', { file: path, line: 1, column: 1 });
  const ids = revisionIds(revision.node, path);
  if (ids.length !== 1) throw new InputError('`revision` must be one string', locate(revision.node, path));
  const field = (name: string): string[] => {
    const value = values.get(name);
    return value ? revisionIds(value.node, path) : [];
  };

  const names = countNames(root);
  const body = upgrade?.childForFieldName('body') ?? null;
  return {
    id: ids[0]!,
    downRevisions: field('down_revision'),
    branchLabels: field('branch_labels'),
    dependsOn: field('depends_on'),
    path,
    location: locate(revision.statement, path),
    downRevisionLocation: locate((values.get('down_revision') ?? revision).statement, path),
    habits: {
      typedHeader: revision.typed,
      lockTimeout: body ? openingLockTimeout(body) : null,
      names: names.total,
      namesInOpF: names.inOpF,
      indent: body ? indentOf(body, text) : null,
      upgrades: body !== null && body.namedChildren.some((c) => c !== null && c.type !== 'comment' && c.type !== 'pass_statement' && !isDocstring(c)),
    },
  };
}

/** `None`, a string, or a tuple/list of strings, as `alembic.util.to_tuple` accepts them. */
function revisionIds(node: Node, path: string): string[] {
  switch (node.type) {
    case 'none':
      return [];
    case 'string':
    case 'concatenated_string':
      return [stringValue(node, path)];
    case 'tuple':
    case 'list':
    case 'parenthesized_expression':
      return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment').flatMap((c) => revisionIds(c, path));
    default:
      throw new InputError(
        `cannot read a revision id from \`${node.text}\`: expected a string, a tuple of strings or None`,
        locate(node, path),
      );
  }
}

/** The value of a plain Python string literal (no f-string interpolation). */
export function stringValue(node: Node, path: string): string {
  if (node.type === 'concatenated_string') {
    return node.namedChildren.map((c) => stringValue(c!, path)).join('');
  }
  const start = node.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '"';
  if (/f/i.test(start) || node.namedChildren.some((c) => c?.type === 'interpolation')) {
    throw new InputError('expected a plain string, found an f-string', locate(node, path));
  }
  const raw = /r/i.test(start);
  return node.namedChildren
    .filter((c): c is Node => c?.type === 'string_content' || c?.type === 'escape_sequence')
    .map((c) => (c.type === 'escape_sequence' && !raw ? unescape(c.text) : c.text))
    .join('');
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function unescape(sequence: string): string {
  const body = sequence.slice(1);
  if (body in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[body]!;
  if (/^(x|u|U)[0-9a-fA-F]+$/.test(body)) return String.fromCodePoint(parseInt(body.slice(1), 16));
  if (body.startsWith('\n')) return '';
  return sequence;
}

function openingLockTimeout(body: Node): string | null {
  const first = body.namedChildren.find((c) => c?.type !== 'comment' && !isDocstring(c));
  const call = first?.type === 'expression_statement' ? first.namedChildren[0] : null;
  if (call?.type !== 'call' || call.childForFieldName('function')?.text !== 'op.execute') return null;
  let arg = call.childForFieldName('arguments')?.namedChildren[0] ?? null;
  // op.execute(sa.text("SET ...")) is as common as the bare string.
  if (arg?.type === 'call') arg = arg.childForFieldName('arguments')?.namedChildren[0] ?? null;
  if (arg?.type !== 'string') return null;
  return LOCK_TIMEOUT.exec(arg.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join(''))?.[1] ?? null;
}

function isDocstring(node: Node | null): boolean {
  return node?.type === 'expression_statement' && node.namedChildren[0]?.type === 'string';
}

function indentOf(body: Node, text: string): string | null {
  const first = body.namedChildren[0];
  if (!first) return null;
  const line = text.split('\n')[first.startPosition.row] ?? '';
  return /^[ \t]*/.exec(line)![0] || null;
}

function countNames(root: Node): { total: number; inOpF: number } {
  let total = 0;
  let inOpF = 0;
  const count = (arg: Node | null | undefined) => {
    if (!arg || arg.type === 'none') return;
    total += 1;
    if (arg.type === 'call' && arg.childForFieldName('function')?.text === 'op.f') inOpF += 1;
  };
  for (const call of root.descendantsOfType('call')) {
    if (!call) continue;
    const fn = call.childForFieldName('function')?.text ?? '';
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => a !== null && a.type !== 'comment') ?? [];
    const keyword = (name: string) =>
      args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name)?.childForFieldName('value');
    if (fn.startsWith('op.') && NAMING_OPS.has(fn.slice(3))) {
      const first = args[0];
      count(first && first.type !== 'keyword_argument' ? first : keyword(fn.endsWith('_index') ? 'index_name' : 'constraint_name'));
    } else if (/(?:^|\.)(?:PrimaryKeyConstraint|UniqueConstraint|ForeignKeyConstraint|CheckConstraint)$/.test(fn)) {
      count(keyword('name'));
    }
  }
  return { total, inOpF };
}

function locate(node: Node, file: string): SourceLocation {
  return { file, line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

import type { Node } from './syntax-tree.js';
import type { Deferral, ReferentialAction } from '../schema/model.js';
import { at, calleeName, literal, nodeKey, type ReaderContext } from './context.js';
import type { CheckDraft, ForeignKeyDraft, ForeignKeyTarget, IndexElementDraft, TableDraft } from './drafts.js';
import { renderClause, renderSqlText, type SqlContext } from './sql-expression.js';
import type { Scope } from './symbols.js';
import { callArguments, dottedParts, excerpt, namedChildren, stringValue, unwrap } from './syntax.js';
import {
  CHECK_KEYWORDS,
  FOREIGN_KEY_CONSTRAINT_KEYWORDS,
  FOREIGN_KEY_KEYWORDS,
  INDEX_KEYWORDS,
  PRIMARY_KEY_KEYWORDS,
  UNIQUE_KEYWORDS,
  keywordsOf,
  warnUnreadKeywords,
  type KnownKeywords,
} from './unread-keywords.js';

const ACTIONS = new Set<ReferentialAction>(['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION']);

/** `ondelete="cascade"` → CASCADE; a warning and null for anything unreadable. */
function referentialAction(ctx: ReaderContext, node: Node | undefined, scope: Scope): ReferentialAction | null {
  if (!node) return null;
  const v = literal(ctx, node, scope);
  if (v.ok && v.value === null) return null;
  const action = v.ok && typeof v.value === 'string' ? v.value.toUpperCase().replace(/\s+/g, ' ') : null;
  if (action && ACTIONS.has(action as ReferentialAction)) return action as ReferentialAction;
  ctx.diagnostics.warning('unknown-referential-action', `the referential action ${excerpt(node)} is not one PostgreSQL has`, at(scope, node));
  return null;
}

/**
 * `deferrable=True, initially="DEFERRED"` as PostgreSQL takes them: INITIALLY DEFERRED alone
 * makes the constraint deferrable too, INITIALLY IMMEDIATE alone changes nothing. Undefined is
 * NOT DEFERRABLE; a keyword that is not a constant is a warning, and read as absent.
 */
function readDeferral(ctx: ReaderContext, keywords: ReadonlyMap<string, Node>, scope: Scope, what: string): Deferral | undefined {
  const constant = (keyword: string, ok: (v: unknown) => boolean): unknown => {
    const node = keywords.get(keyword);
    if (!node) return null;
    const v = literal(ctx, node, scope);
    if (v.ok && ok(v.value)) return v.value;
    ctx.diagnostics.warning('keyword-not-read', `${keyword}= on ${what} is not a constant, so it is not read: the schema shown, diffs and checks ignore it`, at(scope, node));
    return null;
  };
  const deferrable = constant('deferrable', (v) => typeof v === 'boolean' || v === null);
  const initially = constant('initially', (v) => v === null || (typeof v === 'string' && ['DEFERRED', 'IMMEDIATE'].includes(v.toUpperCase())));
  const deferred = typeof initially === 'string' && initially.toUpperCase() === 'DEFERRED';
  if (deferred && deferrable === false) {
    ctx.diagnostics.error('invalid-deferral', `${what} is deferrable=False with initially="DEFERRED", which PostgreSQL refuses`, at(scope, keywords.get('initially')!));
    return undefined;
  }
  if (deferred) return 'deferred';
  return deferrable === true ? 'immediate' : undefined;
}

function optionalName(ctx: ReaderContext, node: Node | undefined, scope: Scope): string | null {
  if (!node) return null;
  const v = literal(ctx, node, scope);
  if (v.ok && (typeof v.value === 'string' || v.value === null)) return v.value as string | null;
  // `conv("name")` / `f(...)`: the name is still the string inside when there is one.
  const n = unwrap(node);
  if (n.type === 'call') {
    const first = callArguments(n).positional[0];
    const s = first ? stringValue(first) : null;
    if (s !== null && calleeName(ctx, n, scope) === 'sa.conv') return s;
  }
  ctx.diagnostics.warning('name-not-constant', `the constraint name ${excerpt(node)} is not a constant; PostgreSQL's default name is assumed`, at(scope, node));
  return null;
}

/** Where `ForeignKey(<target>)` points. */
export function foreignKeyTarget(ctx: ReaderContext, node: Node, scope: Scope): ForeignKeyTarget | null {
  const s = stringValue(node);
  if (s !== null) return { kind: 'string', spec: s };
  const n = unwrap(node);
  if (n.type !== 'attribute') return null;
  const object = n.childForFieldName('object')!;
  const attribute = n.childForFieldName('attribute')!.text;
  const owner = ctx.resolver.resolve(object, scope);
  if (owner.kind === 'class') return { kind: 'attribute', cls: ctx.classes.info(owner), attribute };
  // `users.c.id`
  if (unwrap(object).type === 'attribute' && unwrap(object).childForFieldName('attribute')?.text === 'c') {
    const table = ctx.resolver.resolve(unwrap(object).childForFieldName('object')!, scope);
    if (table.kind === 'value' && unwrap(table.node).type === 'call') {
      return { kind: 'table-column', table: nodeKey(table.module.file, unwrap(table.node)), column: attribute };
    }
  }
  return null;
}

/** `ForeignKey("users.id", ondelete=...)` inside a column with key `column`. */
export function readForeignKey(ctx: ReaderContext, call: Node, scope: Scope, column: string): ForeignKeyDraft | null {
  const args = callArguments(call);
  const targetNode = args.positional[0] ?? args.keywords.get('column');
  const target = targetNode ? foreignKeyTarget(ctx, targetNode, scope) : null;
  if (!target) {
    ctx.diagnostics.error(
      'unknown-foreign-key-target',
      `the target of ${excerpt(call)} cannot be determined statically (use "table.column" or Model.attribute)`,
      at(scope, call),
    );
    return null;
  }
  warnUnreadKeywords(ctx, 'ForeignKey', keywordsOf(args.keywords, scope), FOREIGN_KEY_KEYWORDS);
  return {
    name: optionalName(ctx, args.keywords.get('name'), scope),
    columns: [column],
    targets: [target],
    onDelete: referentialAction(ctx, args.keywords.get('ondelete'), scope),
    onUpdate: referentialAction(ctx, args.keywords.get('onupdate'), scope),
    deferrable: readDeferral(ctx, args.keywords, scope, 'ForeignKey'),
    location: at(scope, call),
  };
}

export function readCheck(ctx: ReaderContext, call: Node, scope: Scope, sql: SqlContext): CheckDraft | null {
  const args = callArguments(call);
  warnUnreadKeywords(ctx, 'CheckConstraint', keywordsOf(args.keywords, scope), CHECK_KEYWORDS);
  const expressionNode = args.positional[0] ?? args.keywords.get('sqltext');
  const expression = expressionNode ? renderSqlText(expressionNode, sql) : null;
  if (expression === null) {
    ctx.diagnostics.warning('unreadable-check', `the expression of ${excerpt(call)} cannot be rendered statically; the check is left out`, at(scope, call));
    return null;
  }
  const columns = expressionNode && stringValue(expressionNode) === null && !isTextCall(ctx, expressionNode, scope) ? null : [];
  return { name: optionalName(ctx, args.keywords.get('name'), scope), expression, columns, location: at(scope, call) };
}

/**
 * The key of a column named in a constraint: `"email"` (a string is SQLAlchemy's column key,
 * the database name unless `key=` says otherwise), `email` (class body), `User.email`, `users.c.email`.
 */
function columnReference(node: Node, table: TableDraft): string | null {
  const s = stringValue(node);
  if (s !== null) return table.columns.find((c) => c.columnKey === s)?.key ?? s;
  const parts = dottedParts(node);
  if (!parts) return null;
  const last = parts[parts.length - 1]!;
  if (parts.length === 1) return table.columns.some((c) => c.key === last) ? last : null;
  return last;
}

export function sqlContextFor(ctx: ReaderContext, table: TableDraft, scope: Scope): SqlContext {
  return {
    scope,
    resolver: ctx.resolver,
    column: (name) => {
      const found = table.columns.find((c) => c.key === name) ?? table.columns.find((c) => c.name === name);
      return found ? found.name : null;
    },
  };
}

function stringList(ctx: ReaderContext, node: Node | undefined, scope: Scope, table: TableDraft): string[] | null {
  if (!node) return [];
  const n = unwrap(node);
  const items = n.type === 'list' || n.type === 'tuple' ? namedChildren(n) : [n];
  const out: string[] = [];
  for (const item of items) {
    const ref = columnReference(item, table);
    if (ref === null) {
      const v = literal(ctx, item, scope);
      if (!v.ok || typeof v.value !== 'string') return null;
      out.push(v.value);
    } else out.push(ref);
  }
  return out;
}

/** The keywords of each table item; CheckConstraint's are readCheck's, which a column's checks share. */
const TABLE_ITEM_KEYWORDS: Record<string, KnownKeywords> = {
  'sa.Index': INDEX_KEYWORDS,
  'sa.UniqueConstraint': UNIQUE_KEYWORDS,
  'sa.PrimaryKeyConstraint': PRIMARY_KEY_KEYWORDS,
  'sa.ForeignKeyConstraint': FOREIGN_KEY_CONSTRAINT_KEYWORDS,
};

/**
 * Adds one `__table_args__` / `Table(...)` item (Index, UniqueConstraint, CheckConstraint,
 * ForeignKeyConstraint, PrimaryKeyConstraint) to the table; false when it is none of them.
 */
export function addTableItem(ctx: ReaderContext, table: TableDraft, node: Node, scope: Scope): boolean {
  let call = unwrap(node);
  // `Index(...).ddl_if(dialect="postgresql")`: the item, made on PostgreSQL.
  const fn = call.type === 'call' ? call.childForFieldName('function') : null;
  if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'ddl_if') {
    const dialect = callArguments(call).keywords.get('dialect');
    const target = dialect ? stringValue(dialect) : 'postgresql';
    if (target !== 'postgresql') return true;
    call = unwrap(fn.childForFieldName('object')!);
  }
  const kind = calleeName(ctx, call, scope);
  if (!kind) return false;
  const args = callArguments(call);
  const known = TABLE_ITEM_KEYWORDS[kind];
  if (known) warnUnreadKeywords(ctx, kind.slice(3), keywordsOf(args.keywords, scope), known);
  const location = at(scope, call);
  const sql = sqlContextFor(ctx, table, scope);
  const columnsOf = (nodes: readonly Node[]): string[] | null => {
    const out: string[] = [];
    for (const c of nodes) {
      const ref = columnReference(c, table);
      if (ref === null) return null;
      out.push(ref);
    }
    return out;
  };
  /** The item is one the reader knows but cannot read: a warning, and it is left out. */
  const unreadable = (what: string): true => {
    ctx.diagnostics.warning('unreadable-table-item', `the ${what} of ${kind.slice(3)}(...) cannot be read statically; it is left out`, location);
    return true;
  };
  /** A boolean keyword: false when absent, null when not a constant. */
  const flag = (keyword: string): boolean | null => {
    const node = args.keywords.get(keyword);
    if (!node) return false;
    const v = literal(ctx, node, scope);
    return v.ok && typeof v.value === 'boolean' ? v.value : null;
  };
  switch (kind) {
    case 'sa.Index': {
      const [nameNode, ...elementNodes] = args.positional;
      const name = nameNode ? optionalName(ctx, nameNode, scope) : null;
      const elements: IndexElementDraft[] = [];
      for (const e of elementNodes) {
        const ref = columnReference(e, table);
        if (ref !== null) {
          elements.push({ key: ref });
          continue;
        }
        const expression = renderClause(e, sql);
        if (expression === null) return unreadable(`expression ${excerpt(e)}`);
        elements.push({ expression });
      }
      const unique = flag('unique');
      if (unique === null) return unreadable('unique=');
      const whereNode = args.keywords.get('postgresql_where');
      const where = whereNode ? renderSqlText(whereNode, sql) : null;
      if (whereNode && where === null) return unreadable(`postgresql_where= ${excerpt(whereNode)}`);
      const usingNode = args.keywords.get('postgresql_using');
      const using = usingNode ? literal(ctx, usingNode, scope) : null;
      if (using && (!using.ok || (typeof using.value !== 'string' && using.value !== null))) return unreadable('postgresql_using=');
      const include = stringList(ctx, args.keywords.get('postgresql_include'), scope, table);
      if (include === null) return unreadable('postgresql_include=');
      const nullsNotDistinct = flag('postgresql_nulls_not_distinct');
      if (nullsNotDistinct === null) return unreadable('postgresql_nulls_not_distinct=');
      const operatorClasses = operatorClassMap(ctx, args.keywords.get('postgresql_ops'), scope, table, elements);
      if (operatorClasses === null) return unreadable('postgresql_ops=');
      table.indexes.push({
        name,
        unique,
        elements,
        where,
        using: using?.ok && typeof using.value === 'string' ? using.value.toLowerCase() : null,
        include,
        nullsNotDistinct,
        operatorClasses,
        location,
      });
      return true;
    }
    case 'sa.UniqueConstraint': {
      const columns = columnsOf(args.positional);
      if (!columns) return unreadable('columns');
      const nullsNotDistinct = flag('postgresql_nulls_not_distinct');
      if (nullsNotDistinct === null) return unreadable('postgresql_nulls_not_distinct=');
      const deferrable = readDeferral(ctx, args.keywords, scope, 'UniqueConstraint');
      table.uniques.push({ name: optionalName(ctx, args.keywords.get('name'), scope), columns, nullsNotDistinct, deferrable, location });
      return true;
    }
    case 'sa.PrimaryKeyConstraint': {
      const columns = columnsOf(args.positional);
      if (!columns) return unreadable('columns');
      table.primaryKey = { name: optionalName(ctx, args.keywords.get('name'), scope), columns, location };
      return true;
    }
    case 'sa.CheckConstraint': {
      const check = readCheck(ctx, call, scope, sql);
      if (check) table.checks.push(check);
      return true;
    }
    case 'sa.ForeignKeyConstraint': {
      const [localNode, remoteNode] = [args.positional[0] ?? args.keywords.get('columns'), args.positional[1] ?? args.keywords.get('refcolumns')];
      const local = localNode ? listItems(localNode) : null;
      const remote = remoteNode ? listItems(remoteNode) : null;
      const columns = local ? columnsOf(local) : null;
      const targets = remote?.map((r) => foreignKeyTarget(ctx, r, scope));
      if (!columns || !targets || targets.some((t) => t === null) || targets.length !== columns.length) {
        ctx.diagnostics.error('unreadable-foreign-key', `the columns of ${excerpt(call)} cannot be read statically`, location);
        return true;
      }
      table.foreignKeys.push({
        name: optionalName(ctx, args.keywords.get('name'), scope),
        columns,
        targets: targets as ForeignKeyTarget[],
        onDelete: referentialAction(ctx, args.keywords.get('ondelete'), scope),
        onUpdate: referentialAction(ctx, args.keywords.get('onupdate'), scope),
        deferrable: readDeferral(ctx, args.keywords, scope, 'ForeignKeyConstraint'),
        location,
      });
      return true;
    }
    default:
      return false;
  }
}

/**
 * `postgresql_ops={"body": "gin_trgm_ops"}`, keyed by column key; null when it is not a dict
 * of constant strings.
 */
function operatorClassMap(
  ctx: ReaderContext,
  node: Node | undefined,
  scope: Scope,
  table: TableDraft,
  elements: IndexElementDraft[],
): Record<string, string> | null {
  if (!node) return {};
  const v = literal(ctx, node, scope);
  if (!v.ok || typeof v.value !== 'object' || v.value === null || Array.isArray(v.value)) return null;
  const out: Record<string, string> = {};
  for (const [name, opclass] of Object.entries(v.value as Record<string, unknown>)) {
    const key = table.columns.find((c) => c.columnKey === name)?.key ?? name;
    if (typeof opclass !== 'string') return null;
    // SQLAlchemy looks up only the index's own columns: any other key has no effect.
    if (elements.some((e) => 'key' in e && e.key === key)) out[key] = opclass;
    else ctx.diagnostics.warning('index-ops-unused', `postgresql_ops= names ${name}, which is not a column of this index; SQLAlchemy ignores it`, at(scope, node));
  }
  return out;
}

function listItems(node: Node): readonly Node[] | null {
  const n = unwrap(node);
  return n.type === 'list' || n.type === 'tuple' ? namedChildren(n) : null;
}

function isTextCall(ctx: ReaderContext, node: Node, scope: Scope): boolean {
  const n = unwrap(node);
  return n.type === 'call' && calleeName(ctx, n, scope) === 'sa.text';
}

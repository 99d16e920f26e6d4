import type { Node } from './syntax-tree.js';
import { at, literal, type ReaderContext } from './context.js';
import type { Scope } from './symbols.js';

/** What each schema item's keywords mean to the reader: `read` it models, `harmless` it may ignore. */
export interface KnownKeywords {
  read: readonly string[];
  /** Keywords that change nothing PostgreSQL stores (ORM, dataclass, Python-side and DDL-ordering options). */
  harmless: readonly string[];
}

// The keywords below follow the signatures of SQLAlchemy 2.0's Column, mapped_column, ForeignKey,
// ForeignKeyConstraint, UniqueConstraint, PrimaryKeyConstraint, CheckConstraint and Index.
export const COLUMN_KEYWORDS: KnownKeywords = {
  read: [
    'name', 'type_', 'primary_key', 'nullable', 'index', 'unique', 'autoincrement', 'sort_order', 'comment', 'info', 'key',
    'default', 'insert_default', 'default_factory', 'server_default',
  ],
  harmless: [
    'doc', 'onupdate', 'server_onupdate', 'insert_sentinel', 'init', 'repr', 'compare', 'kw_only', 'hash', 'deferred',
    'deferred_group', 'deferred_raiseload', 'active_history', 'use_existing_column', 'dataclass_metadata',
  ],
};
export const FOREIGN_KEY_KEYWORDS: KnownKeywords = {
  read: ['column', 'name', 'ondelete', 'onupdate', 'deferrable', 'initially'],
  harmless: ['use_alter', 'info'],
};
export const FOREIGN_KEY_CONSTRAINT_KEYWORDS: KnownKeywords = {
  read: ['columns', 'refcolumns', 'name', 'ondelete', 'onupdate', 'deferrable', 'initially'],
  harmless: ['use_alter', 'info', 'table'],
};
export const UNIQUE_KEYWORDS: KnownKeywords = { read: ['name', 'postgresql_nulls_not_distinct', 'deferrable', 'initially'], harmless: ['info'] };
export const PRIMARY_KEY_KEYWORDS: KnownKeywords = { read: ['name'], harmless: ['info'] };
export const CHECK_KEYWORDS: KnownKeywords = { read: ['sqltext', 'name'], harmless: ['info', 'table'] };
export const INDEX_KEYWORDS: KnownKeywords = {
  read: ['unique', 'postgresql_where', 'postgresql_using', 'postgresql_include', 'postgresql_nulls_not_distinct', 'postgresql_ops'],
  // CONCURRENTLY is how the index is built, not what it is.
  harmless: ['info', 'postgresql_concurrently'],
};
/**
 * Every type keyword the type reader models or that leaves the PostgreSQL type as it is
 * (`as_uuid`, `asdecimal`, `none_as_null`…); `collation=`, `inherit_schema=`, `day_precision=` are not among them.
 */
export const TYPE_KEYWORDS: KnownKeywords = {
  read: [
    'length', 'precision', 'scale', 'timezone', 'second_precision', 'varying', 'item_type', 'dimensions', 'name', 'schema',
    'native_enum', 'create_constraint', 'values_callable',
  ],
  harmless: [
    'native', 'as_tuple', 'zero_indexes', 'asdecimal', 'decimal_return_scale', 'as_uuid', 'none_as_null', 'astext_type',
    'validate_strings', 'metadata', 'create_type', 'omit_aliases', 'sort_key_function', 'protocol', 'pickler', 'comparator',
  ],
};

/** Another database's option (`mysql_length=`): PostgreSQL never sees it. */
const OTHER_DIALECT = /^(mysql|mariadb|sqlite|mssql|oracle)_/;

export interface Keyword {
  keyword: string;
  node: Node;
  scope: Scope;
}

/** The keywords that neither the reader models nor leave the schema alone. */
export function unreadKeywords(ctx: ReaderContext, given: Iterable<Keyword>, known: KnownKeywords): Keyword[] {
  return [...given].filter(({ keyword, node, scope }) => {
    // Private arguments (`_column_flag`) are SQLAlchemy's own plumbing.
    if (keyword.startsWith('_') || OTHER_DIALECT.test(keyword)) return false;
    if (known.read.includes(keyword) || known.harmless.includes(keyword)) return false;
    // quote=True on a name the reader already keeps as written changes nothing; quote=False may fold its case.
    if (keyword === 'quote') {
      const v = literal(ctx, node, scope);
      return !(v.ok && (v.value === true || v.value === null));
    }
    return true;
  });
}

/** A warning at each keyword that is dropped, so the schema shown never silently differs from the model. */
export function warnUnreadKeywords(ctx: ReaderContext, what: string, given: Iterable<Keyword>, known: KnownKeywords): void {
  for (const k of unreadKeywords(ctx, given, known)) {
    ctx.diagnostics.warning(
      'keyword-not-read',
      `${k.keyword}= on ${what} is not read: the schema shown, diffs and checks ignore it`,
      at(k.scope, k.node),
    );
  }
}

/** A call's keyword arguments as `Keyword`s. */
export function keywordsOf(keywords: ReadonlyMap<string, Node>, scope: Scope): Keyword[] {
  return [...keywords].map(([keyword, node]) => ({ keyword, node, scope }));
}

import type { Node } from './syntax-tree.js';
import { mappedAnnotation, type MappedAnnotation } from './annotations.js';
import { classKey, type ClassInfo, type ClassAttribute } from './classes.js';
import { columnFactory, readColumn } from './columns.js';
import { evaluateTableName } from './table-name.js';
import { addTableItem } from './constraints.js';
import { at, calleeName, infoDict, literal, type ReaderContext } from './context.js';
import { defaultMetadata, type DeclarativeBaseInfo } from './declarative.js';
import type { ColumnDraft, TableDraft } from './drafts.js';
import type { Scope } from './symbols.js';
import { callArguments, dottedParts, excerpt, locationOf, namedChildren, stringValue, unwrap } from './syntax.js';

/** Attribute values that map something other than a column. */
const NOT_COLUMNS = new Set([
  'sa.relationship', 'sa.relation', 'sa.backref', 'sa.synonym', 'sa.association_proxy', 'sa.composite',
  'sa.query_expression', 'sa.dynamic_loader', 'sa.hybrid_property', 'sa.hybrid_method', 'sa.column_property',
  'sa.comparable_using', 'sa.write_only',
]);
const BASE_SETTINGS = new Set(['metadata', 'registry', 'type_annotation_map']);
/** Wrappers whose first argument is the column: `deferred(Column(...))`. */
const COLUMN_WRAPPERS = new Set(['sa.deferred', 'sa.column_property']);

export type MappedKind =
  | { kind: 'table'; base: DeclarativeBaseInfo; name: string }
  /** Single-table inheritance: its columns go to the table of `parent`. */
  | { kind: 'single'; base: DeclarativeBaseInfo; parent: ClassInfo }
  | { kind: 'none' };

/** Turns mapped classes and `Table(...)` objects into table drafts. */
export class TableReader {
  private readonly kinds = new Map<string, MappedKind>();

  constructor(private readonly ctx: ReaderContext) {}

  /** Whether a class is mapped, and to which table. */
  classify(info: ClassInfo): MappedKind {
    const key = classKey(info.sym);
    const known = this.kinds.get(key);
    if (known) return known;
    this.kinds.set(key, { kind: 'none' });
    const kind = this.computeKind(info);
    this.kinds.set(key, kind);
    return kind;
  }

  private computeKind(info: ClassInfo): MappedKind {
    const base = this.ctx.declarative.baseOf(info);
    if (!base || this.ctx.declarative.isBaseClass(info)) return { kind: 'none' };
    const abstract = info.byName.get('__abstract__')?.value;
    if (abstract && unwrap(abstract).type === 'true') {
      return { kind: 'none' };
    }
    const mro = this.ctx.classes.mro(info);
    const mappedParent = mro.slice(1).find((c) => this.classify(c).kind !== 'none') ?? null;
    const skipped = this.skippedAncestors(info);
    for (const c of mro) {
      if (skipped.has(classKey(c.sym))) continue;
      const attr = c.byName.get('__tablename__');
      if (!attr) continue;
      const name = this.tableName(attr, c, info);
      if (name === undefined) break;
      if (name === null) return { kind: 'none' };
      // Flask-SQLAlchemy makes a subclass with no primary key of its own single-table.
      if (base.flask && mappedParent && !ownPrimaryKey(info)) break;
      return { kind: 'table', base, name };
    }
    // Flask-SQLAlchemy names the table of a model that names none, unless it is single-table.
    const explicit = mro.some((c) => !skipped.has(classKey(c.sym)) && c.byName.has('__tablename__'));
    if (base.flask && !explicit && (!mappedParent || ownPrimaryKey(info))) {
      return { kind: 'table', base, name: flaskTableName(info.name) };
    }
    if (mappedParent) {
      const parentKind = this.classify(mappedParent);
      const root = parentKind.kind === 'single' ? parentKind.parent : mappedParent;
      return { kind: 'single', base, parent: root };
    }
    return { kind: 'none' };
  }

  /**
   * A `__tablename__`: the string, null when it is None (no table), undefined (with an
   * error) when it cannot be determined. A `@declared_attr` one is evaluated for the class
   * being mapped, as SQLAlchemy calls it.
   */
  private tableName(attr: ClassAttribute, owner: ClassInfo, mapped: ClassInfo): string | null | undefined {
    const scope = { module: owner.module };
    if (attr.isFunction && attr.value) {
      const ret = singleReturn(attr.value);
      const name = ret ? evaluateTableName(this.ctx, ret, scope, mapped.name) : null;
      if (name !== null) return name;
      this.ctx.diagnostics.error(
        'unknown-table-name',
        `the table name computed by ${owner.name}.__tablename__ cannot be determined statically`,
        locationOf(owner.module.file, attr.statement),
      );
      return undefined;
    }
    if (!attr.value) return undefined;
    const v = literal(this.ctx, attr.value, scope);
    if (v.ok && typeof v.value === 'string') return v.value;
    if (v.ok && v.value === null) return null;
    this.ctx.diagnostics.error(
      'unknown-table-name',
      `__tablename__ of ${owner.name} is not a constant string`,
      locationOf(owner.module.file, attr.statement),
    );
    return undefined;
  }

  /** Classes whose attributes a class inherits through a mapped parent (not copied again). */
  private skippedAncestors(info: ClassInfo): Set<string> {
    const skipped = new Set<string>();
    for (const c of this.ctx.classes.mro(info).slice(1)) {
      if (skipped.has(classKey(c.sym))) continue;
      if (this.classify(c).kind !== 'none') {
        for (const a of this.ctx.classes.mro(c)) skipped.add(classKey(a.sym));
      }
    }
    return skipped;
  }

  /** The columns a mapped class declares itself (own, then its mixins' in MRO order). */
  classColumns(info: ClassInfo, base: DeclarativeBaseInfo, existing: ReadonlySet<string> = new Set()): ColumnDraft[] {
    const skipped = this.skippedAncestors(info);
    const seen = new Set<string>();
    const columns: ColumnDraft[] = [];
    for (const c of this.ctx.classes.mro(info)) {
      if (skipped.has(classKey(c.sym))) continue;
      for (const attr of c.attributes) {
        if (seen.has(attr.name)) continue;
        seen.add(attr.name);
        const column = this.attributeColumn(attr, c, base, existing);
        if (column) columns.push(column);
      }
    }
    return columns;
  }

  private attributeColumn(
    attr: ClassAttribute,
    owner: ClassInfo,
    base: DeclarativeBaseInfo,
    existing: ReadonlySet<string>,
  ): ColumnDraft | null {
    if (attr.name.startsWith('__') && attr.name.endsWith('__')) return null;
    // The declarative base's own settings; its columns, though, are inherited like a mixin's.
    if (BASE_SETTINGS.has(attr.name) && this.ctx.declarative.isBaseClass(owner)) return null;
    let scope: Scope = { module: owner.module };
    const location = locationOf(owner.module.file, attr.statement);
    let value = attr.value;
    let annotation: MappedAnnotation = mappedAnnotation(attr.annotation, scope, this.ctx.resolver);
    if (attr.isFunction) {
      if (!attr.declaredAttr || !attr.value) return null;
      // `@declared_attr def owner_id(cls) -> Mapped[int]: return mapped_column(ForeignKey(...))`
      value = singleReturn(attr.value);
      annotation = mappedAnnotation(attr.value.childForFieldName('return_type'), scope, this.ctx.resolver);
      // Only a function that builds a column matters (most build relationships), and then a
      // table read without that column would be wrong: an error.
      if (!value && /\b(Column|mapped_column)\(/.test(attr.value.text)) {
        this.ctx.diagnostics.error(
          'unreadable-declared-attr',
          `${owner.name}.${attr.name} builds a column in a @declared_attr function too complex to read statically`,
          location,
        );
        return null;
      }
      if (!value) return null;
    }
    let call: Node | null = null;
    if (value) {
      let n = unwrap(value);
      // `created_at = created_column`, a Column made at module level.
      if (n.type === 'identifier') {
        const sym = this.ctx.resolver.resolve(n, scope);
        if (sym.kind === 'value' && unwrap(sym.node).type === 'call' && columnFactory(this.ctx, unwrap(sym.node), { module: sym.module })) {
          n = unwrap(sym.node);
          scope = { module: sym.module };
        }
      }
      if (n.type !== 'call') return null;
      const callee = calleeName(this.ctx, n, scope);
      if (columnFactory(this.ctx, n, scope)) call = n;
      else if (callee && COLUMN_WRAPPERS.has(callee)) {
        const inner = callArguments(n).positional[0];
        const innerCall = inner ? unwrap(inner) : null;
        if (!innerCall || innerCall.type !== 'call' || !columnFactory(this.ctx, innerCall, scope)) return null;
        call = innerCall;
      } else if (callee && (NOT_COLUMNS.has(callee) || callee.startsWith('sa.'))) return null;
      else if (annotation.kind === 'column') {
        this.ctx.diagnostics.error(
          'unknown-column',
          `${owner.name}.${attr.name} is produced by a function call (${excerpt(n.childForFieldName('function'))}); its column cannot be determined statically`,
          location,
        );
        return null;
      } else {
        // A plain helper call (`primary_key()`) may well make a column; a method chain or a
        // class instantiation does not. A helper defined in the tree (not followable) is as
        // likely a column as not: an error, since a table read without it would lose it.
        const fn = n.childForFieldName('function')!;
        const target = dottedParts(fn) ? this.ctx.resolver.resolve(fn, scope) : null;
        const call = `${owner.name}.${attr.name} = ${excerpt(fn)}(...)`;
        // A helper whose source builds no column is a descriptor or a property, not a column.
        const buildsColumn = target?.kind !== 'function' || /\b(Column|mapped_column)\b/.test(target.node.text);
        const opaque = target?.kind === 'unknown' || target?.kind === 'function' || target?.kind === 'value';
        if (opaque && buildsColumn) {
          this.ctx.diagnostics.error('unknown-column', `${call} may make a column, and what it makes cannot be read statically`, location);
        } else if (target?.kind === 'external' && !target.name.startsWith('sa.') && /alchemy/i.test(target.name)) {
          // From an SQLAlchemy add-on (sqlalchemy_utils, geoalchemy2): maybe a column. Other
          // libraries' calls (pydantic's ConfigDict) are class settings.
          this.ctx.diagnostics.warning('unknown-attribute', `${call} may be a column; it cannot be read statically and is left out`, location);
        }
        return null;
      }
    } else if (annotation.kind !== 'column') return null;
    // A single-table subclass re-annotating its parent's column for typing only.
    const reuse = call ? callArguments(call).keywords.get('use_existing_column') : undefined;
    if (reuse && unwrap(reuse).type === 'true' && existing.has(attr.name)) return null;
    return readColumn(this.ctx, { key: attr.name, call, scope, annotation, typeMap: base.typeMap, location });
  }

  /** A draft for a class with its own table; table arguments included. */
  fromClass(info: ClassInfo, kind: MappedKind & { kind: 'table' }): TableDraft {
    const table: TableDraft = {
      name: kind.name,
      schema: kind.base.metadata.schema,
      comment: null,
      info: {},
      columns: this.classColumns(info, kind.base),
      primaryKey: null,
      foreignKeys: [],
      uniques: [],
      indexes: [],
      checks: [],
      metadata: kind.base.metadata,
      location: locationOf(info.module.file, info.node),
      cls: info,
    };
    this.tableArgs(info, table);
    this.reportMetadataProblem(table);
    return table;
  }

  /** A MetaData the reader could not fully read matters once per table that uses it. */
  private reportMetadataProblem(table: TableDraft): void {
    const problem = table.metadata.problem;
    if (problem) this.ctx.diagnostics.warning('unreadable-metadata', problem.reason, locationOf(problem.file, problem.node));
  }

  private tableArgs(info: ClassInfo, table: TableDraft): void {
    const skipped = this.skippedAncestors(info);
    const owner = this.ctx.classes.mro(info).find((c) => !skipped.has(classKey(c.sym)) && c.byName.has('__table_args__'));
    if (!owner) return;
    const attr = owner.byName.get('__table_args__')!;
    const location = locationOf(owner.module.file, attr.statement);
    let scope: Scope = { module: owner.module };
    let value = attr.isFunction && attr.value ? singleReturn(attr.value) : attr.value;
    if (value && unwrap(value).type === 'identifier') {
      const sym = this.ctx.resolver.resolve(value, scope);
      if (sym.kind === 'value') {
        value = sym.node;
        scope = { module: sym.module };
      }
    }
    if (!value) {
      this.ctx.diagnostics.warning('unreadable-table-args', `${owner.name}.__table_args__ cannot be read statically; its constraints are left out`, location);
      return;
    }
    const n = unwrap(value);
    if (n.type === 'dictionary') return this.tableOptions(table, n, scope);
    if (n.type !== 'tuple' && n.type !== 'list') {
      this.ctx.diagnostics.warning(
        'unreadable-table-args',
        `${owner.name}.__table_args__ (${excerpt(n)}) cannot be read statically; its constraints and options are left out`,
        location,
      );
      return;
    }
    const items = namedChildren(n);
    for (const [i, item] of items.entries()) {
      if (i === items.length - 1 && unwrap(item).type === 'dictionary') {
        this.tableOptions(table, unwrap(item), scope);
      } else if (!addTableItem(this.ctx, table, item, scope)) {
        this.ctx.diagnostics.warning('unreadable-table-args', `the __table_args__ item ${excerpt(item)} is not a constraint or index the reader knows; it is left out`, at(scope, item));
      }
    }
  }

  /** `{"schema": ..., "comment": ..., "info": ...}` of `__table_args__`. */
  private tableOptions(table: TableDraft, dict: Node, scope: Scope): void {
    for (const pair of namedChildren(dict)) {
      const keyNode = pair.childForFieldName('key');
      const valueNode = pair.childForFieldName('value');
      const key = keyNode ? stringValue(keyNode) : null;
      if (!key || !valueNode) {
        this.ctx.diagnostics.warning('unreadable-table-args', `the __table_args__ entry ${excerpt(pair)} cannot be read statically`, at(scope, pair));
        continue;
      }
      this.tableOption(table, key, valueNode, scope);
    }
  }

  private tableOption(table: TableDraft, key: string, valueNode: Node, scope: Scope): void {
    if (key === 'info') {
      table.info = infoDict(this.ctx, valueNode, scope);
      return;
    }
    if (key !== 'schema' && key !== 'comment') return;
    const v = literal(this.ctx, valueNode, scope);
    if (!v.ok || (typeof v.value !== 'string' && v.value !== null)) {
      const what = key === 'schema' ? 'error' : 'warning';
      this.ctx.diagnostics[what]('unreadable-table-args', `the table ${key} ${excerpt(valueNode)} is not a constant string`, at(scope, valueNode));
      return;
    }
    if (key === 'schema') table.schema = v.value as string | null;
    else table.comment = v.value as string | null;
  }

  /** `Table("name", metadata, Column(...), ..., schema=..., comment=..., info=...)`. */
  fromTableCall(call: Node, scope: Scope): TableDraft | null {
    const args = callArguments(call);
    const [nameNode, metadataNode, ...items] = args.positional;
    const name = nameNode ? stringValue(nameNode) : null;
    const location = at(scope, call);
    if (name === null) {
      this.ctx.diagnostics.error('unknown-table-name', `the name of ${excerpt(call)} is not a constant string`, location);
      return null;
    }
    // Flask-SQLAlchemy's db.Table("name", Column(...)) has no metadata argument.
    const metadataIsColumn = metadataNode && calleeName(this.ctx, unwrap(metadataNode), scope) === 'sa.Column';
    const metadata = metadataNode && !metadataIsColumn ? this.ctx.declarative.metadataOfArgument(metadataNode, scope) : defaultMetadata();
    const table: TableDraft = {
      name,
      schema: metadata.schema,
      comment: null,
      info: {},
      columns: [],
      primaryKey: null,
      foreignKeys: [],
      uniques: [],
      indexes: [],
      checks: [],
      metadata,
      location,
      cls: null,
    };
    const rest = metadataIsColumn ? [metadataNode, ...items] : items;
    const others: Node[] = [];
    for (const item of rest) {
      const n = unwrap(item);
      if (n.type !== 'call' || !columnFactory(this.ctx, n, scope)) {
        others.push(item);
        continue;
      }
      const first = callArguments(n).positional[0];
      const columnName = first ? stringValue(first) : null;
      if (columnName === null) {
        this.ctx.diagnostics.error('unknown-column', `a column of table ${name} has no constant name`, at(scope, n));
        continue;
      }
      const keyNode = callArguments(n).keywords.get('key');
      const key = keyNode ? (stringValue(keyNode) ?? columnName) : columnName;
      const column = readColumn(this.ctx, {
        key,
        call: n,
        scope,
        annotation: { kind: 'none', inner: null, scope },
        typeMap: [],
        location: at(scope, n),
      });
      if (column) table.columns.push(column);
    }
    for (const item of others) {
      if (!addTableItem(this.ctx, table, item, scope)) {
        this.ctx.diagnostics.warning('unreadable-table-item', `the Table(...) argument ${excerpt(item)} is not a column, constraint or index the reader knows; it is left out`, at(scope, item));
      }
    }
    for (const [key, valueNode] of args.keywords) this.tableOption(table, key, valueNode, scope);
    this.reportMetadataProblem(table);
    return table;
  }
}

function ownPrimaryKey(info: ClassInfo): boolean {
  return info.attributes.some((a) => /\bprimary_key\s*=\s*True\b/.test(a.value?.text ?? ''));
}

/** Flask-SQLAlchemy's `camel_to_snake_case`: `HTTPRequestLog` → `http_request_log`. */
export function flaskTableName(className: string): string {
  return className.replace(/((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))/g, '_$1').toLowerCase().replace(/^_+/, '');
}

/** The expression of a function whose body is `return <expr>` (docstring allowed). */
function singleReturn(fn: Node): Node | null {
  const body = fn.childForFieldName('body');
  if (!body) return null;
  const stmts = namedChildren(body).filter((s) => !(s.type === 'expression_statement' && namedChildren(s)[0]?.type === 'string'));
  if (stmts.length !== 1 || stmts[0]!.type !== 'return_statement') return null;
  return namedChildren(stmts[0]!)[0] ?? null;
}

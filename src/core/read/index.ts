import posix from 'node:path/posix';
import type { Node } from './syntax-tree.js';
import { InputError } from '../errors.js';
import type { Diagnostic, Schema } from '../schema/model.js';
import type { SourceTree } from '../source.js';
import { assembleSchema, type DraftIndex } from './assemble.js';
import { Classes, classKey, type ClassInfo } from './classes.js';
import { addTableItem } from './constraints.js';
import { calleeName, nodeKey, type ReaderContext } from './context.js';
import { Declarative } from './declarative.js';
import { Diagnostics } from './diagnostics.js';
import type { TableDraft } from './drafts.js';
import { ModuleIndex, type ModuleInfo } from './modules.js';
import { ParseCache } from './parser.js';
import { Resolver } from './symbols.js';
import { callArguments, dottedParts, excerpt, locationOf, namedChildren, unwrap } from './syntax.js';
import { TableReader } from './tables.js';
import { TypeReader } from './types.js';

export { ParseCache };

export interface ReadOptions {
  /** Shared by the reads of one change (base and head), so a file both have is parsed once. */
  parsed?: ParseCache;
}

export interface ReadResult {
  schema: Schema;
  diagnostics: Diagnostic[];
  /**
   * Every file the schema was read from: the scanned ones and the modules their imports led
   * to (an imported module that does not parse included), so a change to any of them may
   * change the schema.
   */
  files: string[];
}

/**
 * Reads the SQLAlchemy models under `dir` statically (the code is parsed, never run) into
 * the schema PostgreSQL would hold after `metadata.create_all()`. Imports are followed
 * anywhere in the tree (absolute ones from the package root), but only the classes and
 * `Table(...)` objects of files under `dir` become tables.
 *
 * A syntax error in a scanned file, or a folder with no Python file, throws InputError
 * (at file:line:column); anything else the reader cannot determine, a syntax error in an
 * imported module included, becomes a diagnostic.
 */
export async function readModels(dir: string, tree: SourceTree, options: ReadOptions = {}): Promise<ReadResult> {
  // The models may be one module (`app/orm.py`): its package is then where imports start.
  const single = dir.endsWith('.py') && (await tree.read(dir)) !== null;
  const files = single ? [dir] : (await tree.list(dir)).filter((f) => f.endsWith('.py')).sort();
  // A mistyped folder must not read as "every table was dropped".
  if (!files.length) throw new InputError(`no Python files under ${dir}`);
  const parsed = options.parsed ?? new ParseCache();
  const modules = await ModuleIndex.forDirectory(tree, single ? posix.dirname(dir) : dir, parsed);
  // Read one by one (a source may be a folder of thousands of files, or the GitHub API), then
  // parsed together; a file that cannot be read is reported after the syntax errors of the
  // files before it, as reading and parsing each in turn would.
  const texts: (string | null)[] = [];
  let unreadable: unknown = null;
  for (const file of files) {
    try {
      texts.push(await tree.read(file));
    } catch (err) {
      unreadable = err;
      break;
    }
  }
  await parsed.prefetch(texts.filter((text): text is string => text !== null));
  const scanned: ModuleInfo[] = [];
  for (const [i, text] of texts.entries()) {
    if (text !== null) scanned.push(await modules.loadFile(files[i]!, text));
  }
  if (unreadable) throw unreadable;
  // Resolution asks for the modules it needs; read them and resolve again until it asks for
  // none new. A foreign key naming a table no module was read for needs the whole closure.
  for (;;) {
    const pass = readPass(modules, scanned);
    if (await modules.loadDemanded()) continue;
    if (pass.unfoundTables && (await modules.loadAllImports())) continue;
    return pass.result;
  }
}

/** One reading of the scanned modules with the modules read so far. */
function readPass(modules: ModuleIndex, scanned: ModuleInfo[]): { result: ReadResult; unfoundTables: boolean } {
  const reported = new Diagnostics();
  for (const err of modules.unparsable) {
    reported.warning('unparsable-import', `an imported module has a syntax error, so what it defines is unknown here`, err.location);
  }
  const resolver = new Resolver(modules);
  const classes = new Classes(resolver);
  const ctx: ReaderContext = {
    resolver,
    classes,
    types: new TypeReader(classes),
    declarative: new Declarative(classes),
    diagnostics: reported,
  };
  const reader = new TableReader(ctx);
  const index: DraftIndex = {
    all: [],
    byClass: new Map(),
    byCall: new Map(),
    unfoundTables: false,
    unparsedImports: modules.unparsable.length > 0,
    partial: new Set(),
  };
  const scannedDrafts: TableDraft[] = [];
  const scannedFiles = new Set(scanned.map((m) => m.file));

  // Modules outside the scanned folder are read too (a foreign key's type may live there),
  // but their problems are not the scanned models' problems.
  const all = [...scanned, ...modules.all().filter((m) => !scannedFiles.has(m.file))];
  const singles: { info: ClassInfo; parent: ClassInfo; inScan: boolean }[] = [];
  for (const module of all) {
    const inScan = scannedFiles.has(module.file);
    ctx.diagnostics = inScan ? reported : new Diagnostics();
    for (const node of module.classes.values()) {
      const info = classes.info({ kind: 'class', module, node, name: node.childForFieldName('name')!.text });
      const kind = reader.classify(info);
      if (kind.kind === 'table') {
        const draft = reader.fromClass(info, kind);
        index.all.push(draft);
        index.byClass.set(classKey(info.sym), draft);
        if (ctx.declarative.unresolvedBases(info).length) index.partial.add(draft);
        if (inScan) scannedDrafts.push(draft);
      } else if (kind.kind === 'single') {
        singles.push({ info, parent: kind.parent, inScan });
      } else if (inScan) {
        warnUnmapped(ctx, info);
      }
    }
    for (const call of tableCalls(ctx, module)) {
      const draft = reader.fromTableCall(call, { module });
      if (!draft) continue;
      index.all.push(draft);
      index.byCall.set(nodeKey(module.file, call), draft);
      if (REFLECTING.some((k) => callArguments(call).keywords.has(k))) index.partial.add(draft);
      if (inScan) scannedDrafts.push(draft);
    }
  }
  // Single-table inheritance: a subclass's own columns join its parent's table.
  for (const single of singles) {
    const table = index.byClass.get(classKey(single.parent.sym));
    if (!table) continue;
    ctx.diagnostics = single.inScan ? reported : new Diagnostics();
    const base = ctx.declarative.baseOf(single.info);
    const known = new Set(table.columns.map((c) => c.key));
    for (const column of base ? reader.classColumns(single.info, base, known) : []) {
      if (!known.has(column.key)) table.columns.push(column);
    }
    index.byClass.set(classKey(single.info.sym), table);
  }
  ctx.diagnostics = reported;
  for (const module of scanned) attachModuleIndexes(ctx, module, index);

  const schema = assembleSchema(scannedDrafts, index, reported);
  const files = [...modules.all().map((m) => m.file), ...modules.unparsable.flatMap((err) => (err.location ? [err.location.file] : []))];
  return { result: { schema, diagnostics: reported.list, files }, unfoundTables: index.unfoundTables };
}

/** `Table(...)` keywords that load its columns from the database, which the reader cannot see. */
const REFLECTING = ['autoload_with', 'autoload', 'extend_existing'];

/** Module-level `name = Table("name", metadata, ...)` (or a bare `Table(...)` statement). */
function tableCalls(ctx: ReaderContext, module: ModuleInfo): Node[] {
  const out: Node[] = [];
  for (const stmt of module.body) {
    if (stmt.type !== 'expression_statement') continue;
    let expr = namedChildren(stmt)[0];
    if (expr?.type === 'assignment') expr = expr.childForFieldName('right') ?? undefined;
    const call = expr ? unwrap(expr) : null;
    if (call?.type === 'call' && calleeName(ctx, call, { module }) === 'sa.Table') out.push(call);
  }
  return out;
}

/** `Index("ix_name", User.email, ...)` at module level attaches to the table of its first column. */
function attachModuleIndexes(ctx: ReaderContext, module: ModuleInfo, index: DraftIndex): void {
  for (const stmt of module.body) {
    if (stmt.type !== 'expression_statement') continue;
    let expr = namedChildren(stmt)[0];
    if (expr?.type === 'assignment') expr = expr.childForFieldName('right') ?? undefined;
    const call = expr ? unwrap(expr) : null;
    if (!call || call.type !== 'call' || calleeName(ctx, call, { module }) !== 'sa.Index') continue;
    const scope = { module };
    const table = call.descendantsOfType('attribute').reduce<TableDraft | null>((found, attr) => {
      if (found || !attr) return found;
      const parts = dottedParts(attr);
      if (!parts || parts.length < 2) return null;
      const owner = ctx.resolver.resolve(attr.childForFieldName('object')!, scope);
      if (owner.kind === 'class') return index.byClass.get(classKey(owner)) ?? null;
      if (owner.kind === 'member' && owner.name === 'c' && owner.owner.kind === 'value') {
        return index.byCall.get(nodeKey(owner.owner.module.file, unwrap(owner.owner.node))) ?? null;
      }
      return null;
    }, null);
    if (!table) {
      ctx.diagnostics.warning('unattached-index', `the table of ${excerpt(call)} cannot be determined; the index is left out`, locationOf(module.file, call));
      continue;
    }
    addTableItem(ctx, table, call, scope);
  }
}

/** A class that looks like a model but maps no table deserves a word, not silence. */
function warnUnmapped(ctx: ReaderContext, info: ClassInfo): void {
  const tablename = info.byName.get('__tablename__');
  if (!tablename || ctx.declarative.baseOf(info)) return;
  // A mixin may carry __tablename__ too; only a base the reader cannot look into is a doubt.
  const unresolved = ctx.declarative.unresolvedBases(info).map((n) => n.text);
  if (!unresolved.length) return;
  ctx.diagnostics.error(
    'unknown-declarative-base',
    `${info.name} has a __tablename__ but no declarative base the reader can find: ${unresolved.join(', ')} cannot be read (not in the source tree); its table is left out`,
    locationOf(info.module.file, info.node),
  );
}


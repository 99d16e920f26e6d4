import path from 'node:path/posix';
import type { Node, Tree } from './syntax-tree.js';
import { InputError } from '../errors.js';
import type { SourceTree } from '../source.js';
import { ParseCache } from './parser.js';
import { dottedParts, namedChildren } from './syntax.js';

/** What a name bound by an import statement refers to. */
export type ImportBinding =
  | { kind: 'module'; module: string }
  | { kind: 'from'; module: string; name: string };

export interface ModuleInfo {
  /** Dotted module name relative to its path root, e.g. `app.db.base`. */
  name: string;
  file: string;
  isPackage: boolean;
  tree: Tree;
  imports: Map<string, ImportBinding>;
  starImports: string[];
  /** Every module named by `import a.b.c` (the statement binds only `a`). */
  importedModules: string[];
  classes: Map<string, Node>;
  /** Module-level `def`s (helpers that may build columns). */
  functions: Map<string, Node>;
  /** Module-level `name = value`: the value node. */
  assignments: Map<string, Node>;
  /** Top-level statements in order (for `Table(...)` objects). */
  body: readonly Node[];
}

/**
 * The Python modules the reader can see: the scanned files plus the modules of the same
 * source tree that resolving their names leads into. Imports are followed lazily, since
 * each read may be a `git cat-file` or an API call: resolution is synchronous and the tree
 * is not, so `get()` of a module not read yet records the demand, and the reader loads the
 * demanded modules (`loadDemanded`) and resolves again until nothing new is asked for.
 */
export class ModuleIndex {
  private readonly byName = new Map<string, ModuleInfo>();
  private readonly byFile = new Map<string, ModuleInfo>();
  private readonly missing = new Set<string>();
  private readonly demanded = new Set<string>();
  private closed = false;
  /** Syntax errors of imported (not scanned) modules, which are then treated as absent. */
  readonly unparsable: InputError[] = [];

  private constructor(
    private readonly tree: SourceTree,
    private readonly roots: string[],
    private readonly parsed: ParseCache,
  ) {}

  /**
   * Path roots: the folder above the outermost package containing `dir` (walking up while
   * `__init__.py` exists), then a couple of its ancestors for namespace packages.
   */
  static async forDirectory(tree: SourceTree, dir: string, parsed = new ParseCache()): Promise<ModuleIndex> {
    let root = normalise(dir);
    while ((await tree.read(join(root, '__init__.py'))) !== null) {
      const parent = path.dirname(root);
      if (parent === root) break;
      root = parent;
    }
    const roots = [root];
    for (let i = 0; i < 2; i++) {
      const parent = path.dirname(roots[roots.length - 1]!);
      if (parent === roots[roots.length - 1] || parent === '.' || parent === '/') break;
      roots.push(parent);
    }
    return new ModuleIndex(tree, roots, parsed);
  }

  /** Every module parsed so far, in the order they were read. */
  all(): ModuleInfo[] {
    return [...this.byFile.values()];
  }

  /** The module of that dotted name, if read; one not read yet is recorded as demanded. */
  get(name: string): ModuleInfo | undefined {
    const found = this.byName.get(name);
    if (!found && name && !this.missing.has(name)) this.demanded.add(name);
    return found;
  }

  /**
   * Reads the modules `get()` was asked for since the last call. False when that changed
   * nothing a pass can see: most demands are names outside the tree (`sqlalchemy`), and
   * resolving again with only those known missing would repeat the same pass.
   */
  async loadDemanded(): Promise<boolean> {
    const names = [...this.demanded];
    this.demanded.clear();
    const before = this.byFile.size + this.unparsable.length;
    for (const name of names) await this.loadModule(name);
    return this.byFile.size + this.unparsable.length !== before;
  }

  /**
   * Reads everything the read modules import, transitively: what a search by table name
   * (`ForeignKey("users.id")`) needs, since no name leads to the module defining it.
   * False when that was done already.
   */
  async loadAllImports(): Promise<boolean> {
    if (this.closed) return false;
    this.closed = true;
    for (const module of [...this.byFile.values()]) await this.followImports(module);
    return true;
  }

  /** Parses a file, throwing InputError on a syntax error. */
  async loadFile(file: string, text: string): Promise<ModuleInfo> {
    const known = this.byFile.get(file);
    if (known) return known;
    const root = this.roots.find((r) => isInside(file, r)) ?? path.dirname(file);
    const rel = path.relative(root === '.' ? '' : root, file).replace(/\.py$/, '');
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    const isPackage = parts[parts.length - 1] === '__init__';
    if (isPackage) parts.pop();
    const module = scanModule(parts.join('.'), file, isPackage, await this.parsed.parse(file, text));
    this.byFile.set(file, module);
    if (!this.byName.has(module.name)) this.byName.set(module.name, module);
    this.demanded.delete(module.name);
    // Once the import closure is wanted, a module read later joins it too.
    if (this.closed) await this.followImports(module);
    return module;
  }

  private async followImports(module: ModuleInfo): Promise<void> {
    const wanted = new Set<string>(module.starImports);
    const named: ImportBinding[] = [
      ...module.imports.values(),
      ...module.importedModules.map((m): ImportBinding => ({ kind: 'module', module: m })),
    ];
    for (const binding of named) {
      const parts = binding.module.split('.');
      for (let i = 1; i <= parts.length; i++) wanted.add(parts.slice(0, i).join('.'));
      if (binding.kind === 'from') wanted.add(`${binding.module}.${binding.name}`);
    }
    for (const name of wanted) await this.loadModule(name);
  }

  private async loadModule(name: string): Promise<void> {
    if (!name || this.byName.has(name) || this.missing.has(name)) return;
    this.missing.add(name);
    const rel = name.split('.').join('/');
    for (const root of this.roots) {
      for (const candidate of [`${rel}.py`, `${rel}/__init__.py`]) {
        const file = join(root, candidate);
        const text = this.byFile.has(file) ? null : await this.tree.read(file);
        if (text === null) continue;
        let module: ModuleInfo;
        try {
          module = await this.loadFile(file, text);
        } catch (err) {
          // An imported module that does not parse costs only what it would have told us;
          // a scanned file that does not parse still stops the read (it is loaded directly).
          if (!(err instanceof InputError)) throw err;
          this.unparsable.push(err);
          return;
        }
        this.missing.delete(name);
        this.byName.set(name, module);
        return;
      }
    }
  }
}

function normalise(dir: string): string {
  const n = path.normalize(dir);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function join(dir: string, file: string): string {
  return dir === '.' || dir === '' ? file : path.join(dir, file);
}

function isInside(file: string, dir: string): boolean {
  if (dir === '.' || dir === '') return !file.startsWith('/') && !file.startsWith('..');
  return file.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

function scanModule(name: string, file: string, isPackage: boolean, tree: Tree): ModuleInfo {
  const module: ModuleInfo = {
    name,
    file,
    isPackage,
    tree,
    imports: new Map(),
    starImports: [],
    importedModules: [],
    classes: new Map(),
    functions: new Map(),
    assignments: new Map(),
    body: namedChildren(tree.rootNode),
  };
  scanBlock(module, module.body, true);
  return module;
}

/**
 * Top-level bindings. Statements inside `if`/`try` at module level (TYPE_CHECKING imports,
 * ImportError fallbacks) count too, but never override a binding made before them.
 */
function scanBlock(module: ModuleInfo, stmts: readonly Node[], topLevel: boolean): void {
  for (const stmt of stmts) {
    switch (stmt.type) {
      case 'import_statement':
        for (const item of stmt.childrenForFieldName('name')) {
          if (!item) continue;
          if (item.type === 'aliased_import') {
            const target = item.childForFieldName('name')?.text;
            const alias = item.childForFieldName('alias')?.text;
            if (target && alias) bind(module.imports, alias, { kind: 'module', module: target }, topLevel);
          } else {
            const head = item.text.split('.')[0]!;
            bind(module.imports, head, { kind: 'module', module: head }, topLevel);
            module.importedModules.push(item.text);
          }
        }
        break;
      case 'import_from_statement': {
        const source = stmt.childForFieldName('module_name');
        if (!source) break;
        const from = absoluteModule(module, source);
        if (from === null) break;
        if (namedChildren(stmt).some((c) => c.type === 'wildcard_import')) {
          module.starImports.push(from);
          break;
        }
        for (const item of stmt.childrenForFieldName('name')) {
          if (!item) continue;
          const target = item.type === 'aliased_import' ? item.childForFieldName('name')?.text : item.text;
          const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : item.text;
          if (target && alias) bind(module.imports, alias, { kind: 'from', module: from, name: target }, topLevel);
        }
        break;
      }
      case 'class_definition': {
        const className = stmt.childForFieldName('name')?.text;
        if (className) bind(module.classes, className, stmt, topLevel);
        break;
      }
      case 'function_definition': {
        const name = stmt.childForFieldName('name')?.text;
        if (name) bind(module.functions, name, stmt, topLevel);
        break;
      }
      case 'decorated_definition': {
        const def = stmt.childForFieldName('definition');
        const name = def?.childForFieldName('name')?.text;
        if (def?.type === 'class_definition' && name) bind(module.classes, name, def, topLevel);
        if (def?.type === 'function_definition' && name) bind(module.functions, name, def, topLevel);
        break;
      }
      case 'expression_statement': {
        const inner = namedChildren(stmt)[0];
        if (inner?.type === 'assignment') {
          const left = inner.childForFieldName('left');
          const right = inner.childForFieldName('right');
          if (left?.type === 'identifier' && right) bind(module.assignments, left.text, right, topLevel);
          else if (left?.type === 'identifier') {
            const annotation = inner.childForFieldName('type');
            if (annotation) bind(module.assignments, left.text, annotation, topLevel);
          }
        }
        break;
      }
      case 'if_statement':
      case 'try_statement':
        for (const child of namedChildren(stmt)) {
          if (child.type === 'block') scanBlock(module, namedChildren(child), false);
          else if (['else_clause', 'except_clause', 'finally_clause', 'elif_clause'].includes(child.type)) {
            for (const b of namedChildren(child)) if (b.type === 'block') scanBlock(module, namedChildren(b), false);
          }
        }
        break;
    }
  }
}

function bind<T>(map: Map<string, T>, key: string, value: T, override: boolean): void {
  if (override || !map.has(key)) map.set(key, value);
}

function absoluteModule(module: ModuleInfo, source: Node): string | null {
  if (source.type !== 'relative_import') return dottedParts(source)?.join('.') ?? source.text;
  const prefix = namedChildren(source).find((c) => c.type === 'import_prefix');
  const level = prefix ? prefix.text.length : 0;
  const rest = namedChildren(source).find((c) => c.type === 'dotted_name')?.text ?? '';
  const parts = module.name ? module.name.split('.') : [];
  if (!module.isPackage) parts.pop();
  for (let i = 1; i < level; i++) {
    if (parts.length === 0) return null;
    parts.pop();
  }
  return [...parts, ...(rest ? [rest] : [])].join('.');
}

import { createRequire } from 'node:module';
import { Language, Parser, type Node as WasmNode } from 'web-tree-sitter';
import { InputError } from '../errors.js';
import { parseOnThreads, THREADED_MIN_CHARS } from './parse-threads.js';
import { convertTree, treeOf, type Node, type Tree } from './syntax-tree.js';

const require = createRequire(import.meta.url);

let parserPromise: Promise<Parser> | null = null;
let loadedParser: Parser | null = null;

/** Loading the wasm grammar costs tens of milliseconds: do it once per thread. */
export function pythonParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    loadedParser = parser;
    return parser;
  })();
  return parserPromise;
}

/**
 * Parses a Python file. A file with a syntax error is bad input, not something to read
 * around: it throws an InputError at the first ERROR or MISSING node.
 */
export async function parsePython(file: string, text: string): Promise<Tree> {
  const parser = await pythonParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error(`tree-sitter could not parse ${file}`);
  if (tree.rootNode.hasError) {
    const bad = firstError(tree.rootNode) ?? tree.rootNode;
    const { row, column } = bad.startPosition;
    tree.delete();
    throw new InputError('syntax error', { file, line: row + 1, column: column + 1 });
  }
  return convertTree(tree, text);
}

function firstError(node: WasmNode): WasmNode | null {
  if (node.isError || node.isMissing) return node;
  for (const child of node.children) {
    if (child && (child.hasError || child.isMissing)) {
      const found = firstError(child);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Parsed files by content, for reads that share most files: the base and head of one
 * change. A parsed tree is plain immutable data, so one parse serves every file with that
 * text. Syntax errors are not kept: the error names the file being read. Its lifetime is
 * the caller's (one change), so memory does not grow across changes.
 */
export class ParseCache {
  private readonly trees = new Map<string, Tree>();

  async parse(file: string, text: string): Promise<Tree> {
    const known = this.trees.get(text);
    if (known) return known;
    const tree = await parsePython(file, text);
    this.trees.set(text, tree);
    return tree;
  }

  /**
   * Parses files about to be read, on parser threads when there is enough text to repay
   * starting them; otherwise (or when threads cannot run) `parse` does it as they are read.
   * A file with a syntax error is left for `parse` to report, with its name. Returns how
   * many texts were parsed on threads.
   */
  async prefetch(texts: string[]): Promise<number> {
    const todo = [...new Set(texts)].filter((text) => !this.trees.has(text));
    if (todo.reduce((sum, text) => sum + text.length, 0) < THREADED_MIN_CHARS) return 0;
    const [parser, parsed] = await Promise.all([pythonParser(), parseOnThreads(todo)]);
    let count = 0;
    parsed?.forEach((flat, i) => {
      if (!flat) return;
      this.trees.set(todo[i]!, treeOf(flat, todo[i]!, parser.language!));
      count++;
    });
    return count;
  }
}

/**
 * Parses a snippet (a string annotation such as `"Mapped[Optional[User]]"`) with the
 * already-loaded parser; only valid after a file has been parsed. Null on a syntax error.
 */
export function parseSnippet(text: string): Node | null {
  if (!loadedParser) return null;
  const source = `_: ${text}\n`;
  const parsed = loadedParser.parse(source);
  if (!parsed) return null;
  if (parsed.rootNode.hasError) {
    parsed.delete();
    return null;
  }
  const assignment = convertTree(parsed, source).rootNode.namedChildren[0]?.namedChildren[0];
  return assignment?.childForFieldName('type') ?? null;
}

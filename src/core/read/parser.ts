import { createRequire } from 'node:module';
import { Language, Parser, type Node as WasmNode } from 'web-tree-sitter';
import { InputError } from '../errors.js';
import { parseOnThread, THREADED_MIN_CHARS } from './parse-threads.js';
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
 * change, which may run at the same time. A parsed tree is plain immutable data, so one
 * parse serves every file with that text. Syntax errors are not kept: the error names the
 * file being read. Its lifetime is the caller's (one change), so memory does not grow
 * across changes.
 */
export class ParseCache {
  /**
   * Per text, its tree, or null when it is left to `parse` (a syntax error, or no thread).
   * Set before any await, so reads running at the same time never parse a text twice.
   */
  private readonly trees = new Map<string, Promise<Tree | null>>();

  parse(file: string, text: string): Promise<Tree> {
    const known = this.trees.get(text);
    return known ? known.then((tree) => tree ?? parsePython(file, text)) : this.parseHere(file, text);
  }

  /**
   * Parses files about to be read: with enough text to repay starting a thread, half of it
   * on a parser thread while this one parses the other half; otherwise (or when threads
   * cannot run) `parse` does it as they are read. Texts another read is already parsing
   * are not parsed twice. A file with a syntax error is left for `parse` to report, with
   * its name. Says how many texts each thread parsed.
   */
  async prefetch(texts: string[]): Promise<{ here: number; thread: number }> {
    const todo = [...new Set(texts)].filter((text) => !this.trees.has(text));
    const total = todo.reduce((sum, text) => sum + text.length, 0);
    if (total < THREADED_MIN_CHARS) return { here: 0, thread: 0 };
    let size = 0;
    const split = todo.findIndex((text) => (size += text.length) > total / 2);
    const [mine, theirs] = [todo.slice(0, split), todo.slice(split)];

    const batch = Promise.all([pythonParser(), parseOnThread(theirs)]);
    const threaded = theirs.map((text, i) =>
      batch.then(
        ([parser, parsed]) => {
          const flat = parsed?.[i];
          return flat ? treeOf(flat, text, parser.language!) : null;
        },
        () => null,
      ),
    );
    let previous: Promise<unknown> = Promise.resolve();
    const here = mine.map((text) => {
      // One after another, as the thread's share arrives: parses are synchronous wasm calls.
      const tree = previous.then(() => parsePython('', text)).catch(() => null);
      previous = tree;
      return tree;
    });
    mine.forEach((text, i) => this.trees.set(text, here[i]!));
    theirs.forEach((text, i) => this.trees.set(text, threaded[i]!));
    const count = async (trees: Promise<Tree | null>[]) => (await Promise.all(trees)).filter((tree) => tree !== null).length;
    return { here: await count(here), thread: await count(threaded) };
  }

  private parseHere(file: string, text: string): Promise<Tree> {
    const parsing = parsePython(file, text);
    // A failure is not kept: the next file with this text is parsed again, and its error names it.
    this.trees.set(text, parsing.catch(() => null));
    return parsing;
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

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { pythonParser } from './parser.js';
import { flatten, type FlatNodes } from './syntax-tree.js';

/**
 * Parsing part of a large models package on a worker thread. Tree-sitter's parse and the
 * copy out of wasm are most of a big read's time and are independent per file, so on two
 * cores the calling thread parses one half while a parser thread parses the other. One
 * thread, not two: a third wasm instance warming up competes with the other two for the
 * compilers and gained nothing measurable. A thread loads the grammar first (tens of
 * milliseconds), so small packages, the pre-commit hook's included, are parsed on the
 * calling thread alone.
 *
 * The thread runs this very module (whatever file it was built or bundled into): starting
 * it with the role below makes it serve instead of being imported.
 */
const ROLE = 'flow-migrate:parse';

/** Below this much source text, starting a thread costs more than it saves. */
export const THREADED_MIN_CHARS = 256 * 1024;

interface ParseRequest {
  role: typeof ROLE;
  texts: string[];
}

/** Per text, its nodes, or null when it has a syntax error (reported by the caller, with its file). */
type ParseReply = (FlatNodes | null)[];

/**
 * Parses `texts` on a thread of its own. Null when threads cannot run here (a runtime that
 * cannot start this module as a worker, such as a TypeScript test runner): the caller then
 * parses them on its own thread.
 */
export async function parseOnThread(texts: string[]): Promise<ParseReply | null> {
  try {
    return await new Promise<ParseReply>((resolve, reject) => {
      const request: ParseRequest = { role: ROLE, texts };
      const worker = new Worker(new URL(import.meta.url), { workerData: request });
      // The thread ends by itself once it has replied: nothing else keeps it alive.
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`parser thread exited with code ${code}`)));
    });
  } catch {
    return null;
  }
}

async function serve(request: ParseRequest, port: NonNullable<typeof parentPort>): Promise<void> {
  const parser = await pythonParser();
  const reply: ParseReply = [];
  const transfer: ArrayBuffer[] = [];
  for (const text of request.texts) {
    const tree = parser.parse(text);
    if (!tree || tree.rootNode.hasError) {
      tree?.delete();
      reply.push(null);
      continue;
    }
    try {
      const flat = flatten(tree);
      reply.push(flat);
      for (const array of Object.values(flat)) transfer.push((array as Uint16Array | Int32Array).buffer as ArrayBuffer);
    } finally {
      tree.delete();
    }
  }
  port.postMessage(reply, transfer);
}

if (!isMainThread && parentPort && (workerData as ParseRequest | null)?.role === ROLE) {
  void serve(workerData as ParseRequest, parentPort);
}

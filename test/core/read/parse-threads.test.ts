import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import { beforeAll, describe, expect, it } from 'vitest';
import { readModels as readHere } from '../../../src/core/read/index.js';
import { flatten } from '../../../src/core/read/syntax-tree.js';
import { largePackage } from '../../support/large-package.js';
import { memoryTree } from '../../support/memory-tree.js';
import { describeDiagnostics, describeSchema } from './describe.js';

// A worker thread runs compiled JavaScript, so the threaded path is tested on the build
// (`npm test` builds first); under vitest the TypeScript sources parse on the test's thread.
const built = {
  threads: (await import(compiled('core/read/parse-threads.js'))) as typeof import('../../../src/core/read/parse-threads.js'),
  read: (await import(compiled('core/read/index.js'))) as typeof import('../../../src/core/read/index.js'),
};
const require = createRequire(import.meta.url);

function compiled(module: string): string {
  return new URL(`../../../dist/${module}`, import.meta.url).href;
}

describe('parsing on a worker thread', () => {
  let parser: Parser;
  beforeAll(async () => {
    await Parser.init();
    parser = new Parser();
    parser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
  });

  it('gives each text exactly the nodes a parse on this thread gives, and null for a syntax error', async () => {
    const texts = ['x = 1\n', 'class A(B):\n    y: int = f(1, "é")  # c\n', 'def broken(:\n', 'a = (1 +\n  2)\n'];
    const threaded = await built.threads.parseOnThread(texts);
    expect(threaded).not.toBeNull();
    texts.forEach((text, i) => {
      const tree = parser.parse(text)!;
      expect(threaded![i]).toEqual(tree.rootNode.hasError ? null : flatten(tree));
      tree.delete();
    });
  });

  it('leaves a small package to the calling thread: starting a thread would cost more', async () => {
    const files = largePackage(2);
    expect(await new built.read.ParseCache().prefetch(Object.values(files))).toEqual({ here: 0, thread: 0 });
  });

  it('reads a large package exactly as reading it on one thread does', async () => {
    const files = largePackage(40);
    const parsed = new built.read.ParseCache();
    const { here, thread } = await parsed.prefetch(Object.values(files));
    expect(thread).toBeGreaterThan(10);
    expect(here + thread).toBe(new Set(Object.values(files)).size);
    const threaded = await built.read.readModels('models', memoryTree(files), { parsed });
    const fromHere = await readHere('models', memoryTree(files));
    expect(threaded.schema.tables).toHaveLength(800);
    expect([describeSchema(threaded.schema), describeDiagnostics(threaded.diagnostics)]).toEqual([
      describeSchema(fromHere.schema),
      describeDiagnostics(fromHere.diagnostics),
    ]);
  });

  // Files are read in path order: models/m1.py is in the half parsed here, models/m9.py (the last) in the thread's.
  it.each(['models/m1.py', 'models/m9.py'])('still names the file and line of a syntax error in %s of a package parsed partly on a thread', async (file) => {
    const files = largePackage(40);
    files[file] += '\n\nclass Broken(Base:\n    pass\n';
    const lines = files[file]!.split('\n').length;
    await expect(built.read.readModels('models', memoryTree(files))).rejects.toMatchObject({
      message: 'syntax error',
      location: { file, line: lines - 2 },
    });
  });
});

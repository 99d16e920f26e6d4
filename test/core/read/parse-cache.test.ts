import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { ParseCache, readModels } from '../../../src/core/read/index.js';
import { largePackage } from '../../support/large-package.js';
import { dedent, memoryTree } from '../../support/memory-tree.js';
import { describeDiagnostics, describeSchema } from './describe.js';

const BASE = `
  from sqlalchemy.orm import DeclarativeBase
  class Base(DeclarativeBase):
      pass
`;
const USER = `
  from sqlalchemy import Column, Integer, String
  from .base import Base
  class User(Base):
      __tablename__ = "users"
      id = Column(Integer, primary_key=True)
      email = Column(String(255), nullable=False)
`;

function tree(files: Record<string, string>) {
  return memoryTree(Object.fromEntries(Object.entries(files).map(([p, t]) => [p, dedent(t)])));
}

describe('a parse cache shared by the reads of one change', () => {
  it('reads base and head exactly as separate reads do, the same text under other paths included', async () => {
    const base = tree({ 'models/__init__.py': '', 'models/base.py': BASE, 'models/user.py': USER });
    // The head moves user.py and adds a table: same texts under other paths, one new file.
    const head = tree({
      'models/__init__.py': '',
      'models/base.py': BASE,
      'models/accounts/__init__.py': '',
      'models/accounts/user.py': USER.replace('from .base', 'from ..base'),
      'models/team.py': USER.replace('User', 'Team').replace('"users"', '"teams"'),
    });
    const parsed = new ParseCache();
    const shared = [await readModels('models', base, { parsed }), await readModels('models', head, { parsed })];
    const separate = [await readModels('models', base), await readModels('models', head)];
    const describe = (r: (typeof shared)[number]) => [describeSchema(r.schema), describeDiagnostics(r.diagnostics)];
    expect(shared.map(describe)).toEqual(separate.map(describe));
    expect(shared[1]!.schema.tables.map((t) => t.name).sort()).toEqual(['teams', 'users']);
  });

  it('names the file being read in a syntax error, whichever read met the text first', async () => {
    const bad = 'class T(Base:\n    pass\n';
    const parsed = new ParseCache();
    await expect(readModels('a', memoryTree({ 'a/m.py': bad }), { parsed })).rejects.toBeInstanceOf(InputError);
    const error = await readModels('b', memoryTree({ 'b/other.py': bad }), { parsed }).catch((e: unknown) => e);
    expect((error as InputError).location).toMatchObject({ file: 'b/other.py', line: 1 });
  });

  it('parses a text once when two reads ask for it at the same time', async () => {
    const parsed = new ParseCache();
    const [a, b] = await Promise.all([parsed.parse('a/m.py', USER), parsed.parse('b/m.py', USER)]);
    expect(a).toBe(b);
  });

  it('leaves to a read running at the same time nothing it is already parsing ahead', async () => {
    // Large enough that either half alone would be parsed ahead.
    const texts = Object.values(largePackage(80));
    const parsed = new ParseCache();
    const [first, second] = await Promise.all([parsed.prefetch(texts), parsed.prefetch(texts)]);
    expect(first.here).toBeGreaterThan(0);
    expect(second).toEqual({ here: 0, thread: 0 });
    const tree = await parsed.parse('models/m1.py', texts[3]!);
    expect(await parsed.parse('other/m1.py', texts[3]!)).toBe(tree);
  });

  it('reports the syntax errors of the files before a file that cannot be read, then that file', async () => {
    const files: Record<string, string> = { 'm/a.py': 'class T(Base:\n    pass\n', 'm/b.py': '', 'm/c.py': 'x = (\n' };
    const unreadable = (broken: string) => ({
      list: memoryTree(files).list,
      read: async (file: string) => {
        if (file === broken) throw new InputError('unresolved merge conflict', { file, line: 1, column: 1 });
        return files[file] ?? null;
      },
    });
    await expect(readModels('m', unreadable('m/b.py'))).rejects.toMatchObject({ message: 'syntax error', location: { file: 'm/a.py' } });
    files['m/a.py'] = 'x = 1\n';
    await expect(readModels('m', unreadable('m/b.py'))).rejects.toMatchObject({ message: 'unresolved merge conflict' });
  });
});

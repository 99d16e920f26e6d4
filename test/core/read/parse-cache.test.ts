import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { ParseCache, readModels } from '../../../src/core/read/index.js';
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
});

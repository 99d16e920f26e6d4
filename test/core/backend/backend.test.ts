import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseDownRevision, readBackend } from '../../../src/core/backend/index.js';
import { InputError } from '../../../src/core/errors.js';
import { fileSystemTree } from '../../../src/adapters/fs/file-system-tree.js';
import { memoryTree } from '../../support/memory-tree.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/backends/flow-py-backend');

function revision(id: string, down: string | string[] | null, opts: { typed?: boolean; body?: string } = {}): string {
  const downText = down === null ? 'None' : Array.isArray(down) ? `(${down.map((d) => `'${d}'`).join(', ')})` : `'${down}'`;
  const ann = (t: string) => (opts.typed ? `: ${t}` : '');
  return [
    `"""r ${id}"""`,
    'from alembic import op',
    `revision${ann('str')} = '${id}'`,
    `down_revision${ann('Union[str, Sequence[str], None]')} = ${downText}`,
    '',
    'def upgrade():',
    opts.body ?? '    pass',
    '',
    'def downgrade():',
    '    pass',
    '',
  ].join('\n');
}

describe('readBackend', () => {
  it('reads the flow-py-backend fixture: chain, head, numbering, template and habits', async () => {
    const backend = await readBackend(FIXTURE, fileSystemTree());
    expect(backend.scriptLocation).toBe(`${FIXTURE}/migrations`);
    expect(backend.versionLocations).toEqual([`${FIXTURE}/migrations/versions`]);
    expect(backend.fileTemplate).toBe('%(rev)s_%(slug)s');
    expect(backend.truncateSlugLength).toBe(40);
    expect(backend.revisions.map((r) => [r.id, r.downRevisions])).toEqual([
      ['001', []],
      ['002', ['001']],
      ['003', ['002']],
    ]);
    expect(backend.heads).toEqual(['003']);
    expect(backend.numbering).toEqual({ kind: 'sequential', next: 4, width: 3 });
    expect(backend.template.path).toBe(`${FIXTURE}/migrations/script.py.mako`);
    expect(backend.style).toEqual({ wrapNamesInOpF: true, lockTimeout: '5s', indent: '    ' });
  });

  it('reads ids from the source, never from the file name, including typed headers and merges', async () => {
    const tree = memoryTree({
      'b/alembic.ini': '[alembic]\nscript_location = %(here)s/db\n',
      'b/db/versions/zz_first.py': revision('aaa111', null, { typed: true }),
      'b/db/versions/aa_second.py': revision('bbb222', 'aaa111', { typed: true }),
      'b/db/versions/mm_third.py': revision('ccc333', 'aaa111'),
      'b/db/versions/merge.py': revision('ddd444', ['bbb222', 'ccc333']),
      'b/db/versions/__init__.py': '',
      'b/db/versions/sub/ignored.py': 'this is not python (',
      'b/db/versions/notes.txt': 'x',
    });
    const backend = await readBackend('b', tree);
    expect(backend.heads).toEqual(['ddd444']);
    expect(backend.revisions.find((r) => r.id === 'ddd444')?.downRevisions).toEqual(['bbb222', 'ccc333']);
    expect(backend.numbering).toEqual({ kind: 'random' });
    expect(backend.revisions.find((r) => r.id === 'aaa111')?.habits.typedHeader).toBe(true);
    expect(backend.revisions.find((r) => r.id === 'ccc333')?.habits.typedHeader).toBe(false);
  });

  it('several heads: InputError naming them, unless a head is chosen', async () => {
    const tree = memoryTree({
      'b/alembic.ini': '[alembic]\nscript_location = migrations\n',
      'b/migrations/versions/1.py': revision('001', null),
      'b/migrations/versions/2.py': revision('002', '001'),
      'b/migrations/versions/3.py': revision('003', '001'),
    });
    const backend = await readBackend('b', tree);
    expect(backend.heads).toEqual(['002', '003']);
    expect(() => chooseDownRevision(backend, null)).toThrow(/several heads: 002, 003/);
    expect(chooseDownRevision(backend, '003')).toBe('003');
    expect(() => chooseDownRevision(backend, '001')).toThrow(/not a head/);
    expect(() => chooseDownRevision(backend, '999')).toThrow(/no such revision/);
  });

  it('an empty versions folder has no head and falls back to Alembic’s default template', async () => {
    const backend = await readBackend('b', memoryTree({ 'b/alembic.ini': '[alembic]\nscript_location = migrations\n' }));
    expect(backend.heads).toEqual([]);
    expect(chooseDownRevision(backend, null)).toBeNull();
    expect(backend.template.path).toBeNull();
    expect(backend.template.text).toContain('revision: str = ${repr(up_revision)}');
    expect(backend.style).toEqual({ wrapNamesInOpF: false, lockTimeout: null, indent: '    ' });
  });

  it('untyped existing revisions get the untyped default template', async () => {
    const backend = await readBackend(
      'b',
      memoryTree({
        'b/alembic.ini': '[alembic]\nscript_location = migrations\n',
        'b/migrations/versions/a.py': revision('a1', null),
      }),
    );
    expect(backend.template.text).toContain('revision = ${repr(up_revision)}');
  });

  it('version_locations (legacy space/comma split, explicit separator), truncate_slug_length, file_template', async () => {
    const ini = [
      '[alembic]',
      'script_location = migrations',
      'version_locations = %(here)s/v1, %(here)s/v2 %(here)s/v3',
      'file_template = %%(year)d_%%(month).2d_%%(rev)s',
      'truncate_slug_length = 20',
    ].join('\n');
    const tree = memoryTree({
      'b/alembic.ini': ini,
      'b/v1/a.py': revision('a1', null),
      'b/v3/b.py': revision('b2', 'a1'),
    });
    const backend = await readBackend('b', tree);
    expect(backend.versionLocations).toEqual(['b/v1', 'b/v2', 'b/v3']);
    expect(backend.heads).toEqual(['b2']);
    expect(backend.fileTemplate).toBe('%(year)d_%(month).2d_%(rev)s');
    expect(backend.truncateSlugLength).toBe(20);

    const semicolons = memoryTree({
      'b/alembic.ini': '[alembic]\nscript_location = m\nversion_locations = x y;z\nversion_path_separator = ;\n',
    });
    expect((await readBackend('b', semicolons)).versionLocations).toEqual(['b/x y', 'b/z']);
  });

  it('pyproject.toml [tool.alembic] (Alembic 1.16+): alone, or behind alembic.ini', async () => {
    const toml = [
      '[project]',
      'name = "flow"',
      '',
      '[tool.alembic]',
      'script_location = "%(here)s/db"',
      'version_locations = ["%(here)s/db/versions", "%(here)s/extra"]',
      'file_template = "%%(rev)s-%%(slug)s"',
      'truncate_slug_length = 10',
      'timezone = "UTC"',
    ].join('\n');
    const alone = await readBackend(
      'b',
      memoryTree({ 'b/pyproject.toml': toml, 'b/extra/1.py': revision('x1', null), 'b/db/versions/2.py': revision('x2', 'x1') }),
    );
    expect(alone).toMatchObject({
      scriptLocation: 'b/db',
      versionLocations: ['b/db/versions', 'b/extra'],
      fileTemplate: '%(rev)s-%(slug)s',
      truncateSlugLength: 10,
      timezone: 'UTC',
      heads: ['x2'],
    });
    // Alembic reads the ini's [alembic] first, then [tool.alembic].
    const both = await readBackend(
      'b',
      memoryTree({ 'b/pyproject.toml': toml, 'b/alembic.ini': '[alembic]\nscript_location = migrations\ntruncate_slug_length = 30\n' }),
    );
    expect(both).toMatchObject({ scriptLocation: 'b/migrations', truncateSlugLength: 30, fileTemplate: '%(rev)s-%(slug)s' });

    await expect(readBackend('b', memoryTree({ 'b/pyproject.toml': '[tool.alembic]\nscript_location = \n' }))).rejects.toMatchObject({
      location: { file: 'b/pyproject.toml', line: 2 },
    });
    await expect(
      readBackend('b', memoryTree({ 'b/pyproject.toml': '[tool.alembic]\nscript_location = "m"\nfile_template = "%(rev)s_%(nope)s"\n' })),
    ).rejects.toMatchObject({ location: { file: 'b/pyproject.toml', line: 3 } });
    // A pyproject.toml without [tool.alembic] configures nothing.
    await expect(readBackend('b', memoryTree({ 'b/pyproject.toml': '[project]\nname = "x"\n' }))).rejects.toThrow(
      /cannot read b\/alembic.ini: no such file/,
    );
  });

  it('path_separator (Alembic 1.16+) splits version_locations, newline included', async () => {
    const ini = '[alembic]\nscript_location = m\npath_separator = newline\nversion_locations =\n    %(here)s/a b\n    %(here)s/c\n';
    expect((await readBackend('b', memoryTree({ 'b/alembic.ini': ini }))).versionLocations).toEqual(['b/a b', 'b/c']);
  });

  it('habits count only when every revision shares them', async () => {
    const lock = "    op.execute(\"SET LOCAL lock_timeout = '3s'\")\n    op.create_index(op.f('ix_a_b'), 'a', ['b'])";
    const noLock = "    op.create_index('ix_a_c', 'a', ['c'])";
    const both = await readBackend(
      'b',
      memoryTree({
        'b/alembic.ini': '[alembic]\nscript_location = m\n',
        'b/m/versions/1.py': revision('1', null, { body: lock }),
        'b/m/versions/2.py': revision('2', '1', { body: lock.replace(/    /g, '  ') }),
      }),
    );
    expect(both.style).toEqual({ wrapNamesInOpF: true, lockTimeout: '3s', indent: '    ' });
    const mixed = await readBackend(
      'b',
      memoryTree({
        'b/alembic.ini': '[alembic]\nscript_location = m\n',
        'b/m/versions/1.py': revision('1', null, { body: lock }),
        'b/m/versions/2.py': revision('2', '1', { body: noLock }),
      }),
    );
    expect(mixed.style).toEqual({ wrapNamesInOpF: false, lockTimeout: null, indent: '    ' });
    // A merge point (or any revision whose upgrade is `pass`) cannot show the lock_timeout habit.
    const withMerge = await readBackend(
      'b',
      memoryTree({
        'b/alembic.ini': '[alembic]\nscript_location = m\n',
        'b/m/versions/1.py': revision('1', null, { body: lock }),
        'b/m/versions/2.py': revision('2', '1', { body: lock }),
        'b/m/versions/3.py': revision('3', '1', { body: lock }),
        'b/m/versions/4.py': revision('4', ['2', '3'], { body: "    '''merge'''\n    pass" }),
      }),
    );
    expect(withMerge.heads).toEqual(['4']);
    expect(withMerge.style).toEqual({ wrapNamesInOpF: true, lockTimeout: '3s', indent: '    ' });
  });

  it('bad input: a clear InputError naming the file and line', async () => {
    const ini = '[alembic]\nscript_location = m\n';
    const cases: [Record<string, string>, RegExp, string | null][] = [
      [{}, /cannot read b\/alembic.ini: no such file/, null],
      [{ 'b/alembic.ini': '[alembic]\nsqlalchemy.url = x\n' }, /no script_location/, 'b/alembic.ini:1'],
      [{ 'b/alembic.ini': '# x\n[alembic]\nscript_location = myapp:migrations\n' }, /Python package resource/, 'b/alembic.ini:3'],
      [{ 'b/alembic.ini': `${ini}truncate_slug_length = many\n` }, /not a number/, 'b/alembic.ini:3'],
      [{ 'b/alembic.ini': ini, 'b/m/versions/1.py': 'x = 1\nrevision = (\n' }, /syntax error/, 'b/m/versions/1.py:2'],
      [{ 'b/alembic.ini': ini, 'b/m/versions/1.py': 'down_revision = None\n' }, /declares no `revision/, 'b/m/versions/1.py:1'],
      [{ 'b/alembic.ini': ini, 'b/m/versions/1.py': revision('2', '1') }, /revises 1, which no revision file declares/, 'b/m/versions/1.py:4'],
      [
        { 'b/alembic.ini': ini, 'b/m/versions/1.py': revision('1', null), 'b/m/versions/2.py': revision('1', null) },
        /revision 1 is declared twice/,
        'b/m/versions/2.py:3',
      ],
      [{ 'b/alembic.ini': ini, 'b/m/versions/1.py': 'import x\nrevision = make_id()\n' }, /cannot read a revision id/, 'b/m/versions/1.py:2'],
    ];
    for (const [files, message, where] of cases) {
      const error = await readBackend('b', memoryTree(files)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, String(message)).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(message);
      const location = (error as InputError).location;
      expect(location && `${location.file}:${location.line}`).toBe(where);
    }
  });

  it('a file_template Alembic could not format is an error at its ini line', async () => {
    const tree = memoryTree({ 'b/alembic.ini': '[alembic]\nscript_location = m\nfile_template = %%(rev)s_%%(nope)s\n' });
    await expect(readBackend('b', tree)).rejects.toMatchObject({
      message: expect.stringMatching(/unknown token %\(nope\)s/),
      location: { file: 'b/alembic.ini', line: 3, column: 1 },
    });
  });
});

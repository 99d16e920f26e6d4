import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { parseIni } from '../../../src/core/backend/ini.js';

describe('parseIni (configparser semantics)', () => {
  it('interpolates %(here)s and other options, and unescapes %%', () => {
    const ini = parseIni(
      ['[alembic]', 'script_location = %(here)s/migrations', 'file_template = %%(rev)s_%%(slug)s', 'base = x', 'other = %(base)s/y'].join('\n'),
      'alembic.ini',
      { here: '/srv/app' },
    );
    expect(ini.get('alembic', 'script_location')).toBe('/srv/app/migrations');
    expect(ini.get('alembic', 'file_template')).toBe('%(rev)s_%(slug)s');
    expect(ini.get('alembic', 'other')).toBe('x/y');
  });

  it('keeps # inside a value, skips comment lines, joins continuation lines', () => {
    const ini = parseIni(
      ['# top comment', '[alembic]', '; another', 'url = postgresql://u@h/db#frag', 'version_locations = a', '    b', '', '  c', 'Name: v'].join('\n'),
      'alembic.ini',
    );
    expect(ini.get('alembic', 'url')).toBe('postgresql://u@h/db#frag');
    expect(ini.get('alembic', 'version_locations')).toBe('a\nb\n\nc');
    expect(ini.get('alembic', 'name')).toBe('v');
    expect(ini.get('alembic', 'missing')).toBeNull();
    expect(ini.get('nosection', 'url')).toBeNull();
  });

  it('reports a lone % with the line of the option', () => {
    const ini = parseIni('[alembic]\n\nfile_template = %(rev)s_%s\n', 'alembic.ini');
    expect(() => ini.get('alembic', 'file_template')).toThrow(InputError);
    try {
      ini.get('alembic', 'file_template');
    } catch (err) {
      expect((err as InputError).location).toEqual({ file: 'alembic.ini', line: 3, column: 1 });
    }
  });

  it('rejects options before any section', () => {
    expect(() => parseIni('a = b\n', 'alembic.ini')).toThrow(/no section header/);
  });
});

import { describe, expect, it } from 'vitest';
import { commonFolder, pathFilter } from '../../../src/adapters/github/github-tree.js';

describe('pathFilter', () => {
  it('matches a folder and what lies below it, a file, or a glob', () => {
    const visible = pathFilter(['./flowbot_commons/', 'plugins/*/models.py', 'extra.py']);
    expect(visible('flowbot_commons/models.py')).toBe(true);
    expect(visible('flowbot_commons/sub/a.py')).toBe(true);
    expect(visible('flowbot_commons_docs/models.md')).toBe(false);
    expect(visible('plugins/billing/models.py')).toBe(true);
    expect(visible('plugins/billing/views.py')).toBe(false);
    expect(visible('extra.py')).toBe(true);
    expect(visible('README.md')).toBe(false);
  });

  it('treats "." as the whole repository', () => {
    expect(pathFilter(['.'])('alembic/versions/x.py')).toBe(true);
  });
});

describe('commonFolder', () => {
  it('is the deepest folder holding every path, before any glob', () => {
    expect(commonFolder(['flowbot_commons'])).toBe('flowbot_commons');
    expect(commonFolder(['src/app/models/a.py', 'src/app/models/b.py'])).toBe('src/app/models');
    expect(commonFolder(['src/app/models', 'src/app/plugins/**/models.py'])).toBe('src/app');
    expect(commonFolder(['.'])).toBe('');
    expect(commonFolder(['models', 'other'])).toBe('');
  });
});

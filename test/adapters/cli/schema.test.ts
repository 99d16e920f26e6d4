import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/models');

describe('flow-migrate schema', () => {
  const temps: string[] = [];
  afterEach(async () => {
    await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function models(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'flow-schema-'));
    temps.push(dir);
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    return dir;
  }

  it('prints each table with its columns, keys and indexes, and the enum types', async () => {
    const run = await runCli(['schema', 'server-app/server/app/models'], FIXTURES);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('table accounts  (server-app/server/app/models/account.py:9)\n');
    expect(run.stdout).toMatch(/\n  name\s+character varying\(120\)\s+NOT NULL\n/);
    expect(run.stdout).toContain('  PRIMARY KEY members_pkey (id)\n');
    expect(run.stdout).toContain('  FOREIGN KEY members_account_id_fkey (account_id) -> accounts (id) ON DELETE CASCADE\n');
    expect(run.stdout).toContain('  INDEX ix_accounts_name (name)\n');
    expect(run.stdout).toContain('enum account_plan: free, team, enterprise\n');
  });

  it('prints operator classes, NULLS NOT DISTINCT and a predicate built with SQLAlchemy expressions', async () => {
    const run = await runCli(['schema', 'postgresql-options/catalog/models'], FIXTURES);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'postgresql-options/catalog/models/docs.py:14:23: warning: table users: unique constraint uq_users_email is defined twice (also at line 17); PostgreSQL holds one unique constraint of that name, so this one is left out [duplicate-constraint]\n',
    );
    expect(run.stdout).toContain('  UNIQUE uq_docs_slug (slug) NULLS NOT DISTINCT\n');
    expect(run.stdout).toContain('  INDEX ix_docs_body_trgm (body gin_trgm_ops) USING gin\n');
    expect(run.stdout).toContain('  UNIQUE INDEX ix_docs_title_slug (title varchar_pattern_ops, slug) NULLS NOT DISTINCT\n');
    expect(run.stdout).toContain("  INDEX ix_items_open (qty) WHERE (qty IS NULL OR qty > 5) AND code = 'x'\n");
  });

  it('prints JSON with --json', async () => {
    const run = await runCli(['schema', 'flowbot-modern/flowbot_commons/models', '--json'], FIXTURES);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { schema: { tables: { name: string }[] }; diagnostics: unknown[] };
    expect(parsed.schema.tables.map((t) => t.name).sort()).toEqual([
      'bot_secrets', 'bots', 'flow_steps', 'flows', 'sessions', 'task_watchers', 'tasks', 'users',
    ]);
    expect(parsed.diagnostics).toEqual([]);
  });

  it('prints diagnostics with file:line and exits 2 when a column cannot be read', async () => {
    const dir = await models({
      'models/m.py': [
        'from sqlalchemy import Column, Integer',
        'from sqlalchemy.orm import declarative_base',
        'from .types import make_type',
        'Base = declarative_base()',
        'class T(Base):',
        '    __tablename__ = "t"',
        '    id = Column(Integer, primary_key=True)',
        '    x = Column(make_type())',
        '',
      ].join('\n'),
    });
    const run = await runCli(['schema', 'models'], dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('table t');
    expect(run.stderr).toMatch(/^models\/m\.py:8:\d+: error: column x: .*make_type\(\).* \[unknown-column-type\]\n$/);
  });

  it('exits 2 with path:line:column on a syntax error', async () => {
    const dir = await models({ 'models/m.py': 'class T(Base):\n    x = (\n' });
    const run = await runCli(['schema', 'models'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^models\/m\.py:\d+:\d+: syntax error\n$/);
    expect(run.stdout).toBe('');
  });

  it('needs exactly one directory', async () => {
    const run = await runCli(['schema'], FIXTURES);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected one models directory');
  });
});

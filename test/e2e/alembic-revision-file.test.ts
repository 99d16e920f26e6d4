/**
 * The revision file we write is the one `alembic revision` writes: same file name, same
 * text (apart from the Create Date), for the backend's own script.py.mako and for Alembic's
 * generic template.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSystemTree } from '../../src/adapters/fs/file-system-tree.js';
import { readBackend, renderRevisionFile } from '../../src/core/backend/index.js';
import { oracleSkipReason } from './support/oracle.js';
import { FLOW_PY_BACKEND, PLANS_BACKEND, PLANS_BACKEND_HEAD } from './support/plan-cases.js';

const python = process.env['FLOW_MIGRATE_PYTHON']!;
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** `alembic revision -m MESSAGE --rev-id ID` in `backend`; the file it wrote. */
function alembicRevision(backend: string, message: string, revId: string): { fileName: string; content: string } {
  const versions = path.join(backend, 'migrations/versions');
  const before = new Set(readdirSync(versions));
  const script = 'import sys\nfrom alembic import command\nfrom alembic.config import Config\ncommand.revision(Config("alembic.ini"), message=sys.argv[1], rev_id=sys.argv[2])';
  const result = spawnSync(python, ['-c', script, message, revId], { cwd: backend, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const fileName = readdirSync(versions).find((f) => !before.has(f))!;
  return { fileName, content: readFileSync(path.join(versions, fileName), 'utf8') };
}

async function ours(backendDir: string, message: string, randomId: string, downRevision: string) {
  const backend = await readBackend(backendDir, fileSystemTree());
  return renderRevisionFile({
    backend,
    body: { imports: [], upgrade: '    pass', downgrade: '    pass' },
    message,
    downRevision,
    now: new Date(),
    randomId: () => randomId,
  });
}

function copy(dir: string): string {
  const target = mkdtempSync(path.join(tmpdir(), 'flow-migrate-revision-'));
  temporary.push(target);
  cpSync(dir, target, { recursive: true });
  return target;
}

/** The create dates differ by the time between the two runs; their form (and offset) must not. */
const withoutDate = (text: string) =>
  text.replace(/^Create Date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{6})?/m, 'Create Date: <date>');

describe.skipIf(oracleSkipReason !== null)(
  `the revision graph equals Alembic's${oracleSkipReason ? ` (skipped: ${oracleSkipReason})` : ''}`,
  () => {
    it('heads of a graph with branches, merges, depends_on and two version locations', async () => {
      const backend = mkdtempSync(path.join(tmpdir(), 'flow-migrate-graph-'));
      temporary.push(backend);
      cpSync(path.join(PLANS_BACKEND, 'migrations/env.py'), path.join(backend, 'migrations/env.py'));
      writeFileSync(
        path.join(backend, 'alembic.ini'),
        '[alembic]\nscript_location = migrations\nversion_locations = %(here)s/migrations/versions %(here)s/billing\n',
      );
      const revision = (dir: string, id: string, down: string, extra = '') =>
        writeFileSync(
          path.join(backend, dir, `${id}_r.py`),
          `revision = '${id}'\ndown_revision = ${down}\n${extra}\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`,
        );
      mkdirSync(path.join(backend, 'migrations/versions'), { recursive: true });
      mkdirSync(path.join(backend, 'billing'));
      revision('migrations/versions', 'a', 'None');
      revision('migrations/versions', 'b', "'a'");
      revision('billing', 'c', "'a'", "branch_labels = ('billing',)");
      revision('migrations/versions', 'm', "('b', 'c')");
      revision('migrations/versions', 'd', "'m'");
      revision('billing', 'e', "'m'");
      revision('migrations/versions', 'f', "'a'", "depends_on = 'b'");

      const script = 'from alembic.config import Config\nfrom alembic.script import ScriptDirectory\nprint(" ".join(sorted(ScriptDirectory.from_config(Config("alembic.ini")).get_heads())))';
      const theirs = spawnSync(python, ['-c', script], { cwd: backend, encoding: 'utf8' });
      expect(theirs.status, theirs.stderr).toBe(0);
      const mine = await readBackend(backend, fileSystemTree());
      expect([...mine.heads].sort().join(' ')).toBe(theirs.stdout.trim());
      expect(mine.heads.sort()).toEqual(['d', 'e', 'f']);
    });
  },
);

describe.skipIf(oracleSkipReason !== null)(
  `the revision file equals alembic revision's${oracleSkipReason ? ` (skipped: ${oracleSkipReason})` : ''}`,
  () => {
    it("flow-py-backend: its script.py.mako (with a ## comment), sequential id, Alembic's slug", async () => {
      const backend = copy(FLOW_PY_BACKEND);
      const message = 'Add last_login to users; drop the "legacy" flag (#42)';
      const mine = await ours(backend, message, 'unused', '003');
      const theirs = alembicRevision(backend, message, mine.id);
      expect(mine.fileName).toBe(theirs.fileName);
      expect(withoutDate(mine.content)).toBe(withoutDate(theirs.content));
    });

    it('timezone: an aware create date with its offset', async () => {
      const backend = copy(FLOW_PY_BACKEND);
      const ini = path.join(backend, 'alembic.ini');
      writeFileSync(ini, readFileSync(ini, 'utf8').replace('[alembic]\n', '[alembic]\ntimezone = Asia/Kolkata\n'));
      const mine = await ours(backend, 'in india', 'unused', '003');
      const theirs = alembicRevision(backend, 'in india', mine.id);
      expect(mine.content).toMatch(/^Create Date: .*\+05:30$/m);
      expect(withoutDate(mine.content)).toBe(withoutDate(theirs.content));
    });

    it("no script.py.mako: Alembic's generic template; random id; truncate_slug_length", async () => {
      const backend = copy(PLANS_BACKEND);
      const ini = path.join(backend, 'alembic.ini');
      writeFileSync(ini, readFileSync(ini, 'utf8').replace('[alembic]\n', '[alembic]\ntruncate_slug_length = 12\n'));
      const message = 'create table workspaces, create table flows';
      const mine = await ours(backend, message, '0a1b2c3d4e5f', PLANS_BACKEND_HEAD);
      // `alembic revision` needs the template file; give it Alembic's own generic one.
      const located = spawnSync(python, ['-c', 'import alembic, os; print(os.path.dirname(alembic.__file__))'], {
        encoding: 'utf8',
      });
      copyFileSync(
        path.join(located.stdout.trim(), 'templates/generic/script.py.mako'),
        path.join(backend, 'migrations/script.py.mako'),
      );
      const theirs = alembicRevision(backend, message, '0a1b2c3d4e5f');
      expect(mine.fileName).toBe(theirs.fileName);
      expect(withoutDate(mine.content)).toBe(withoutDate(theirs.content));
    });
  },
);

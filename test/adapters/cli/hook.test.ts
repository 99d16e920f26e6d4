import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GIT_ENV } from '../git/temp-repo.js';
import { ADD_MILESTONES, ADD_NOTES, BASE_MODELS, DROP_STATUS, secondRevision, workspace, type Workspace } from './hook-fixtures.js';
import { runCli } from './run-cli.js';

describe('flow-migrate hook run', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = workspace();
  });
  afterEach(() => ws.remove());

  const stage = (text: string) => {
    ws.models.write('flowbot_commons/models.py', text);
    ws.models.git('add', 'flowbot_commons/models.py');
  };
  const hook = (...args: string[]) => runCli(['hook', 'run', ...args], ws.models.root);
  const backendFromModels = () => path.relative(ws.models.root, ws.backend.root);

  it('warns about a staged schema change, shows the migration and the command, and lets the commit through', async () => {
    stage(ADD_NOTES);
    const run = await hook();
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('the staged models change the database schema (1 change)');
    expect(run.stderr).toMatch(/1\. add .*notes/);
    expect(run.stderr).toContain(`no matching migration in ${backendFromModels()} yet`);
    expect(run.stderr).toMatch(/op\.add_column\(['"]tasks['"]/);
    const head = ws.models.git('rev-parse', 'HEAD').trim().slice(0, 12);
    expect(run.stderr).toContain(`flow-migrate generate --base ${head} --staged --backend ${backendFromModels()} --write`);
    expect(run.stderr).toContain('the commit goes ahead (warn-only;');
  });

  it('suggests a command that still writes the migration once the warned commit is made', async () => {
    stage(ADD_NOTES);
    const suggested = /flow-migrate (generate .* --write)\n/.exec((await hook()).stderr);
    expect(suggested).not.toBeNull();
    ws.models.git('commit', '-q', '-m', 'add notes');
    const written = await runCli(suggested![1]!.split(' '), ws.models.root);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout.trim()).toMatch(/migrations\/versions\/002_add_notes_to_tasks\.py$/);
  });

  it('blocks with --strict while the backend has no matching migration', async () => {
    stage(ADD_NOTES);
    const run = await hook('--strict');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('commit blocked (strict): the backend has no matching migration yet');
  });

  it('passes --strict once the suggested command has written the migration into the backend', async () => {
    stage(ADD_NOTES);
    const suggested = /flow-migrate (generate --base \w+ --staged --backend \S+ --write)/.exec((await hook()).stderr);
    expect(suggested).not.toBeNull();
    const written = await runCli(suggested![1]!.split(' '), ws.models.root);
    expect(written.code).toBe(0);
    const revision = written.stdout.trim();
    expect(revision).toMatch(/flow-py-backend-\w+\/migrations\/versions\/002_add_notes_to_tasks\.py$/);

    const run = await hook('--strict');
    expect(run.stderr).toContain(`migration present in the backend: ${path.relative(ws.models.root, path.resolve(ws.models.root, revision))}`);
    expect(run.stderr).toContain('the commit goes ahead (strict: the backend has the migration)');
    expect(run.stderr).not.toContain('warn-only');
    expect(run.code).toBe(0);
  });

  it('finds the migration only when its upgrade() makes every suggested op. call with the same arguments', async () => {
    stage(ADD_MILESTONES);
    const revision = 'migrations/versions/002_other.py';
    // Shares `op.create_table(` and nothing else with the suggested migration.
    ws.backend.write(
      revision,
      secondRevision('    op.create_table(\n        "labels",\n        sa.Column("id", sa.Integer(), nullable=False),\n        sa.PrimaryKeyConstraint("id"),\n    )'),
    );
    const unrelated = await hook('--strict');
    expect(unrelated.stderr).toContain('no matching migration');
    expect(unrelated.code).toBe(3);

    // The same calls written by hand: other layout, quotes, a comment and a trailing comma.
    ws.backend.write(
      revision,
      secondRevision(
        [
          '    op.create_table("milestones",',
          '        sa.Column("id", sa.Integer(), nullable=False),  # the key',
          "        sa.Column('name', sa.String(length=100), nullable=False),",
          '        sa.PrimaryKeyConstraint("id", name="milestones_pkey"),',
          '    )',
          '    op.execute("UPDATE tasks SET status = \'open\'")',
        ].join('\n'),
      ),
    );
    const written = await hook('--strict');
    expect(written.stderr).toContain(`migration present in the backend: ${path.relative(ws.models.root, path.join(ws.backend.root, revision))}`);
    expect(written.code).toBe(0);
  });

  it('takes strict from the config file', async () => {
    ws.models.commit('strict', { 'flow-migrate.yml': `models: flowbot_commons\nbackend: ${ws.backend.root}\nstrict: true\n` });
    stage(ADD_NOTES);
    expect((await hook()).code).toBe(3);
  });

  it('flags data loss: a warning by default, a block with --strict', async () => {
    stage(DROP_STATUS);
    const lenient = await hook();
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/error: drop-column \(tasks\.status\)/);
    expect(lenient.stderr).toContain('refused: 1 change needs a confirmation: confirm them as above (or change the models)');
    const strict = await hook('--strict');
    expect(strict.code).toBe(3);
    expect(strict.stderr).toContain('commit blocked (strict): 1 change needs a confirmation; the backend has no matching migration yet.');
  });

  it('says a NOT NULL column without a default needs a value for existing rows, not that data would be lost', async () => {
    stage(BASE_MODELS.replace('    status: Mapped[str] = mapped_column(String(20))\n', '    status: Mapped[str] = mapped_column(String(20))\n    rank: Mapped[int]\n'));
    const run = await hook('--strict');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('existing rows need a value');
    expect(run.stderr).toContain('confirm with: --assume-empty tasks');
    expect(run.stderr).toContain('refused: 1 change needs a confirmation: confirm them as above (or change the models), then write the migration with:');
    expect(run.stderr).toContain('commit blocked (strict): 1 change needs a confirmation;');
    expect(run.stderr).not.toMatch(/data would be lost|lose data/);
  });

  it('lets a strict commit through once a migration written with --assume-empty is in the backend', async () => {
    stage(BASE_MODELS.replace('    status: Mapped[str] = mapped_column(String(20))\n', '    status: Mapped[str] = mapped_column(String(20))\n    rank: Mapped[int]\n'));
    expect((await hook('--strict')).code).toBe(3);
    const backend = path.relative(ws.models.root, ws.backend.root);
    const written = await runCli(['generate', '--base', 'HEAD', '--staged', '--backend', backend, '--write', '--assume-empty', 'tasks'], ws.models.root);
    expect(written.code).toBe(0);
    const run = await hook('--strict');
    expect(run.stderr).toMatch(/migration present in the backend: .*002_add_rank_to_tasks\.py \(written with the confirmations above\)/);
    expect(run.code).toBe(0);
  });

  it('lets a strict commit with data loss through once a migration confirming it is in the backend', async () => {
    stage(DROP_STATUS);
    expect((await hook('--strict')).code).toBe(3);
    const backend = path.relative(ws.models.root, ws.backend.root);
    const written = await runCli(
      ['generate', '--base', 'HEAD', '--staged', '--backend', backend, '--write', '--allow-data-loss'],
      ws.models.root,
    );
    expect(written.code).toBe(0);
    const run = await hook('--strict');
    expect(run.stderr).toMatch(/migration present in the backend: .*002_drop_status_from_tasks\.py \(written with the confirmations above\)/);
    expect(run.code).toBe(0);
  });

  it('suggests the command with a placeholder backend when none is configured', async () => {
    ws.models.commit('no backend', { 'flow-migrate.yml': 'models: flowbot_commons\n' });
    stage(ADD_NOTES);
    const run = await hook();
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/flow-migrate generate --base [0-9a-f]{12} --staged --backend \.\.\/flow-py-backend --write/);
    expect((await hook('--strict')).code).toBe(3);
  });

  it('is silent when no model file is staged, without reading the models at all', async () => {
    // HEAD's models cannot even be parsed: any attempt to read them would fail --strict.
    ws.models.commit('broken', { 'flowbot_commons/models.py': 'class Task(:\n' });
    ws.models.write('README.md', '# changed\n');
    ws.models.write('other.py', 'x = 1\n');
    ws.models.git('add', '-A');
    const run = await hook('--strict');
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('checks a staged module outside the models folder that the models import, and only such a one', async () => {
    const status = (members: string) => `import enum\n\n\nclass Status(enum.Enum):\n${members}`;
    ws.models.commit('status enum', {
      'shared/__init__.py': '',
      'shared/status.py': status('    OPEN = "open"\n    DONE = "done"\n'),
      'shared/unused.py': 'LIMIT = 1\n',
      'scripts/report.py': 'from shared.unused import LIMIT\n',
      'flowbot_commons/models.py': BASE_MODELS.replace('from sqlalchemy import String', 'from sqlalchemy import Enum, String\n\nfrom shared.status import Status').replace(
        '    status: Mapped[str] = mapped_column(String(20))\n',
        '    status: Mapped[str] = mapped_column(String(20))\n    state: Mapped[Status] = mapped_column(Enum(Status))\n',
      ),
    });
    // Named by another file, but not read by the models: nothing to say, even when strict.
    ws.models.write('shared/unused.py', 'LIMIT = 2\n');
    ws.models.git('add', 'shared/unused.py');
    expect(await hook('--strict')).toEqual({ code: 0, stdout: '', stderr: '' });

    ws.models.write('shared/status.py', status('    OPEN = "open"\n    DONE = "done"\n    BLOCKED = "blocked"\n'));
    ws.models.git('add', 'shared/status.py');
    const run = await hook('--strict');
    expect(run.stderr).toContain('the staged models change the database schema');
    expect(run.stderr).toContain("1. add 'BLOCKED' to enum type status");
    expect(run.code).toBe(3);
  });

  it('with a glob for the models, checks only the staged files it selects', async () => {
    const glob = ['--models-path', 'flowbot_commons/**/models.py'];
    // As above: reading HEAD's models would fail --strict, so silence means nothing was read.
    ws.models.commit('broken', { 'flowbot_commons/models.py': 'class Task(:\n' });
    ws.models.write('flowbot_commons/helpers.py', 'x = 1\n');
    ws.models.git('add', 'flowbot_commons/helpers.py');
    expect(await hook('--strict', ...glob)).toEqual({ code: 0, stdout: '', stderr: '' });
    ws.models.commit('fixed', { 'flowbot_commons/models.py': BASE_MODELS });
    stage(ADD_NOTES);
    expect((await hook(...glob)).stderr).toMatch(/1\. add .*notes/);
  });

  it('is silent when the staged model change does not touch the schema', async () => {
    stage(`${BASE_MODELS}\n# a comment\n`);
    expect(await hook('--strict')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('reads the staged version, not later edits on disk', async () => {
    stage(ADD_NOTES);
    ws.models.write('flowbot_commons/models.py', DROP_STATUS);
    const run = await hook();
    expect(run.stderr).toMatch(/add .*notes/);
    expect(run.stderr).not.toContain('drop-column');
  });

  it('reports unreadable staged models and blocks only when strict', async () => {
    stage('class Task(:\n');
    const lenient = await hook();
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/flowbot_commons\/models\.py:1:\d+/);
    expect((await hook('--strict')).code).toBe(2);
  });

  it('reports a foreign key to a table no model defines as unreadable models, blocking only when strict', async () => {
    stage(ADD_NOTES.replace('from sqlalchemy import String', 'from sqlalchemy import ForeignKey, Integer, String').replace(
      '    notes:',
      '    milestone_id: Mapped[int] = mapped_column(Integer, ForeignKey("milestones.id"))\n    notes:',
    ));
    const lenient = await hook();
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/flowbot_commons\/models\.py:\d+:\d+: error: the foreign key on tasks\.milestone_id refers to table milestones, which no model defines/);
    expect(lenient.stderr).toContain('the staged models cannot be read');
    expect((await hook('--strict')).code).toBe(2);
  });

  it('lets the commit through with a hint when the models path is not configured', async () => {
    ws.models.git('rm', '-q', 'flow-migrate.yml');
    stage(ADD_NOTES);
    const run = await hook();
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('could not run; the commit goes ahead');
    expect(run.stderr).toContain('--models-path');
    expect((await hook('--strict')).code).toBe(2);
  });

  it('works on the very first commit of a repository', async () => {
    const fresh = workspace(null);
    try {
      const root = path.join(fresh.models.root, 'new');
      mkdirSync(root);
      execFileSync('git', ['init', '-q'], { cwd: root, env: { ...process.env, ...GIT_ENV } });
      mkdirSync(path.join(root, 'pkg'));
      writeFileSync(path.join(root, 'pkg/models.py'), BASE_MODELS);
      execFileSync('git', ['add', '-A'], { cwd: root });
      const run = await runCli(['hook', 'run', '--models-path', 'pkg'], root);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/create .*tasks|add .*tasks/);
      expect(run.stderr).toContain('--staged --models-path pkg --backend ../flow-py-backend');
    } finally {
      fresh.remove();
    }
  });
});

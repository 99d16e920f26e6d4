/**
 * A temporary git repository holding a synthetic models package, for timing the
 * pre-commit hook on a commit that touches no model file and on one that does.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MODELS_DIR, syntheticModels } from './synthetic-models.js';
import { writeTree } from './write-tree.js';

export interface HookRepo {
  root: string;
  /** A folder holding a `flow-migrate` executable, to put first on PATH for the hook script. */
  binDir: string;
  /** Stages a change to README.md only. */
  stageNoModel(): void;
  /** Stages README.md and a Python file outside the models folder that no model imports. */
  stagePythonNoModel(): void;
  /** Stages README.md and one model file with a new column. */
  stageModel(): void;
}

export async function createHookRepo(parent: string, tables: number, cli: string, hookScript: string): Promise<HookRepo> {
  const root = path.join(parent, `hook-repo-${tables}`);
  rmSync(root, { recursive: true, force: true });
  const base = syntheticModels(tables, 'base');
  const head = syntheticModels(tables, 'head');
  await writeTree(root, base.files);
  writeFileSync(path.join(root, 'README.md'), '# flowbot-commons\n');
  writeFileSync(path.join(root, 'flow-migrate.yml'), `models: ${MODELS_DIR}\n`);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@example.com');
  git('config', 'user.name', 'bench');
  git('add', '-A');
  git('commit', '-q', '-m', 'models');
  const hooksDir = path.join(root, '.git', 'hooks');
  mkdirSync(hooksDir, { recursive: true });
  copyFileSync(hookScript, path.join(hooksDir, 'pre-commit'));
  chmodSync(path.join(hooksDir, 'pre-commit'), 0o755);

  const binDir = path.join(parent, 'hook-bin');
  rmSync(binDir, { recursive: true, force: true });
  mkdirSync(binDir, { recursive: true });
  symlinkSync(cli, path.join(binDir, 'flow-migrate'));

  // The first touched table's module, as the head version has it (one added column).
  const changed = head.changes.touched.find((t) => t.kind === 'add-nullable-column')!.table;
  const moduleFile = [...head.files.keys()].find((f) => head.files.get(f)!.includes(`__tablename__ = "${changed}"`))!;
  let edits = 0;
  const touchReadme = () => writeFileSync(path.join(root, 'README.md'), `# flowbot-commons\n\nedit ${++edits}\n`);
  return {
    root,
    binDir,
    stageNoModel() {
      git('reset', '-q', '--hard', 'HEAD');
      touchReadme();
      git('add', 'README.md');
    },
    stagePythonNoModel() {
      git('reset', '-q', '--hard', 'HEAD');
      touchReadme();
      // A module no model imports: db/__init__.py, the Base's package, is read by the models.
      writeFileSync(path.join(root, 'flowbot_commons/scripts.py'), `# edit ${edits}\n`);
      git('add', 'README.md', 'flowbot_commons/scripts.py');
    },
    stageModel() {
      git('reset', '-q', '--hard', 'HEAD');
      touchReadme();
      writeFileSync(path.join(root, moduleFile), head.files.get(moduleFile)!);
      git('add', 'README.md', moduleFile);
    },
  };
}

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { main as mainFromSource } from '../../src/adapters/cli/main.js';
import { runCli } from '../adapters/cli/run-cli.js';
import { largePackage } from '../support/large-package.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/flow-migrate.js');
const BUNDLE = path.join(ROOT, 'dist/bundle/cli/main.js');
const skip = existsSync(BUNDLE) ? null : 'dist/bundle is not built (npm run build; npm test builds it first)';

describe.skipIf(skip !== null)(`the bundled CLI that bin/flow-migrate.js runs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flow-migrate-bundle-'));
  beforeAll(() => {
    for (const [file, text] of Object.entries(largePackage(40))) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds its package.json from where the bundle lies', () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(result.stdout).toBe(`${version}\n`);
    expect(result.status).toBe(0);
  });

  it('installs the pre-commit hook it ships (found from the bundle, not from the sources)', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'flow-migrate-bundle-hook-'));
    try {
      spawnSync('git', ['init', '-q'], { cwd: repo });
      const result = spawnSync(process.execPath, [BIN, 'hook', 'install'], { cwd: repo, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(readFileSync(path.join(repo, '.git/hooks/pre-commit'), 'utf8')).toBe(readFileSync(path.join(ROOT, 'hooks/pre-commit'), 'utf8'));
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('parses a large package partly on a parser thread started from the bundle, and reads what the sources read', async () => {
    const threads: { replies: number; exitCode: number | null; error: unknown }[] = [];
    const watch = (worker: Worker) => {
      const thread = { replies: 0, exitCode: null as number | null, error: null as unknown };
      threads.push(thread);
      worker.on('message', () => thread.replies++);
      worker.on('error', (err) => (thread.error = err));
      worker.on('exit', (code) => (thread.exitCode = code));
    };
    const { main } = (await import(BUNDLE)) as { main: typeof mainFromSource };
    process.on('worker', watch);
    const bundled = await runCli(['schema', 'models', '--json'], dir, {}, main).finally(() => process.off('worker', watch));
    // Under vitest the sources cannot start a thread (it would load TypeScript): they parse here.
    const fromSource = await runCli(['schema', 'models', '--json'], dir);
    expect(bundled.code).toBe(0);
    expect(JSON.parse(bundled.stdout).schema.tables).toHaveLength(800);
    expect(bundled).toEqual(fromSource);
    await expect.poll(() => threads.every((t) => t.exitCode !== null)).toBe(true);
    expect(threads.map(({ replies, exitCode, error }) => ({ replies, exitCode, error }))).toEqual([
      { replies: 1, exitCode: 0, error: null },
    ]);
  });

  it('stops quietly when its output is piped to a reader that leaves early (`| head`)', async () => {
    const child = spawn(process.execPath, [BIN, 'schema', 'models', '--json'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

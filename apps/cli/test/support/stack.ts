import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { spawnService, type ServiceProcess } from '@recsys/service-kit/testing';

const ROOT = join(__dirname, '../../../..');

export interface Service {
  proc: ServiceProcess;
  address: string;
}

/** A fresh database, the services as processes on it, and an SQL client to check what they wrote. */
export interface Stack {
  db: TestDatabase;
  dir: string;
  sql: Client;
  profile: Service;
  /** Only when started with `registry: true`. */
  registry?: Service;
  ranking: Service;
  addresses: { profile: string; ranking: string; registry?: string };
  stop(): Promise<void>;
}

/**
 * profile-service, ranking-service and (with `registry`) registry-service, each
 * its own process on port 0, against a fresh database: what the CLI's
 * end-to-end suites run against. Signals and the catalog refresh fast, so
 * suites wait on events rather than on production intervals.
 */
export async function startStack(name: string, o: { registry: boolean; rankingEnv?: Record<string, string> }): Promise<Stack> {
  const db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), `recsys-cli-${name}-`));
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const spawn = (app: string, env: Record<string, string>) => spawnService(join(ROOT, `apps/${app}/src/main.ts`), app, env);
  const started: Service[] = [];
  try {
    const profile = await spawn('profile-service', { DATABASE_URL: db.url, ITEM_SIGNALS_TTL_MS: '200' });
    started.push(profile);
    const registry = o.registry ? await spawn('registry-service', { DATABASE_URL: db.url, ARTIFACT_DIR: join(dir, 'artifacts') }) : undefined;
    if (registry) started.push(registry);
    const ranking = await spawn('ranking-service', {
      DATABASE_URL: db.url,
      PROFILE_SERVICE_ADDR: profile.address,
      ...(registry ? { REGISTRY_ADDR: registry.address } : {}),
      MODEL_CACHE_DIR: join(dir, 'models'),
      CATALOG_REFRESH_INTERVAL_MS: '300',
      ...o.rankingEnv,
    });
    started.push(ranking);
    return {
      db,
      dir,
      sql,
      profile,
      registry,
      ranking,
      addresses: { profile: profile.address, ranking: ranking.address, ...(registry ? { registry: registry.address } : {}) },
      stop: () => stopAll(started, sql, db, dir),
    };
  } catch (err) {
    await stopAll(started, sql, db, dir);
    throw err;
  }
}

async function stopAll(services: Service[], sql: Client, db: TestDatabase, dir: string) {
  for (const s of [...services].reverse()) {
    s.proc.child.kill('SIGTERM');
    await s.proc.exited;
  }
  await sql.end();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
}

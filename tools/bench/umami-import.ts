// `npm run bench:umami`: how fast `recsys profiles import-umami` reads an Umami
// v3.1 database, and how long an Umami insert takes to show in a profile while
// `--follow` runs (BENCHMARKS.md). Everything goes through the front door:
// Umami's tables are filled with SQL, profile-service and the CLI run as their
// own processes, profiles are read back with GetProfile over gRPC.
// Baseline, in the same run: PostgreSQL alone running one query that joins every
// event with its session and aggregates its event data in import order (what the
// import must read at the least), without sending the rows anywhere.
// Env: BENCH_DATABASE_URL (default $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres),
// BENCH_UMAMI_EVENTS (1000000), BENCH_UMAMI_IN_FLIGHT (the import's --in-flight; default: the CLI's),
// BENCH_LAG_SAMPLES (10), BENCH_FOLLOW_INTERVAL_SECONDS (1), BENCH_SETTLE_SECONDS (1).
import { credentials } from '@grpc/grpc-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileServiceClient, type GetProfileRequest, type GetProfileResponse } from '@recsys/contracts/profile';
import { quoteIdent, runMigrations, withClient, withDatabase } from '@recsys/db';
import { umamiSchemaSql } from '@recsys/db/testing';
import { unary, type ServiceProcess } from '@recsys/service-kit/testing';
import { BENCH_ADMIN_URL, envNumber, out, percentiles } from './bench-kit';
import { runCli, startApp, startCli, type StartedProcess } from './bench-processes';

const EVENTS = envNumber('BENCH_UMAMI_EVENTS', 1_000_000);
const LAG_SAMPLES = envNumber('BENCH_LAG_SAMPLES', 10);
const INTERVAL_SECONDS = envNumber('BENCH_FOLLOW_INTERVAL_SECONDS', 1);
const SETTLE_SECONDS = envNumber('BENCH_SETTLE_SECONDS', 1);
const WEBSITE = '6f1b7d1e-2c1a-4c57-9a37-5d3e8f0b1a01';

/**
 * A shop's traffic as Umami v3.1 stores it, over the 30 days before `now - 5 min`:
 * one session per 8 events, 60% of sessions identified (3 sessions per user), 70% page
 * views, then view_item / add_to_cart / purchase custom events whose product ids,
 * prices and revenue are numbers (number_value, and string_value padded as Umami pads it).
 */
async function fillUmami(url: string): Promise<void> {
  const sessions = Math.max(1, Math.floor(EVENTS / 8));
  const event = `(SELECT n, (n * 7919) % ${sessions} AS s, n % 100 AS r, (n * 31) % 2000 AS product,
      now() - interval '5 minutes' - interval '30 days' * (1 - n::float8 / ${EVENTS}) AS at
    FROM generate_series(1::bigint, ${EVENTS}) n) g`;
  const name = `CASE WHEN r < 70 THEN NULL WHEN r < 90 THEN 'view_item' WHEN r < 96 THEN 'add_to_cart' WHEN r < 98 THEN 'purchase' ELSE 'newsletter_signup' END`;
  await withClient(url, async (c) => {
    await c.query(`INSERT INTO website (website_id, name, domain, created_at) VALUES ($1, 'Bench shop', 'shop.example', now())`, [WEBSITE]);
    await c.query(
      `INSERT INTO session (session_id, website_id, browser, os, device, created_at, distinct_id)
       SELECT md5('s' || s)::uuid, $1, 'chrome', 'Linux', (ARRAY['mobile','desktop','tablet'])[s % 3 + 1],
              now() - interval '31 days', CASE WHEN s % 5 < 3 THEN 'user-' || (s % ${Math.max(1, Math.floor(sessions / 3))}) END
       FROM generate_series(0, ${sessions - 1}) s`,
      [WEBSITE],
    );
    await c.query(
      `INSERT INTO website_event (event_id, website_id, session_id, visit_id, created_at, url_path, page_title, event_type, event_name)
       SELECT md5('e' || n)::uuid, $1, md5('s' || s)::uuid, md5('v' || s)::uuid, at,
              CASE WHEN r < 70 THEN '/page/' || (n % 500) ELSE '/product/' || product END, 'Bench', CASE WHEN r < 70 THEN 1 ELSE 2 END, ${name}
       FROM ${event}`,
      [WEBSITE],
    );
    await c.query(
      `INSERT INTO event_data (event_data_id, website_id, website_event_id, data_key, string_value, number_value, data_type, created_at)
       SELECT md5('d' || n || d.key)::uuid, $1, md5('e' || n)::uuid, d.key,
              COALESCE(d.text, to_char(d.num, 'FM9999999990.0000')), d.num, CASE WHEN d.num IS NULL THEN 1 ELSE 2 END, at
       FROM ${event} CROSS JOIN LATERAL (VALUES
              ('product_id', NULL, product::numeric), ('category', 'cat-' || product % 40, NULL), ('price', NULL, (product % 200) + 0.99),
              ('revenue', NULL, CASE WHEN r BETWEEN 96 AND 97 THEN (product % 200) + 0.99 END), ('currency', CASE WHEN r BETWEEN 96 AND 97 THEN 'EUR' END, NULL)
            ) d(key, text, num)
       WHERE r BETWEEN 70 AND 97 AND (d.text IS NOT NULL OR d.num IS NOT NULL)`,
      [WEBSITE],
    );
    await c.query('ANALYZE');
  });
}

/** The baseline: one statement reading every event the way an import must (join, aggregate, order), on the server only. */
async function readFloorSeconds(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const start = process.hrtime.bigint();
    await c.query(
      `SELECT count(*), sum(octet_length(x.data::text)) FROM (
         SELECT we.event_id, we.created_at, we.url_path, we.event_type, we.event_name, s.distinct_id, s.device,
                (SELECT jsonb_agg(jsonb_build_array(ed.data_key, ed.data_type, COALESCE(trim_scale(ed.number_value)::text, ed.string_value)))
                 FROM event_data ed WHERE ed.website_event_id = we.event_id) AS data
         FROM website_event we LEFT JOIN session s ON s.session_id = we.session_id
         WHERE we.website_id = $1 ORDER BY we.created_at, we.event_id) x`,
      [WEBSITE],
    );
    return Number(process.hrtime.bigint() - start) / 1e9;
  });
}

const inFlightNote = () => (process.env.BENCH_UMAMI_IN_FLIGHT ? `, --in-flight ${process.env.BENCH_UMAMI_IN_FLIGHT}` : ', --in-flight default');

async function main() {
  const dbName = `recsys_bench_umami_${Date.now()}`;
  const stateDir = await mkdtemp(join(tmpdir(), 'recsys-bench-umami-'));
  await withClient(BENCH_ADMIN_URL, (c) => c.query(`CREATE DATABASE ${quoteIdent(dbName)}`));
  let service: StartedProcess | undefined;
  let follower: ServiceProcess | undefined;
  try {
    const url = withDatabase(BENCH_ADMIN_URL, dbName);
    out(`Umami import benchmark: ${EVENTS.toLocaleString('en-US')} Umami v3.1 events, node ${process.version}${inFlightNote()}`);
    await withClient(url, async (c) => void (await c.query(await umamiSchemaSql('v3.1.0'))));
    const loadStart = Date.now();
    await fillUmami(url);
    out(`(Umami tables filled in ${((Date.now() - loadStart) / 1000).toFixed(1)} s)`);
    // Recsys inside the Umami database, as the README sets it up.
    await runMigrations({ databaseUrl: url });
    const floor = await readFloorSeconds(url);

    const started = await startApp('profile-service', { DATABASE_URL: url });
    service = started;
    const env = { RECSYS_PROFILE_ADDR: started.address, RECSYS_STATE_DIR: stateDir };
    const inFlight = process.env.BENCH_UMAMI_IN_FLIGHT ? ['--in-flight', process.env.BENCH_UMAMI_IN_FLIGHT] : [];
    const source = ['profiles', 'import-umami', '--source-database-url', url, ...inFlight];
    const first = await runCli(env, source);
    const again = await runCli(env, source);

    // Lag: --follow runs; each sample inserts a new visitor's page view the way Umami does and waits for the profile.
    const followArgs = [...source, '--follow', '--interval-seconds', String(INTERVAL_SECONDS), '--settle-seconds', String(SETTLE_SECONDS)];
    const following = startCli(env, followArgs);
    follower = following;
    const client = new ProfileServiceClient(started.address, credentials.createInsecure());
    const lags: number[] = [];
    await withClient(url, async (c) => {
      for (let i = 0; i < LAG_SAMPLES; i++) {
        const user = `lag-user-${i}`;
        const session = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        const t0 = Date.now();
        // Umami writes the session, then the event, each in its own statement.
        await c.query(`INSERT INTO session (session_id, website_id, device, created_at, distinct_id) VALUES ($1, $2, 'desktop', now(), $3)`, [session, WEBSITE, user]);
        await c.query(
          `INSERT INTO website_event (event_id, website_id, session_id, visit_id, created_at, url_path, event_type) VALUES (gen_random_uuid(), $2, $1, $1, now(), '/lag', 1)`,
          [session, WEBSITE],
        );
        for (;;) {
          const res = await unary<GetProfileRequest, GetProfileResponse>(client.getProfile.bind(client), { websiteId: WEBSITE, userId: user }).catch(() => undefined);
          if (res?.profile?.totalPageviews === 1) break;
          if (following.child.exitCode !== null) throw new Error(`--follow exited:\n${following.output()}`);
          if (Date.now() - t0 > 120_000) throw new Error(`profile ${user} did not appear within 120 s:\n${following.output()}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        lags.push(Date.now() - t0);
      }
    });
    client.close();

    const rate = (s: number) => Math.round(EVENTS / s).toLocaleString('en-US');
    const reported = /imported (\d+) events .* in ([0-9.]+) s \((\d+) events\/s\)/.exec(first.output);
    const lag = percentiles(lags);
    out();
    out('| measurement | result |');
    out('|---|---|');
    out(`| first import, whole process (start, read, map, TrackEvents, exit) | **${rate(first.seconds)} events/s** (${first.seconds.toFixed(1)} s) |`);
    if (reported) out(`| first import, as the CLI reports it (reading and sending only) | ${Number(reported[3]).toLocaleString('en-US')} events/s (${reported[1]} events in ${reported[2]} s) |`);
    out(`| second run, nothing new (late-event check of the last 3 days) | ${again.seconds.toFixed(1)} s |`);
    out(`| baseline: PostgreSQL alone, one query joining and aggregating the same events in import order | ${rate(floor)} events/s (${floor.toFixed(1)} s) |`);
    out(
      `| lag, Umami insert → changed profile (--follow, interval ${INTERVAL_SECONDS} s, settle ${SETTLE_SECONDS} s, ${lag.n} samples) | p50 ${(lag.p50 / 1000).toFixed(2)} s, max ${(Math.max(...lags) / 1000).toFixed(2)} s |`,
    );
  } finally {
    if (follower && follower.child.exitCode === null) {
      follower.child.kill('SIGTERM');
      await follower.exited;
    }
    await service?.stop();
    await rm(stateDir, { recursive: true, force: true });
    await withClient(BENCH_ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:umami failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

// `npm run bench:log-write`: what PostgreSQL spends storing ranking-service's
// recommendation log, against a variant measured in the same run. One database,
// two copies of the table: public.recommendations (migrated) and a copy in
// another schema (same columns, defaults and foreign key). ranking-service's own
// RecommendationLog writes the same batches to both — alternating, each through
// its own connection (search_path picks the copy), so the SQL is exactly the
// service's. Per batch: the PostgreSQL backend's CPU (user + system from /proc,
// when the server runs on this machine), the wall time, and WAL bytes per row.
// BENCH_LOG_COMPARE picks the variant:
//   ids (default)  rows keyed by time-ordered ids (UUID v7: row id and request id, as the service
//                  writes them) vs random ones (v4, as before), both tables with the current indexes;
//   indexes        the current indexes (migration 021) vs the nine before 021, both with time-ordered ids.
// Env: BENCH_DATABASE_URL (see bench-kit), BENCH_LOG_ROWS (rows in each copy before
// measuring, 200000), BENCH_BATCHES (measured batches per copy, 200), BENCH_BATCH_ROWS (500).
import { randomUUID } from 'node:crypto';
import { TimeOrderedIds } from '@recsys/db';
import { createLogger } from '@recsys/service-kit';
import { Pool } from 'pg';
import { RecommendationLog, type LogRow } from '../../apps/ranking-service/src/log/recommendation-log';
import { envNumber, out, processCpuMs, withBenchDatabase } from './bench-kit';

const PREFILL = envNumber('BENCH_LOG_ROWS', 200_000);
const BATCHES = envNumber('BENCH_BATCHES', 200);
const BATCH_ROWS = envNumber('BENCH_BATCH_ROWS', 500);

/** The copy's table: same columns, defaults, constraints and foreign key as public.recommendations. */
const copyTable = (schema: string) => `
  CREATE SCHEMA ${schema};
  CREATE TABLE ${schema}.recommendations (LIKE public.recommendations INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
  ALTER TABLE ${schema}.recommendations ADD PRIMARY KEY (id),
    ADD FOREIGN KEY (website_id) REFERENCES public.website(website_id) ON DELETE CASCADE;`;

interface Comparison {
  title: string;
  setUp: string;
  /** Give the copy every index public.recommendations has. */
  copyIndexes?: boolean;
  targets: [TargetSpec, TargetSpec];
}

interface TargetSpec {
  name: string;
  /** Where the table is: the first schema of the target's search_path. */
  schema: string;
  /** Keys of the rows written to it: time-ordered (as the service makes them) or random (v4). */
  ids: 'time-ordered' | 'random';
}

const COMPARISONS: Record<string, Comparison> = {
  ids: {
    title: 'time-ordered ids (UUID v7, current) vs random ids (v4, before)',
    // The copy gets the current indexes of public.recommendations (copied in run()).
    setUp: copyTable('random_ids'),
    copyIndexes: true,
    targets: [
      { name: 'time-ordered ids (current)', schema: 'public', ids: 'time-ordered' },
      { name: 'random ids (before)', schema: 'random_ids', ids: 'random' },
    ],
  },
  indexes: {
    title: 'indexes of 021 (current) vs the index set before 021',
    // The index set 020 left, which 021 changed.
    setUp: `${copyTable('before_021')}
      CREATE INDEX ON before_021.recommendations (session_id);
      CREATE INDEX ON before_021.recommendations (user_id);
      CREATE INDEX ON before_021.recommendations (item_id);
      CREATE INDEX ON before_021.recommendations (shown_at);
      CREATE INDEX ON before_021.recommendations (clicked, converted);
      CREATE INDEX ON before_021.recommendations (website_id, shown_at);
      CREATE INDEX ON before_021.recommendations (website_id, session_id);
      CREATE INDEX ON before_021.recommendations (request_id);`,
    targets: [
      { name: 'indexes of 021 (current)', schema: 'public', ids: 'time-ordered' },
      { name: 'indexes before 021 (020)', schema: 'before_021', ids: 'time-ordered' },
    ],
  },
};

interface Target extends TargetSpec {
  pool: Pool;
  log: RecommendationLog;
  backendPid: number;
  cpuMs: number;
  wallMs: number;
}

async function run(url: string) {
  const compare = process.env.BENCH_LOG_COMPARE ?? 'ids';
  const comparison = COMPARISONS[compare];
  if (!comparison) throw new Error(`BENCH_LOG_COMPARE must be one of ${Object.keys(COMPARISONS).join(', ')}, got ${JSON.stringify(compare)}`);
  const logger = createLogger({ name: 'bench', level: 'silent' });
  const admin = new Pool({ connectionString: url, max: 1 });
  // pg-pool's end() resolves before its clients have closed; the database drop that follows
  // terminates them, and an idle client's error would otherwise be unhandled.
  admin.on('error', () => undefined);
  const websiteId = randomUUID();
  await admin.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [websiteId, 'bench']);
  await admin.query(comparison.setUp);
  const copy = comparison.targets[1].schema;
  if (comparison.copyIndexes) {
    const defs = await admin.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'recommendations' AND indexname NOT LIKE '%pkey'`);
    for (const { indexdef } of defs.rows) await admin.query(indexdef.replace(' ON public.recommendations ', ` ON ${copy}.recommendations `));
  }
  const target = async (spec: TargetSpec): Promise<Target> => {
    const pool = new Pool({ connectionString: url, max: 1, options: `-c search_path=${spec.schema},public` });
    pool.on('error', () => undefined);
    const backendPid = (await pool.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const log = new RecommendationLog(pool, { maxBufferedRows: BATCH_ROWS * 2, flushRows: BATCH_ROWS, flushIntervalMs: 3_600_000 }, logger);
    return { ...spec, pool, log, backendPid, cpuMs: 0, wallMs: 0 };
  };
  const targets = [await target(comparison.targets[0]), await target(comparison.targets[1])];
  const rows = rowMaker(websiteId);
  const write = async (t: Target, batch: LogRow[]) => {
    const keyed = t.ids === 'random' ? withRandomIds(batch) : batch;
    const [cpu0, t0] = [processCpuMs(t.backendPid), performance.now()];
    t.log.append(keyed);
    await t.log.settled();
    t.wallMs += performance.now() - t0;
    t.cpuMs += (processCpuMs(t.backendPid) ?? Number.NaN) - (cpu0 ?? Number.NaN);
  };
  try {
    for (let n = 0; n < PREFILL; n += BATCH_ROWS) for (const t of targets) await write(t, rows(BATCH_ROWS));
    for (const t of targets) await admin.query(`VACUUM ANALYZE ${t.schema}.recommendations`);
    const wal = [0, 0];
    for (const t of targets) [t.cpuMs, t.wallMs] = [0, 0];
    for (let i = 0; i < BATCHES; i++) {
      const batch = rows(BATCH_ROWS);
      // Alternate which copy goes first, so drift in the machine's speed hits both alike.
      for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
        const lsn0 = (await admin.query('SELECT pg_current_wal_lsn() AS l')).rows[0].l;
        await write(targets[k]!, batch);
        wal[k]! += Number((await admin.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS d', [lsn0])).rows[0].d);
      }
    }
    out(`recommendation log writes, ${comparison.title}: ${BATCHES} batches of ${BATCH_ROWS} rows per table (each prefilled with ${PREFILL} rows), alternating`);
    out();
    out('| table | indexes | PostgreSQL CPU per batch | per row | wall per batch | WAL per row |');
    out('|---|---|---|---|---|---|');
    for (const [k, t] of targets.entries()) {
      const n = (await admin.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND tablename = 'recommendations'`, [t.schema])).rows[0].n;
      const cpu = Number.isNaN(t.cpuMs) ? 'n/a (server not on this machine)' : `${(t.cpuMs / BATCHES).toFixed(2)} ms`;
      const perRow = Number.isNaN(t.cpuMs) ? 'n/a' : `${((t.cpuMs / BATCHES / BATCH_ROWS) * 1000).toFixed(1)} µs`;
      out(`| ${t.name} | ${n} | ${cpu} | ${perRow} | ${(t.wallMs / BATCHES).toFixed(2)} ms | ${Math.round(wal[k]! / BATCHES / BATCH_ROWS)} B |`);
    }
    const [now, other] = targets;
    if (!Number.isNaN(now!.cpuMs)) out(`\n${now!.name} / ${other!.name}: CPU ${(now!.cpuMs / other!.cpuMs).toFixed(3)}x, wall ${(now!.wallMs / other!.wallMs).toFixed(3)}x, WAL ${(wal[0]! / wal[1]!).toFixed(3)}x`);
  } finally {
    for (const t of targets) {
      await t.log.close(1_000);
      await t.pool.end();
    }
    await admin.end();
  }
}

/** The same rows keyed as before time-ordered ids: a random (v4) row id, and one random request id per answer. */
function withRandomIds(batch: readonly LogRow[]): LogRow[] {
  const requests = new Map<string, string>();
  return batch.map((r) => {
    let requestId = requests.get(r.requestId);
    if (!requestId) requests.set(r.requestId, (requestId = randomUUID()));
    return { ...r, id: randomUUID(), requestId };
  });
}

/** Rows of answers of 10 items, shaped like Recommend's (recommender.ts logRows): 5,000 sessions, 5,000 items, a third anonymous. */
function rowMaker(websiteId: string): (n: number) => LogRow[] {
  const ids = new TimeOrderedIds();
  const sessions = Array.from({ length: 5000 }, () => randomUUID());
  let answer = 0;
  return (n) => {
    const out: LogRow[] = [];
    while (out.length < n) {
      const a = answer++;
      const requestId = ids.next();
      const sessionId = sessions[(a * 7919) % sessions.length]!;
      const shownAt = new Date();
      const context = { page_type: 'product', item_id: `sku-${a % 5000}`, category: 'c3', device: a % 2 ? 'mobile' : 'desktop', page_url: null, time: shownAt.toISOString(), candidates: 'caller' };
      for (let rank = 1; rank <= 10 && out.length < n; rank++) {
        out.push({
          id: ids.next(),
          requestId,
          websiteId,
          sessionId,
          userId: a % 3 === 0 ? null : `user-${(a * 31) % 20000}`,
          recommendationType: 'product',
          itemId: `sku-${(a * 13 + rank * 101) % 5000}`,
          score: Math.random(),
          rank,
          context,
          strategy: 'model',
          modelVersion: 'bench-1',
          personalizationFactors: { source: 'caller', profile: 'found', lifecycle_stage: 'active', fallback_reason: null, model_name: 'ranker', co_visitation: 0, next_item: 0, segment: null },
          shownAt,
          clickedAt: null,
          convertedAt: null,
          revenue: null,
        });
      }
    }
    return out;
  };
}

withBenchDatabase('recsys_bench_log_write', run).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

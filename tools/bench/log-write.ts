// `npm run bench:log-write`: what PostgreSQL spends storing ranking-service's
// recommendation log with the current indexes (migration 021) against the index
// set before 021, measured in the same run. One database, two copies of the
// table: public.recommendations (migrated) and before_021.recommendations (same
// columns, defaults and foreign key; the nine indexes 020 left). ranking-service's
// own RecommendationLog writes the same batches to both — alternating, each
// through its own connection (search_path picks the copy), so the SQL is exactly
// the service's. Per batch: the PostgreSQL backend's CPU (user + system from
// /proc, when the server runs on this machine), the wall time, and WAL bytes per row.
// Env: BENCH_DATABASE_URL (see bench-kit), BENCH_LOG_ROWS (rows in each copy before
// measuring, 200000), BENCH_BATCHES (measured batches per copy, 200), BENCH_BATCH_ROWS (500).
import { randomUUID } from 'node:crypto';
import { createLogger } from '@recsys/service-kit';
import { Pool } from 'pg';
import { RecommendationLog, type LogRow } from '../../apps/ranking-service/src/log/recommendation-log';
import { envNumber, out, processCpuMs, withBenchDatabase } from './bench-kit';

const PREFILL = envNumber('BENCH_LOG_ROWS', 200_000);
const BATCHES = envNumber('BENCH_BATCHES', 200);
const BATCH_ROWS = envNumber('BENCH_BATCH_ROWS', 500);

/** The index set 020 left, which 021 changed (its DDL, on the copy in schema before_021). */
const BEFORE_021 = `
  CREATE SCHEMA before_021;
  CREATE TABLE before_021.recommendations (LIKE public.recommendations INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
  ALTER TABLE before_021.recommendations ADD PRIMARY KEY (id),
    ADD FOREIGN KEY (website_id) REFERENCES public.website(website_id) ON DELETE CASCADE;
  CREATE INDEX ON before_021.recommendations (session_id);
  CREATE INDEX ON before_021.recommendations (user_id);
  CREATE INDEX ON before_021.recommendations (item_id);
  CREATE INDEX ON before_021.recommendations (shown_at);
  CREATE INDEX ON before_021.recommendations (clicked, converted);
  CREATE INDEX ON before_021.recommendations (website_id, shown_at);
  CREATE INDEX ON before_021.recommendations (website_id, session_id);
  CREATE INDEX ON before_021.recommendations (request_id);`;

interface Target {
  name: string;
  pool: Pool;
  log: RecommendationLog;
  backendPid: number;
  cpuMs: number;
  wallMs: number;
}

async function run(url: string) {
  const logger = createLogger({ name: 'bench', level: 'silent' });
  const admin = new Pool({ connectionString: url, max: 1 });
  // pg-pool's end() resolves before its clients have closed; the database drop that follows
  // terminates them, and an idle client's error would otherwise be unhandled.
  admin.on('error', () => undefined);
  const websiteId = randomUUID();
  await admin.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [websiteId, 'bench']);
  await admin.query(BEFORE_021);
  const target = async (name: string, searchPath: string): Promise<Target> => {
    const pool = new Pool({ connectionString: url, max: 1, options: `-c search_path=${searchPath}` });
    pool.on('error', () => undefined);
    const backendPid = (await pool.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const log = new RecommendationLog(pool, { maxBufferedRows: BATCH_ROWS * 2, flushRows: BATCH_ROWS, flushIntervalMs: 3_600_000 }, logger);
    return { name, pool, log, backendPid, cpuMs: 0, wallMs: 0 };
  };
  const targets = [await target('indexes of 021 (current)', 'public'), await target('indexes before 021 (020)', 'before_021,public')];
  const rows = rowMaker(websiteId);
  const write = async (t: Target, batch: LogRow[]) => {
    const [cpu0, t0] = [processCpuMs(t.backendPid), performance.now()];
    t.log.append(batch);
    await t.log.settled();
    t.wallMs += performance.now() - t0;
    t.cpuMs += (processCpuMs(t.backendPid) ?? Number.NaN) - (cpu0 ?? Number.NaN);
  };
  try {
    for (let n = 0; n < PREFILL; n += BATCH_ROWS) for (const t of targets) await write(t, rows(BATCH_ROWS));
    await admin.query('VACUUM ANALYZE public.recommendations');
    await admin.query('VACUUM ANALYZE before_021.recommendations');
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
    out(`recommendation log writes, ${BATCHES} batches of ${BATCH_ROWS} rows per index set (each table prefilled with ${PREFILL} rows), alternating`);
    out();
    out('| index set | indexes | PostgreSQL CPU per batch | per row | wall per batch | WAL per row |');
    out('|---|---|---|---|---|---|');
    for (const [k, t] of targets.entries()) {
      const schema = k === 0 ? 'public' : 'before_021';
      const n = (await admin.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND tablename = 'recommendations'`, [schema])).rows[0].n;
      const cpu = Number.isNaN(t.cpuMs) ? 'n/a (server not on this machine)' : `${(t.cpuMs / BATCHES).toFixed(2)} ms`;
      const perRow = Number.isNaN(t.cpuMs) ? 'n/a' : `${((t.cpuMs / BATCHES / BATCH_ROWS) * 1000).toFixed(1)} µs`;
      out(`| ${t.name} | ${n} | ${cpu} | ${perRow} | ${(t.wallMs / BATCHES).toFixed(2)} ms | ${Math.round(wal[k]! / BATCHES / BATCH_ROWS)} B |`);
    }
    const [now, before] = targets;
    if (!Number.isNaN(now!.cpuMs)) out(`\ncurrent / before 021: CPU ${(now!.cpuMs / before!.cpuMs).toFixed(3)}x, wall ${(now!.wallMs / before!.wallMs).toFixed(3)}x, WAL ${(wal[0]! / wal[1]!).toFixed(3)}x`);
  } finally {
    for (const t of targets) {
      await t.log.close(1_000);
      await t.pool.end();
    }
    await admin.end();
  }
}

/** Rows of answers of 10 items, shaped like Recommend's (recommender.ts logRows): 5,000 sessions, 5,000 items, a third anonymous. */
function rowMaker(websiteId: string): (n: number) => LogRow[] {
  const sessions = Array.from({ length: 5000 }, () => randomUUID());
  let answer = 0;
  return (n) => {
    const out: LogRow[] = [];
    while (out.length < n) {
      const a = answer++;
      const requestId = randomUUID();
      const sessionId = sessions[(a * 7919) % sessions.length]!;
      const shownAt = new Date();
      const context = { page_type: 'product', item_id: `sku-${a % 5000}`, category: 'c3', device: a % 2 ? 'mobile' : 'desktop', page_url: null, time: shownAt.toISOString(), candidates: 'caller' };
      for (let rank = 1; rank <= 10 && out.length < n; rank++) {
        out.push({
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

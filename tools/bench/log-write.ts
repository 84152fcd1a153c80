// `npm run bench:log-write`: what logging shown recommendations costs, measured
// through the front door: ranking-service runs as its own process (with the
// bench model from registry-service) and answers the same Recommend calls in
// blocks that alternate between logged and `dry_run` (nothing logged) — the
// baseline, in the same run. Per block: the CPU of ranking-service's PostgreSQL
// backends (application_name 'ranking-service', from /proc, when the server runs
// on this machine), the service's own CPU, and the WAL PostgreSQL wrote. A
// logged block ends when the service's `ranking_log_rows_written_total` says
// every row of it is stored, so its writes are counted in full.
// Env: BENCH_DATABASE_URL (see bench-kit), BENCH_ITEMS, BENCH_LOG_ROWS (ranking-fixture: rows already in the log),
// BENCH_BLOCKS (10 of each kind), BENCH_BLOCK_CALLS (300 calls of 10 shown items each).
import { withClient } from '@recsys/db';
import { envNumber, out, processCpuMs, scrape, withBenchDatabase } from './bench-kit';
import { ITEMS, LOG_ROWS, setUpRankingBench, startRanking } from './ranking-fixture';

const BLOCKS = envNumber('BENCH_BLOCKS', 10);
const BLOCK_CALLS = envNumber('BENCH_BLOCK_CALLS', 300);

const sumCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? Number.NaN), 0);

async function run(url: string) {
  const bench = await setUpRankingBench(url);
  const service = await startRanking(bench, url);
  const written = () => scrape(service.metricsUrl, 'ranking_log_rows_written_total');
  try {
    await withClient(url, async (admin) => {
      // The service's backends, once its pool has opened them (a warm-up of logged calls).
      for (let i = 0; i < 200; i++) await service.recommend(bench.caller100);
      const pids = async () =>
        (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'ranking-service' AND datname = current_database()`)).rows.map((r) => r.pid);
      const totals = { logged: { pg: 0, svc: 0, wal: 0, rows: 0 }, dry: { pg: 0, svc: 0, wal: 0, rows: 0 } };
      for (let b = 0; b < BLOCKS * 2; b++) {
        // Alternate which kind goes first in each pair, so drift in the machine's speed hits both alike.
        const logged = (b % 2 === 0) === (Math.floor(b / 2) % 2 === 0);
        const t = logged ? totals.logged : totals.dry;
        const backends = await pids();
        const before = { pg: sumCpu(backends), svc: processCpuMs(service.pid) ?? Number.NaN, rows: await written() };
        if (Number.isNaN(before.rows)) throw new Error('the service exposes no ranking_log_rows_written_total: cannot tell when a block is stored');
        const lsn = (await admin.query('SELECT pg_current_wal_lsn() AS l')).rows[0].l;
        let shown = 0;
        for (let i = 0; i < BLOCK_CALLS; i++) shown += (await service.recommend({ ...bench.caller100, dryRun: !logged })).items.length;
        if (logged) while ((await written()) - before.rows < shown) await new Promise((r) => setTimeout(r, 20));
        t.pg += sumCpu(backends) - before.pg;
        t.svc += (processCpuMs(service.pid) ?? Number.NaN) - before.svc;
        t.wal += Number((await admin.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS d', [lsn])).rows[0].d);
        t.rows += shown;
      }
      const calls = BLOCKS * BLOCK_CALLS;
      const perCall = (v: number) => (Number.isNaN(v) ? 'n/a' : `${((v / calls) * 1000).toFixed(0)} µs`);
      const { logged, dry } = totals;
      out(`recommendation log cost: ${BLOCKS} blocks of ${BLOCK_CALLS} Recommend calls (100 caller candidates, 10 shown) logged, and as many with dry_run, alternating; ${ITEMS} items, ${LOG_ROWS} rows already logged`);
      out();
      out('| calls | PostgreSQL CPU per call (ranking-service backends) | service CPU per call | WAL per call |');
      out('|---|---|---|---|');
      out(`| logged (${logged.rows / calls} rows per call) | ${perCall(logged.pg)} | ${perCall(logged.svc)} | ${Math.round(logged.wal / calls)} B |`);
      out(`| baseline: dry_run, nothing logged | ${perCall(dry.pg)} | ${perCall(dry.svc)} | ${Math.round(dry.wal / calls)} B |`);
      const row = (v: number) => (Number.isNaN(v) ? 'n/a' : `${((v / logged.rows) * 1000).toFixed(1)} µs`);
      out(`\nthe log's own cost per stored row: PostgreSQL ${row(logged.pg - dry.pg)}, service ${row(logged.svc - dry.svc)}, WAL ${Math.round((logged.wal - dry.wal) / logged.rows)} B`);
    });
  } finally {
    await service.stop();
    await bench.close();
  }
}

withBenchDatabase('recsys_bench_log', run).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

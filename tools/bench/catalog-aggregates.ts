// `npm run bench:aggregates`: what each log aggregate of ranking-service's
// catalog refresh (item stats, co-visitation, next item, segment popularity,
// purchases) costs on the ranking bench's website — 5,000 items, BENCH_LOG_ROWS
// (200,000) log rows over 30 days — as the running service reads them: the
// service refreshes every CATALOG_REFRESH_INTERVAL_MS with the aggregates always
// stale, one after another as in production, and the bench reads its
// `ranking_behaviour_read_seconds` histogram. Baseline in the same run: a
// `count(*)` over the same website's 30-day window through SQL, the least any
// of them can pay to read those rows. A refresh runs them every
// BEHAVIOUR_REFRESH_INTERVAL_MS and at a website's first load; on a shared
// machine this is PostgreSQL CPU taken from the calls.
// Env: BENCH_DATABASE_URL (see bench-kit), BENCH_ITEMS, BENCH_LOG_ROWS (ranking-fixture), BENCH_RUNS (9 refreshes measured).
import { withClient } from '@recsys/db';
import { envNumber, metricSample, out, withBenchDatabase } from './bench-kit';
import { ITEMS, LOG_ROWS, setUpRankingBench, startRanking } from './ranking-fixture';

const RUNS = envNumber('BENCH_RUNS', 9);
const AGGREGATES = ['item_stats', 'co_visitation', 'next_items', 'segment_popularity', 'purchases'] as const;

/** Sum and count of the service's read-time histogram per aggregate. */
async function readTimes(metricsUrl: string): Promise<Record<string, { sum: number; count: number }>> {
  const text = await (await fetch(metricsUrl)).text();
  // A histogram without samples yet has no line: 0.
  const value = (suffix: string, aggregate: string) => metricSample(text, `ranking_behaviour_read_seconds_${suffix}`, { aggregate }) || 0;
  return Object.fromEntries(AGGREGATES.map((a) => [a, { sum: value('sum', a), count: value('count', a) }]));
}

async function run(url: string) {
  const bench = await setUpRankingBench(url);
  await withClient(url, (c) => c.query('VACUUM ANALYZE recommendations'));
  // Refresh every second, aggregates always stale: each refresh re-reads all five, one after another.
  const service = await startRanking(bench, url, undefined, undefined, { CATALOG_REFRESH_INTERVAL_MS: '1000', BEHAVIOUR_REFRESH_INTERVAL_MS: '1' });
  try {
    await service.recommend({ ...bench.generated, dryRun: true }); // the first load (its reads run at once: not counted)
    const before = await readTimes(service.metricsUrl);
    let after = before;
    while (after.purchases!.count - before.purchases!.count < RUNS) {
      await new Promise((r) => setTimeout(r, 500));
      after = await readTimes(service.metricsUrl);
    }
    const baseline: number[] = [];
    await withClient(url, async (c) => {
      for (let i = 0; i <= RUNS; i++) {
        const start = performance.now();
        await c.query(`SELECT count(*) FROM recommendations WHERE website_id = $1 AND shown_at >= now() - interval '30 days'`, [bench.website]);
        if (i > 0) baseline.push(performance.now() - start);
      }
    });
    const base = [...baseline].sort((a, b) => a - b)[baseline.length >> 1]!;
    out(`catalog refresh aggregates, ${ITEMS} items, ${LOG_ROWS} log rows: mean of the service's reads over ${RUNS}+ background refreshes`);
    out();
    out('| aggregate | mean ms per read | × baseline |');
    out('|---|---|---|');
    out(`| baseline: count(*) of the website's 30-day window (SQL, median) | ${base.toFixed(1)} | 1.0 |`);
    let total = 0;
    for (const a of AGGREGATES) {
      const ms = ((after[a]!.sum - before[a]!.sum) / (after[a]!.count - before[a]!.count)) * 1000;
      total += ms;
      out(`| ${a} | ${ms.toFixed(1)} | ${(ms / base).toFixed(1)} |`);
    }
    out(`\nall five aggregates, one background refresh of this website: ${total.toFixed(0)} ms`);
  } finally {
    await service.stop();
    await bench.close();
  }
}

withBenchDatabase('recsys_bench_aggregates', run).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

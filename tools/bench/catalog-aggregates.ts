// `npm run bench:aggregates`: how long each log aggregate of ranking-service's
// catalog refresh (BehaviourRepository: item stats, co-visitation, next item,
// segment popularity, purchases) takes on the ranking bench's website — 5,000
// items, BENCH_LOG_ROWS (200,000) log rows over 30 days — against a same-run
// baseline: `count(*)` over the same website's 30-day window, the least any
// of them can pay to read those rows. Each query runs through a connection
// set up as the service's (rankingPoolConfig: JIT off) and through one with
// the server's defaults (JIT as configured there; on by default), alternating.
// A refresh runs them every BEHAVIOUR_REFRESH_INTERVAL_MS and at a website's
// first load; on a shared machine this is PostgreSQL CPU taken from the calls.
// Env: BENCH_DATABASE_URL (see bench-kit), BENCH_ITEMS, BENCH_LOG_ROWS (ranking-fixture), BENCH_RUNS (9, rounds of all queries, alternating).
import { Pool } from 'pg';
import { BehaviourRepository } from '../../apps/ranking-service/src/catalog/behaviour-repository';
import { rankingPoolConfig } from '../../apps/ranking-service/src/ranking-parts';
import { envNumber, out, withBenchDatabase } from './bench-kit';
import { ITEMS, LOG_ROWS, setUpRankingBench } from './ranking-fixture';

const RUNS = envNumber('BENCH_RUNS', 9);

async function run(url: string) {
  const bench = await setUpRankingBench(url);
  const service = new Pool({ ...rankingPoolConfig(url), max: 1 });
  const defaults = new Pool({ connectionString: url, max: 1 });
  // pg-pool's end() resolves before its clients have closed; the database drop that follows may terminate one.
  for (const p of [service, defaults]) p.on('error', () => undefined);
  try {
    const site = bench.website;
    await service.query('VACUUM ANALYZE recommendations');
    const serverJit = (await defaults.query(`SELECT current_setting('jit') AS jit`)).rows[0].jit;
    const queries: [string, (pool: Pool) => Promise<unknown>][] = [
      [
        "baseline: count(*) of the website's 30-day window",
        (pool) => pool.query(`SELECT count(*) FROM recommendations WHERE website_id = $1 AND shown_at >= now() - interval '30 days'`, [site]),
      ],
      ['itemStats (shown / clicks / conversions per item, 1, 7, 30 days)', (pool) => new BehaviourRepository(pool).itemStats(site)],
      ['coVisitation', (pool) => new BehaviourRepository(pool).coVisitation(site)],
      ['nextItems', (pool) => new BehaviourRepository(pool).nextItems(site)],
      ['segmentPopularity', (pool) => new BehaviourRepository(pool).segmentPopularity(site)],
      ['purchases', (pool) => new BehaviourRepository(pool).purchases(site)],
    ];
    const times = queries.map(() => ({ service: [] as number[], defaults: [] as number[] }));
    // One unmeasured round (caches), then RUNS rounds of every query on both connections in turn, so drift hits each alike.
    for (let round = 0; round <= RUNS; round++) {
      for (const [i, [, q]] of queries.entries()) {
        for (const [k, pool] of [['service', service], ['defaults', defaults]] as const) {
          const start = performance.now();
          await q(pool);
          if (round > 0) times[i]![k].push(performance.now() - start);
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const base = median(times[0]!.service);
    out(`catalog refresh aggregates, ${ITEMS} items, ${LOG_ROWS} log rows, median of ${RUNS} rounds`);
    out();
    out(`| query | service's connection (JIT off): median ms | × baseline | server defaults (jit = ${serverJit}): median ms |`);
    out('|---|---|---|---|');
    for (const [i, [name]] of queries.entries()) {
      const t = times[i]!;
      out(`| ${name} | ${median(t.service).toFixed(1)} | ${(median(t.service) / base).toFixed(1)} | ${median(t.defaults).toFixed(1)} |`);
    }
    const total = (k: 'service' | 'defaults') => times.slice(1).reduce((sum, t) => sum + median(t[k]), 0);
    out(`\nall five aggregates, one refresh of this website: ${total('service').toFixed(0)} ms as the service runs them, ${total('defaults').toFixed(0)} ms with the server's defaults`);
  } finally {
    await service.end();
    await defaults.end();
    await bench.close();
  }
}

withBenchDatabase('recsys_bench_aggregates', run).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

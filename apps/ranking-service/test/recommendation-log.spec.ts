import { findFreePort, TimeOrderedIds } from '@recsys/db';
import { createTestDatabase, startCuttingProxy, type TestDatabase } from '@recsys/db/testing';
import { createLogger } from '@recsys/service-kit';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import type { LoggedItem, LoggedRecommendation } from '../src/log/logged-recommendation';
import { logPartitions } from '../src/log/log-retention';
import { RecommendationLog } from '../src/log/recommendation-log';
import { eventually } from './support/harness';

const logger = createLogger({ name: 'test', level: 'silent' });
const ids = new TimeOrderedIds();
const item = (itemId: string, rank = 1): LoggedItem => ({
  id: ids.next(),
  itemId,
  score: 12.5, // beyond the seed's DECIMAL(5,4): migration 015 widened it
  rank,
  strategy: 'model',
  personalizationFactors: {},
  clickedAt: null,
  convertedAt: null,
  revenue: null,
});
/** One answer of `itemIds`, ranked in that order. */
const answer = (websiteId: string, itemIds: string[]): LoggedRecommendation => ({
  recommendationId: ids.next(),
  websiteId,
  sessionId: randomUUID(),
  userId: null,
  recommendationType: 'product',
  context: {},
  modelVersion: 'v1',
  shownAt: new Date(),
  items: itemIds.map((id, i) => item(id, i + 1)),
});

describe('RecommendationLog', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = db.pool();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('writes a batch larger than one encoding chunk completely, each row with its own request context and values', async () => {
    const site = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 's']);
    const log = new RecommendationLog(pool, logPartitions(pool, 90), { maxBufferedRows: 1_000, flushRows: 250, flushIntervalMs: 600_000 }, logger);
    const contexts = [{ page_type: 'product', n: 0 }, { page_type: 'home', n: 1 }, { page_type: null, n: 2 }];
    const shownAt = new Date('2026-11-25T12:34:56.789Z');
    for (let i = 0; i < 250; i++) {
      log.append({
        ...answer(site, []),
        context: contexts[i % 3]!,
        shownAt,
        items: [
          {
            ...item(`item-${i}`, i + 1),
            score: i / 7,
            clickedAt: i === 101 ? shownAt : null,
            convertedAt: i === 202 ? shownAt : null,
            revenue: i === 202 ? '19.99' : null,
            personalizationFactors: { source: 'caller', i },
          },
        ],
      });
    }
    await eventually(async () => expect((await pool.query('SELECT count(*)::int AS n FROM recommendations WHERE website_id = $1', [site])).rows[0].n).toBe(250));
    const rows = (
      await pool.query(
        `SELECT item_id, score, rank, context, personalization_factors AS f, shown_at, clicked, revenue::text AS revenue FROM recommendations WHERE website_id = $1 ORDER BY rank`,
        [site],
      )
    ).rows;
    rows.forEach((r, i) => {
      expect(r).toMatchObject({ item_id: `item-${i}`, score: i / 7, rank: i + 1, context: contexts[i % 3], f: { source: 'caller', i }, clicked: i === 101 });
      expect(r.shown_at.toISOString()).toBe(shownAt.toISOString());
      expect(r.revenue === null ? null : Number(r.revenue)).toBe(i === 202 ? 19.99 : null);
    });
    await log.close();
  });

  it('writes answers as Recommend appends them (what the rows share once per answer) with every column of every row', async () => {
    const site = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 's']);
    const log = new RecommendationLog(pool, logPartitions(pool, 90), { maxBufferedRows: 1_000, flushRows: 1_000, flushIntervalMs: 600_000 }, logger);
    const logged = (userId: string | null, modelVersion: string | null, context: Record<string, unknown>, shownAt: Date): LoggedRecommendation => ({
      ...answer(site, []),
      userId,
      modelVersion,
      context,
      shownAt,
      items: Array.from({ length: 3 }, (_, i) => ({
        ...item(`item-${i}`, i + 1),
        score: 1 - i / 10,
        strategy: i === 2 ? 'popular' : 'model',
        personalizationFactors: { source: i === 2 ? 'popular' : 'caller', rank: i + 1 },
      })),
    });
    const a = logged('user-1', 'v3', { page_type: 'home' }, new Date('2026-11-26T06:00:00.000Z'));
    const b = logged(null, null, { page_type: 'product', item_id: 'p9' }, new Date('2026-11-26T06:00:01.500Z'));
    log.append(a);
    log.append(b);
    await log.close();
    const stored = (
      await pool.query(
        `SELECT id, recommendation_id, session_id, user_id, recommendation_type, item_id, score, rank, context, strategy, model_version, personalization_factors AS f, shown_at
           FROM recommendations WHERE website_id = $1 ORDER BY shown_at, rank`,
        [site],
      )
    ).rows;
    expect(stored).toEqual(
      [a, b].flatMap((r) =>
        r.items.map((i) => ({
          id: i.id,
          recommendation_id: r.recommendationId,
          session_id: r.sessionId,
          user_id: r.userId,
          recommendation_type: 'product',
          item_id: i.itemId,
          score: i.score,
          rank: i.rank,
          context: r.context,
          strategy: i.strategy,
          model_version: r.modelVersion,
          f: i.personalizationFactors,
          shown_at: r.shownAt,
        })),
      ),
    );
  });

  it('stores text exactly as given, whatever characters it holds (COPY escaping), and a non-finite score as null', async () => {
    const site = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 's']);
    const log = new RecommendationLog(pool, logPartitions(pool, 90), { maxBufferedRows: 1_000, flushRows: 1_000, flushIntervalMs: 600_000 }, logger);
    const awkward = ['tab\there', 'line\nbreak', 'carriage\rreturn', 'back\\slash', '\\N', 'quote\'"', 'ünïcødé ✓ 🛒', ' spaced '];
    const a: LoggedRecommendation = {
      ...answer(site, []),
      userId: 'user\t\\N\n',
      modelVersion: 'v\\1',
      context: { page_url: 'https://shop.test/a?b=c\\d\te', note: 'x\ny' },
      items: awkward.map((id, i) => ({ ...item(id, i + 1), score: i === 0 ? Number.NaN : i, strategy: `s\t${i}`, personalizationFactors: { why: id } })),
    };
    log.append(a);
    await log.close();
    const stored = (
      await pool.query(`SELECT item_id, user_id, model_version, context, strategy, personalization_factors AS f, score FROM recommendations WHERE website_id = $1 ORDER BY rank`, [site])
    ).rows;
    expect(stored).toEqual(
      awkward.map((id, i) => ({ item_id: id, user_id: 'user\t\\N\n', model_version: 'v\\1', context: a.context, strategy: `s\t${i}`, f: { why: id }, score: i === 0 ? null : i })),
    );
  });

  it('flushes when a batch is full, without waiting for the timer', async () => {
    const site = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 's']);
    const log = new RecommendationLog(pool, logPartitions(pool, 90), { maxBufferedRows: 100, flushRows: 3, flushIntervalMs: 600_000 }, logger);
    log.append(answer(site, ['a', 'b', 'c']));
    await eventually(async () => expect((await pool.query('SELECT score FROM recommendations WHERE website_id = $1', [site])).rows).toEqual([{ score: 12.5 }, { score: 12.5 }, { score: 12.5 }]));
    await log.close();
  });

  it('shutdown writes what is buffered', async () => {
    const site = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 's']);
    const log = new RecommendationLog(pool, logPartitions(pool, 90), { maxBufferedRows: 100, flushRows: 50, flushIntervalMs: 600_000 }, logger);
    log.append(answer(site, ['a']));
    await log.close();
    expect((await pool.query('SELECT item_id FROM recommendations WHERE website_id = $1', [site])).rows).toEqual([{ item_id: 'a' }]);
  });

  it('database unreachable: keeps rows up to its bound, counts the dropped ones, never throws', async () => {
    const dead = new Pool({ connectionString: `postgres://postgres@127.0.0.1:${await findFreePort()}/x`, connectionTimeoutMillis: 200 });
    const registry = new Registry();
    const log = new RecommendationLog(dead, logPartitions(dead, 90), { maxBufferedRows: 5, flushRows: 2, flushIntervalMs: 10 }, logger, registry);
    const site = randomUUID();
    // 8 rows against a bound of 5: the third answer keeps its top item, the fourth none.
    for (let i = 0; i < 4; i++) expect(() => log.append(answer(site, [`i${i}a`, `i${i}b`]))).not.toThrow();
    expect(log.droppedCount).toBe(3);
    expect(log.pending).toBe(5);
    expect((await registry.getSingleMetric('ranking_log_rows_dropped_total')!.get()).values[0]!.value).toBe(3);
    await eventually(async () => expect((await registry.getSingleMetric('ranking_log_write_failures_total')!.get()).values[0]!.value).toBeGreaterThan(0));
    expect(log.pending).toBe(5);
    await log.close(300);
    await dead.end();
  });

  it('a connection killed in the middle of a COPY fails that write, which is retried; nothing escapes as an unhandled rejection', async () => {
    const site = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 's']);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const victim = new Pool({ connectionString: db.url, max: 1, application_name: 'log-copy-victim' });
    victim.on('error', () => undefined);
    const registry = new Registry();
    const log = new RecommendationLog(victim, logPartitions(victim, 90), { maxBufferedRows: 100_000, flushRows: 50_000, flushIntervalMs: 600_000 }, logger, registry);
    const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
    try {
      // 50,000 rows: the COPY yields to the event loop between its 500 chunks, time for the backend to be killed midway.
      for (let i = 0; i < 5_000; i++) log.append(answer(site, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']));
      let settled = false;
      let killed = 0;
      const flushing = log.flush().finally(() => (settled = true));
      while (!settled && killed === 0) {
        const res = await pool.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'log-copy-victim' AND query LIKE 'COPY recommendations%' AND state = 'active'`,
        );
        killed += res.rowCount ?? 0;
      }
      await flushing;
      expect(killed).toBe(1);
      expect(await metric('ranking_log_write_failures_total')).toBe(1);
      expect(log.pending).toBe(50_000);
      expect((await pool.query('SELECT count(*)::int AS n FROM recommendations WHERE website_id = $1', [site])).rows[0].n).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 50)); // unhandled rejections are reported after the tick that made them
      expect(unhandled).toEqual([]);
      // The retry (through the idempotent INSERT) stores every row.
      await log.flush();
      expect(log.pending).toBe(0);
      expect((await pool.query('SELECT count(*)::int AS n FROM recommendations WHERE website_id = $1', [site])).rows[0].n).toBe(50_000);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await log.close(1_000);
      await victim.end();
    }
  }, 30_000);

  it('a batch that committed but whose acknowledgement was lost is retried as a success: no duplicate-key loop, no lost rows or outcomes', async () => {
    const site = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 's']);
    const proxy = await startCuttingProxy(db.url);
    const proxied = new Pool({ connectionString: proxy.url, max: 1 });
    proxied.on('error', () => undefined);
    const registry = new Registry();
    const partitions = logPartitions(proxied, 90);
    const log = new RecommendationLog(proxied, partitions, { maxBufferedRows: 100, flushRows: 50, flushIntervalMs: 600_000 }, logger, registry);
    const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
    try {
      const first = answer(site, ['a', 'b', 'c']);
      log.append(first);
      // Today's partition is known first, so the next COMMIT is the batch's. The first write is a COPY;
      // the retry, not knowing whether it committed, an idempotent INSERT.
      await partitions.ensure([partitions.keyOf(first.shownAt)]);
      const cut = proxy.loseAckOf('COMMIT');
      await log.flush();
      await cut;
      // Committed, but the log did not hear so: it still holds the rows.
      expect((await pool.query('SELECT count(*)::int AS n FROM recommendations WHERE website_id = $1', [site])).rows[0].n).toBe(3);
      expect(log.pending).toBe(3);
      expect(await metric('ranking_log_write_failures_total')).toBe(1);
      // An outcome arriving meanwhile is applied to the buffered rows and must survive the retry.
      const click = await log.recordOutcome({
        target: { kind: 'recommendation', recommendationId: first.recommendationId },
        itemId: 'b',
        kind: 'click',
        at: new Date('2026-12-01T10:00:00.000Z'),
        revenue: null,
      });
      expect(click).toMatchObject({ rows: 1, updated: 1 });
      log.append(answer(site, ['d']));
      await log.flush();
      expect(await metric('ranking_log_write_failures_total')).toBe(1);
      expect(log.pending).toBe(0);
      expect(await metric('ranking_log_rows_written_total')).toBe(4);
      const rows = (await pool.query('SELECT item_id, clicked, clicked_at FROM recommendations WHERE website_id = $1 ORDER BY item_id', [site])).rows;
      expect(rows).toEqual([
        { item_id: 'a', clicked: false, clicked_at: null },
        { item_id: 'b', clicked: true, clicked_at: new Date('2026-12-01T10:00:00.000Z') },
        { item_id: 'c', clicked: false, clicked_at: null },
        { item_id: 'd', clicked: false, clicked_at: null },
      ]);
    } finally {
      await log.close(1_000);
      await proxied.end();
      await proxy.close();
    }
  });
});

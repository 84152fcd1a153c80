import { findFreePort, TimeOrderedIds } from '@recsys/db';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { createLogger } from '@recsys/service-kit';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { RecommendationLog, type LogRow } from '../src/log/recommendation-log';
import { eventually } from './support/harness';

const logger = createLogger({ name: 'test', level: 'silent' });
const ids = new TimeOrderedIds();
const row = (websiteId: string, itemId: string): LogRow => ({
  id: ids.next(),
  requestId: ids.next(),
  websiteId,
  sessionId: randomUUID(),
  userId: null,
  recommendationType: 'product',
  itemId,
  score: 12.5, // beyond the seed's DECIMAL(5,4): migration 015 widened it
  rank: 1,
  context: {},
  strategy: 'model',
  modelVersion: 'v1',
  personalizationFactors: {},
  shownAt: new Date(),
  clickedAt: null,
  convertedAt: null,
  revenue: null,
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
    const log = new RecommendationLog(pool, { maxBufferedRows: 1_000, flushRows: 250, flushIntervalMs: 600_000 }, logger);
    const contexts = [{ page_type: 'product', n: 0 }, { page_type: 'home', n: 1 }, { page_type: null, n: 2 }];
    const shownAt = new Date('2026-11-25T12:34:56.789Z');
    log.append(
      Array.from({ length: 250 }, (_, i) => ({
        ...row(site, `item-${i}`),
        context: contexts[i % 3]!,
        score: i / 7,
        rank: i + 1,
        shownAt,
        clickedAt: i === 101 ? shownAt : null,
        revenue: i === 202 ? '19.99' : null,
        personalizationFactors: { source: 'caller', i },
      })),
    );
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

  it('writes answers as Recommend appends them (rows sharing request, session, user, model and time) with every column of every row', async () => {
    const site = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 's']);
    const log = new RecommendationLog(pool, { maxBufferedRows: 1_000, flushRows: 1_000, flushIntervalMs: 600_000 }, logger);
    const answer = (userId: string | null, modelVersion: string | null, context: Record<string, unknown>, shownAt: Date) => {
      const requestId = randomUUID();
      const sessionId = randomUUID();
      return Array.from({ length: 3 }, (_, i): LogRow => ({
        ...row(site, `item-${i}`),
        requestId,
        sessionId,
        userId,
        modelVersion,
        context,
        shownAt,
        rank: i + 1,
        score: 1 - i / 10,
        strategy: i === 2 ? 'popular' : 'model',
        personalizationFactors: { source: i === 2 ? 'popular' : 'caller', rank: i + 1 },
      }));
    };
    const a = answer('user-1', 'v3', { page_type: 'home' }, new Date('2026-11-26T06:00:00.000Z'));
    const b = answer(null, null, { page_type: 'product', item_id: 'p9' }, new Date('2026-11-26T06:00:01.500Z'));
    log.append(a);
    log.append(b);
    await log.close();
    const stored = (
      await pool.query(
        `SELECT id, request_id, session_id, user_id, recommendation_type, item_id, score, rank, context, strategy, model_version, personalization_factors AS f, shown_at
           FROM recommendations WHERE website_id = $1 ORDER BY shown_at, rank`,
        [site],
      )
    ).rows;
    expect(stored).toEqual(
      [...a, ...b].map((r) => ({
        id: r.id,
        request_id: r.requestId,
        session_id: r.sessionId,
        user_id: r.userId,
        recommendation_type: 'product',
        item_id: r.itemId,
        score: r.score,
        rank: r.rank,
        context: r.context,
        strategy: r.strategy,
        model_version: r.modelVersion,
        f: r.personalizationFactors,
        shown_at: r.shownAt,
      })),
    );
  });

  it('flushes when a batch is full, without waiting for the timer', async () => {
    const site = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 's']);
    const log = new RecommendationLog(pool, { maxBufferedRows: 100, flushRows: 3, flushIntervalMs: 600_000 }, logger);
    log.append([row(site, 'a'), row(site, 'b'), row(site, 'c')]);
    await eventually(async () => expect((await pool.query('SELECT score FROM recommendations WHERE website_id = $1', [site])).rows).toEqual([{ score: 12.5 }, { score: 12.5 }, { score: 12.5 }]));
    await log.close();
  });

  it('shutdown writes what is buffered', async () => {
    const site = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 's']);
    const log = new RecommendationLog(pool, { maxBufferedRows: 100, flushRows: 50, flushIntervalMs: 600_000 }, logger);
    log.append([row(site, 'a')]);
    await log.close();
    expect((await pool.query('SELECT item_id FROM recommendations WHERE website_id = $1', [site])).rows).toEqual([{ item_id: 'a' }]);
  });

  it('database unreachable: keeps rows up to its bound, counts the dropped ones, never throws', async () => {
    const dead = new Pool({ connectionString: `postgres://postgres@127.0.0.1:${await findFreePort()}/x`, connectionTimeoutMillis: 200 });
    const registry = new Registry();
    const log = new RecommendationLog(dead, { maxBufferedRows: 5, flushRows: 2, flushIntervalMs: 10 }, logger, registry);
    const site = randomUUID();
    for (let i = 0; i < 8; i++) expect(() => log.append([row(site, `i${i}`)])).not.toThrow();
    expect(log.droppedCount).toBe(3);
    expect(log.pending).toBe(5);
    expect((await registry.getSingleMetric('ranking_log_rows_dropped_total')!.get()).values[0]!.value).toBe(3);
    await eventually(async () => expect((await registry.getSingleMetric('ranking_log_write_failures_total')!.get()).values[0]!.value).toBeGreaterThan(0));
    expect(log.pending).toBe(5);
    await log.close(300);
    await dead.end();
  });
});

import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { BehaviourRepository } from '../src/catalog/behaviour-repository';

/** Segment popularity (the cold-start ladder's middle rung) computed from a hand-built log. */
describe('BehaviourRepository.segmentPopularity', () => {
  let db: TestDatabase;
  let pool: Pool;
  let site: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = db.pool();
    const other = randomUUID();
    site = randomUUID();
    await pool.query(`INSERT INTO website (website_id, name) VALUES ($1, 'site'), ($2, 'other')`, [site, other]);
    // [website, item, device, lifecycle stage, clicked, converted, days ago]
    const rows: [string, string, string | null, string | null, boolean, boolean, number][] = [
      [site, 'a', 'mobile', 'active', true, false, 1],
      [site, 'b', 'mobile', 'active', false, true, 2],
      [site, 'c', 'mobile', 'active', false, false, 1], // shown, never engaged: popularity 0, not listed
      [site, 'f', 'mobile', null, true, true, 3], // 5 for the conversion + 1 for the click
      [site, 'a', 'desktop', null, true, false, 1],
      [site, 'a', 'desktop', null, true, false, 4],
      [site, 'd', null, 'new', true, false, 1],
      [site, 'e', 'mobile', 'new', true, true, 40], // older than the 30-day window
      [other, 'z', 'mobile', 'active', true, true, 1], // another website
    ];
    for (const [websiteId, item, device, stage, clicked, converted, daysAgo] of rows) {
      await pool.query(
        `INSERT INTO recommendations (website_id, session_id, item_id, context, personalization_factors, clicked, converted, shown_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() - make_interval(days => $8))`,
        [websiteId, randomUUID(), item, JSON.stringify({ device }), JSON.stringify({ lifecycle_stage: stage }), clicked, converted, daysAgo],
      );
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  const sorted = (xs: { segment: string; itemId: string; popularity: number }[]) =>
    [...xs].sort((x, y) => x.segment.localeCompare(y.segment) || y.popularity - x.popularity || x.itemId.localeCompare(y.itemId));

  it('scores 5 per conversion + 1 per click, per device and per lifecycle stage, within 30 days, for this website only', async () => {
    expect(sorted(await new BehaviourRepository(pool).segmentPopularity(site))).toEqual([
      { segment: 'device:desktop', itemId: 'a', popularity: 2 },
      { segment: 'device:mobile', itemId: 'f', popularity: 6 },
      { segment: 'device:mobile', itemId: 'b', popularity: 5 },
      { segment: 'device:mobile', itemId: 'a', popularity: 1 },
      { segment: 'lifecycle:active', itemId: 'b', popularity: 5 },
      { segment: 'lifecycle:active', itemId: 'a', popularity: 1 },
      { segment: 'lifecycle:new', itemId: 'd', popularity: 1 },
    ]);
  });

  it('keeps the top perSegment items of each segment', async () => {
    expect(sorted(await new BehaviourRepository(pool).segmentPopularity(site, 1))).toEqual([
      { segment: 'device:desktop', itemId: 'a', popularity: 2 },
      { segment: 'device:mobile', itemId: 'f', popularity: 6 },
      { segment: 'lifecycle:active', itemId: 'b', popularity: 5 },
      { segment: 'lifecycle:new', itemId: 'd', popularity: 1 },
    ]);
  });
});

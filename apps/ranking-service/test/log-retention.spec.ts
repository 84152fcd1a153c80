import { GetOnlineMetricsRequest, MetricsDimension, type GetOnlineMetricsResponse } from '@recsys/contracts/ranking';
import { unary } from '@recsys/service-kit/testing';
import { randomUUID } from 'node:crypto';
import { startHarness, type Harness } from './support/harness';

/**
 * The log's retention (migration 024, log-retention.ts) with an injected clock:
 * the service starts on 2027-03-01 and keeps 30 days; the clock then moves to
 * 2027-04-15, when every day of March 1–3 has passed the retention.
 */
let h: Harness;
let clock = new Date('2027-03-01T12:00:00Z');
beforeAll(async () => {
  h = await startHarness({ env: { RECOMMENDATION_RETENTION_DAYS: '30' }, now: () => clock });
}, 30_000);
afterAll(() => h?.close());

const partitions = async () =>
  (await h.sql.query(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'recommendations'::regclass ORDER BY 1`)).rows.map(
    (r) => r.name,
  );

const metrics = (websiteId: string, groupBy: MetricsDimension[]): Promise<GetOnlineMetricsResponse> =>
  unary(
    h.client.getOnlineMetrics.bind(h.client),
    GetOnlineMetricsRequest.fromPartial({ websiteId, timeRange: { start: new Date('2027-02-28T00:00:00Z'), end: new Date('2027-03-04T00:00:00Z') }, groupBy }),
  );

describe('recommendations log retention', () => {
  it('at start makes today and two days ahead and drops what is past retention, then aggregates each expired day and drops it; online metrics answer the same before and after', async () => {
    // The template's converted partition (migration 024, ending two days after the test run began) is past the retention already.
    expect(await partitions()).toEqual(['recommendations_p20270301', 'recommendations_p20270302', 'recommendations_p20270303']);

    const site = await h.newWebsite();
    const other = await h.newWebsite();
    await h.logRows(site, [
      ['v1', 'model', '2027-03-01T08:00:00Z', true, true, '10.5000'],
      ['v1', 'model', '2027-03-01T09:00:00Z', false, false, null],
      ['v1', 'model', '2027-03-01T23:59:59Z', true, false, null],
      ['v1', 'model', '2027-03-02T00:00:00Z', false, true, '2.2500'],
      [null, 'popular', '2027-03-02T10:00:00Z', true, false, null],
      [null, 'popular', '2027-03-03T10:00:00Z', false, false, null],
    ]);
    await h.sql.query(`INSERT INTO recommendations (website_id, session_id, item_id, shown_at, clicked) VALUES ($1, $2, 'i', '2027-03-02T12:00:00Z', true)`, [other, randomUUID()]);

    const dims = [MetricsDimension.METRICS_DIMENSION_DAY, MetricsDimension.METRICS_DIMENSION_MODEL_VERSION];
    const rowsOf = (res: GetOnlineMetricsResponse) => res.rows.map((r) => [r.day!.toISOString().slice(0, 10), r.modelVersion, r.shown, r.clicks, r.conversions, r.revenue]);
    const expected = [
      ['2027-03-01', 'v1', 3, 2, 1, '10.5000'],
      ['2027-03-02', '', 1, 1, 0, '0.0000'],
      ['2027-03-02', 'v1', 1, 0, 1, '2.2500'],
      ['2027-03-03', '', 1, 0, 0, '0.0000'],
    ];
    const before = await metrics(site, dims);
    expect(rowsOf(before)).toEqual(expected);
    expect(before.total).toMatchObject({ shown: 6, clicks: 3, conversions: 2, revenue: '12.7500' });

    clock = new Date('2027-04-15T12:00:00Z'); // cutoff 2027-03-16 12:00
    const run = await h.service.logRetention.runOnce();
    expect(run.dropped).toEqual(['recommendations_p20270301', 'recommendations_p20270302', 'recommendations_p20270303']);
    expect(run.created).toEqual(['recommendations_p20270415', 'recommendations_p20270416', 'recommendations_p20270417']);
    expect((await h.sql.query('SELECT count(*)::int AS n FROM recommendations WHERE website_id = ANY($1)', [[site, other]])).rows[0].n).toBe(0);

    const stats = await h.sql.query(
      `SELECT website_id = $1 AS ours, to_char(day, 'YYYY-MM-DD') AS day, model_version, strategy, recommendation_type, shown::int, clicks::int, conversions::int, revenue::text
         FROM recommendation_daily_stats WHERE website_id = ANY($2) ORDER BY 1 DESC, 2, 3`,
      [site, [site, other]],
    );
    expect(stats.rows).toEqual([
      { ours: true, day: '2027-03-01', model_version: 'v1', strategy: 'model', recommendation_type: 'product', shown: 3, clicks: 2, conversions: 1, revenue: '10.5000' },
      { ours: true, day: '2027-03-02', model_version: '', strategy: 'popular', recommendation_type: 'product', shown: 1, clicks: 1, conversions: 0, revenue: '0.0000' },
      { ours: true, day: '2027-03-02', model_version: 'v1', strategy: 'model', recommendation_type: 'product', shown: 1, clicks: 0, conversions: 1, revenue: '2.2500' },
      { ours: true, day: '2027-03-03', model_version: '', strategy: 'popular', recommendation_type: 'product', shown: 1, clicks: 0, conversions: 0, revenue: '0.0000' },
      { ours: false, day: '2027-03-02', model_version: '', strategy: '', recommendation_type: '', shown: 1, clicks: 1, conversions: 0, revenue: '0.0000' },
    ]);

    const after = await metrics(site, dims);
    expect(rowsOf(after)).toEqual(expected);
    expect(after.total).toEqual(before.total);

    // A second run finds nothing to do.
    expect(await h.service.logRetention.runOnce()).toEqual({ created: [], dropped: [] });
  });
});

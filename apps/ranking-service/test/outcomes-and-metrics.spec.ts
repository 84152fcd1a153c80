import { status as Status } from '@grpc/grpc-js';
import {
  GetOnlineMetricsRequest,
  MetricsDimension,
  Outcome,
  RecordOutcomeRequest,
  type RecordOutcomeResponse,
} from '@recsys/contracts/ranking';
import { unary } from '@recsys/service-kit/testing';
import { randomUUID } from 'node:crypto';
import { eventually, startHarness, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const record = (req: Partial<RecordOutcomeRequest>): Promise<RecordOutcomeResponse> =>
  unary(h.client.recordOutcome.bind(h.client), RecordOutcomeRequest.fromPartial(req));
const byId = (id: string) => ({ $case: 'recommendationId' as const, value: id });

describe('RecordOutcome', () => {
  it('is idempotent: the first click and the first conversion win, replays update nothing', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'a' }, { itemId: 'b' }]);
    const sessionId = randomUUID();
    const res = await h.recommend({ websiteId: site, sessionId, count: 2 });
    await eventually(async () => expect((await h.sql.query('SELECT 1 FROM recommendations WHERE recommendation_id = $1', [res.recommendationId])).rowCount).toBe(2));

    const t1 = new Date(Date.now() - 60_000);
    expect(await record({ target: byId(res.recommendationId), itemId: 'a', outcome: Outcome.OUTCOME_CLICK, occurredAt: t1 })).toEqual({ rowsUpdated: 1 });
    expect(await record({ target: byId(res.recommendationId), itemId: 'a', outcome: Outcome.OUTCOME_CLICK })).toEqual({ rowsUpdated: 0 });
    expect(await record({ target: byId(res.recommendationId), itemId: 'a', outcome: Outcome.OUTCOME_CONVERSION, revenue: '49.90' })).toEqual({ rowsUpdated: 1 });
    expect(await record({ target: byId(res.recommendationId), itemId: 'a', outcome: Outcome.OUTCOME_CONVERSION, revenue: '99' })).toEqual({ rowsUpdated: 0 });
    // By session: the same row is already clicked; b is not.
    const session = { $case: 'session' as const, value: { websiteId: site, sessionId } };
    expect(await record({ target: session, itemId: 'a', outcome: Outcome.OUTCOME_CLICK })).toEqual({ rowsUpdated: 0 });
    expect(await record({ target: session, itemId: 'b', outcome: Outcome.OUTCOME_CLICK })).toEqual({ rowsUpdated: 1 });
    expect(await record({ target: session, itemId: 'never-shown', outcome: Outcome.OUTCOME_CLICK })).toEqual({ rowsUpdated: 0 });

    const rows = (await h.sql.query('SELECT item_id, clicked, clicked_at, converted, revenue::text FROM recommendations WHERE recommendation_id = $1 ORDER BY item_id', [res.recommendationId])).rows;
    expect(rows[0]).toMatchObject({ item_id: 'a', clicked: true, converted: true, revenue: '49.9000' });
    expect(rows[0].clicked_at.getTime()).toBe(t1.getTime());
    expect(rows[1]).toMatchObject({ item_id: 'b', clicked: true, converted: false, revenue: null });
  });

  it.each([
    [{ itemId: 'a', outcome: Outcome.OUTCOME_CLICK }, Status.INVALID_ARGUMENT, /^target: /],
    [{ target: byId('nope'), itemId: 'a', outcome: Outcome.OUTCOME_CLICK }, Status.INVALID_ARGUMENT, /^recommendation_id: /],
    [{ target: byId(randomUUID()), itemId: 'a', outcome: Outcome.OUTCOME_UNSPECIFIED }, Status.INVALID_ARGUMENT, /^outcome: /],
    [{ target: byId(randomUUID()), itemId: 'a', outcome: Outcome.OUTCOME_CLICK, revenue: '1' }, Status.INVALID_ARGUMENT, /^revenue: /],
    [{ target: byId(randomUUID()), itemId: 'a', outcome: Outcome.OUTCOME_CONVERSION, revenue: '-1' }, Status.INVALID_ARGUMENT, /^revenue: /],
    [{ target: byId(randomUUID()), itemId: 'a', outcome: Outcome.OUTCOME_CLICK }, Status.NOT_FOUND, /^recommendation_id: /],
  ])('rejects %j', async (req, code, details) => {
    await expect(record(req as Partial<RecordOutcomeRequest>)).rejects.toMatchObject({ code, details: expect.stringMatching(details) });
  });

  it('NOT_FOUND for an item that was not part of the recommendation', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'a' }]);
    const res = await h.recommend({ websiteId: site });
    await eventually(async () => expect((await h.sql.query('SELECT 1 FROM recommendations WHERE recommendation_id = $1', [res.recommendationId])).rowCount).toBe(1));
    await expect(record({ target: byId(res.recommendationId), itemId: 'zzz', outcome: Outcome.OUTCOME_CLICK })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });
});

describe('GetOnlineMetrics on a hand-built log', () => {
  it('counts shown, clicks, conversions and revenue per group, exactly', async () => {
    const site = await h.newWebsite();
    const other = await h.newWebsite();
    await h.logRows(site, [
      ['v1', 'model', '2026-11-20T10:00:00Z', true, true, '10.0000'],
      ['v1', 'model', '2026-11-20T11:00:00Z', true, false, null],
      ['v1', 'model', '2026-11-21T09:00:00Z', false, false, null],
      ['v2', 'model', '2026-11-21T09:30:00Z', true, true, '5.5000'],
      [null, 'popular', '2026-11-21T23:59:59Z', false, true, '0.3333'],
      [null, 'popular', '2026-11-22T00:00:00Z', false, false, null], // outside [start, end)
    ]);
    await h.sql.query(`INSERT INTO recommendations (website_id, session_id, item_id, shown_at, clicked) VALUES ($1, $2, 'i', '2026-11-21T00:00:00Z', true)`, [other, randomUUID()]);

    const res = await unary(
      h.client.getOnlineMetrics.bind(h.client),
      GetOnlineMetricsRequest.fromPartial({
        websiteId: site,
        timeRange: { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-22T00:00:00Z') },
        groupBy: [MetricsDimension.METRICS_DIMENSION_MODEL_VERSION, MetricsDimension.METRICS_DIMENSION_STRATEGY],
      }),
    );
    expect(res.total).toMatchObject({ shown: 5, clicks: 3, conversions: 3, revenue: '15.8333', revenuePerThousandShown: '3166.6600' });
    expect(res.total!.ctr).toBeCloseTo(0.6);
    expect(res.total!.conversionRate).toBeCloseTo(0.6);
    expect(res.rows.map((r) => [r.modelVersion, r.strategy, r.shown, r.clicks, r.conversions, r.revenue, r.revenuePerThousandShown])).toEqual([
      ['', 'popular', 1, 0, 1, '0.3333', '333.3000'],
      ['v1', 'model', 3, 2, 1, '10.0000', '3333.3333'],
      ['v2', 'model', 1, 1, 1, '5.5000', '5500.0000'],
    ]);

    const byDay = await unary(
      h.client.getOnlineMetrics.bind(h.client),
      GetOnlineMetricsRequest.fromPartial({
        websiteId: site,
        timeRange: { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-22T00:00:00Z') },
        groupBy: [MetricsDimension.METRICS_DIMENSION_DAY],
      }),
    );
    expect(byDay.rows.map((r) => [r.day!.toISOString(), r.shown])).toEqual([
      ['2026-11-20T00:00:00.000Z', 2],
      ['2026-11-21T00:00:00.000Z', 3],
    ]);
  });

  it.each([
    [{ groupBy: [MetricsDimension.METRICS_DIMENSION_UNSPECIFIED] }, /^group_by\[0\]: /],
    [{ groupBy: [MetricsDimension.METRICS_DIMENSION_DAY, MetricsDimension.METRICS_DIMENSION_DAY] }, /^group_by\[1\]: /],
    [{ timeRange: { start: new Date('2026-01-02'), end: new Date('2026-01-01') } }, /^time_range: /],
    [{ timeRange: { start: new Date('2024-01-01'), end: new Date('2026-01-01') } }, /^time_range: /],
  ])('INVALID_ARGUMENT for %j', async (req, details) => {
    const site = await h.newWebsite();
    await expect(unary(h.client.getOnlineMetrics.bind(h.client), GetOnlineMetricsRequest.fromPartial({ websiteId: site, ...req }))).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringMatching(details),
    });
  });

  it('NOT_FOUND for an unknown website', async () => {
    await expect(unary(h.client.getOnlineMetrics.bind(h.client), GetOnlineMetricsRequest.fromPartial({ websiteId: randomUUID() }))).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });
});

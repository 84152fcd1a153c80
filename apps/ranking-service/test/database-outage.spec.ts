import { randomUUID } from 'node:crypto';
import { status as Status } from '@grpc/grpc-js';
import { GetOnlineMetricsRequest, Outcome, RecordOutcomeRequest, UpsertItemsRequest } from '@recsys/contracts/ranking';
import { unary } from '@recsys/service-kit/testing';
import { Client } from 'pg';
import { eventually, startHarness, type Harness } from './support/harness';

/**
 * PostgreSQL unreachable while serving: the database refuses new connections
 * and every existing one is terminated. Recommend must keep answering from
 * memory, and the rows it showed must reach the log once the database is back.
 */
describe('PostgreSQL down', () => {
  let h: Harness;
  /** Ends the outage in progress, if any (TestDatabase.outage: connections refused, open ones terminated). */
  let restore: (() => Promise<void>) | undefined;
  const endOutage = async () => {
    await restore?.();
    restore = undefined;
  };
  const metric = async (name: string) => (await h.service.metrics.registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;

  beforeAll(async () => {
    h = await startHarness({ env: { LOG_FLUSH_INTERVAL_MS: '20' } });
  });
  afterAll(async () => {
    await endOutage().catch(() => undefined);
    await h?.close();
  });

  it('Recommend still answers; the log and outcomes are written after the database returns', async () => {
    const site = await h.newWebsite();
    const neverLoaded = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'a' }, { itemId: 'b' }]);
    await h.recommend({ websiteId: site, dryRun: true }); // the website's snapshot is in memory now
    await h.sql.end();

    restore = await h.db.outage();
    try {
      const failuresBefore = await metric('ranking_log_write_failures_total');
      const res = await h.recommend({ websiteId: site, count: 2 });
      expect(res.items.map((i) => i.itemId).sort()).toEqual(['a', 'b']);
      // A website first seen during the outage: caller candidates are still ranked.
      const cold = await h.recommend({ websiteId: neverLoaded, candidates: [{ itemId: 'x', features: {} }] });
      expect(cold.items.map((i) => i.itemId)).toEqual(['x']);
      // A click on a row still in the buffer is kept with it.
      const click = await unary(
        h.client.recordOutcome.bind(h.client),
        RecordOutcomeRequest.fromPartial({ target: { $case: 'recommendationId', value: res.recommendationId }, itemId: 'a', outcome: Outcome.OUTCOME_CLICK }),
      );
      expect(click.rowsUpdated).toBe(1);
      await eventually(async () => expect(await metric('ranking_log_write_failures_total')).toBeGreaterThan(failuresBefore));
      expect(await metric('ranking_log_rows_buffered')).toBeGreaterThanOrEqual(2);
    } finally {
      await endOutage();
    }

    const sql = new Client({ connectionString: h.db.url });
    await sql.connect();
    try {
      const rows = await eventually(async () => {
        const r = await sql.query('SELECT item_id, clicked, clicked_at FROM recommendations WHERE website_id = $1 ORDER BY item_id', [site]);
        expect(r.rowCount).toBe(2);
        return r.rows;
      }, 20_000);
      expect(rows.map((r) => [r.item_id, r.clicked])).toEqual([
        ['a', true],
        ['b', false],
      ]);
      expect(rows[0].clicked_at).toBeInstanceOf(Date);
    } finally {
      await sql.end();
    }
    // The harness's own client was closed above; give close() a fresh one.
    h.sql = new Client({ connectionString: h.db.url });
    h.sql.on('error', () => undefined); // the next test terminates it
    await h.sql.connect();
  });

  it('calls that need the database answer UNAVAILABLE, not INTERNAL', async () => {
    const site = randomUUID(); // a website not in memory: every call below must reach the database
    restore = await h.db.outage();
    try {
      const unavailable = { code: Status.UNAVAILABLE, details: expect.stringMatching(/database is unreachable; retry/) };
      await expect(unary(h.client.upsertItems.bind(h.client), UpsertItemsRequest.fromPartial({ websiteId: site, items: [{ itemId: 'a' }] }))).rejects.toMatchObject(
        unavailable,
      );
      const outcome = RecordOutcomeRequest.fromPartial({
        target: { $case: 'recommendationId', value: '0190a5c4-1111-7000-8000-000000000001' },
        itemId: 'a',
        outcome: Outcome.OUTCOME_CLICK,
      });
      await expect(unary(h.client.recordOutcome.bind(h.client), outcome)).rejects.toMatchObject(unavailable);
      await expect(unary(h.client.getOnlineMetrics.bind(h.client), GetOnlineMetricsRequest.fromPartial({ websiteId: site }))).rejects.toMatchObject(unavailable);
    } finally {
      await endOutage();
    }
  });
});

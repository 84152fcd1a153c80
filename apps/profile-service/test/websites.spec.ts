import { status as Status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { EventType } from '@recsys/contracts/profile';
import { unary } from '@recsys/service-kit/testing';
import { event, startHarness, type Harness } from './support/harness';

describe('UpsertWebsites', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const upsert = (websites: { websiteId: string; name: string; domain: string }[]) => unary(h.client.upsertWebsites.bind(h.client), { websites });
  const row = async (id: string) =>
    (await h.sql<{ name: string; domain: string | null; updated_at: Date | null }>('SELECT name, domain, updated_at FROM website WHERE website_id = $1', [id]))[0];

  it('creates missing websites, updates changed ones, leaves matching rows unwritten; TrackEvents then finds them', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(await upsert([{ websiteId: a, name: 'Shop A', domain: 'a.example' }, { websiteId: b.toUpperCase(), name: ' Shop B ', domain: '' }])).toEqual({
      createdCount: 2,
      updatedCount: 0,
      unchangedCount: 0,
    });
    expect(await row(a)).toMatchObject({ name: 'Shop A', domain: 'a.example', updated_at: null });
    expect(await row(b)).toMatchObject({ name: 'Shop B', domain: null });

    const xminBefore = (await h.sql<{ xmin: string }>('SELECT xmin::text FROM website WHERE website_id = $1', [a]))[0].xmin;
    expect(await upsert([{ websiteId: a, name: 'Shop A', domain: 'a.example' }, { websiteId: b, name: 'Shop B2', domain: 'b.example' }])).toEqual({
      createdCount: 0,
      updatedCount: 1,
      unchangedCount: 1,
    });
    // The matching row was not rewritten (same row version).
    expect((await h.sql<{ xmin: string }>('SELECT xmin::text FROM website WHERE website_id = $1', [a]))[0].xmin).toBe(xminBefore);
    expect(await row(b)).toMatchObject({ name: 'Shop B2', domain: 'b.example' });
    expect((await row(b)).updated_at).not.toBeNull();

    const res = await h.track(a, [event({ userId: 'u', sessionId: randomUUID(), type: EventType.EVENT_TYPE_PAGE_VIEW, occurredAt: new Date('2026-11-25T11:00:00Z') })]);
    expect(res.acceptedCount).toBe(1);
  });

  it.each<[string, { websiteId: string; name: string; domain: string }[], string]>([
    ['an empty list', [], 'websites: must hold 1..1000 websites, got 0'],
    ['a malformed id', [{ websiteId: 'shop', name: 'x', domain: '' }], 'websites[0].website_id: must be a UUID'],
    ['an empty name', [{ websiteId: randomUUID(), name: '  ', domain: '' }], 'websites[0].name: must be 1..100 characters'],
    ['a long name', [{ websiteId: randomUUID(), name: 'n'.repeat(101), domain: '' }], 'websites[0].name: must be 1..100 characters'],
    ['a long domain', [{ websiteId: randomUUID(), name: 'x', domain: 'd'.repeat(501) }], 'websites[0].domain: must be at most 500 characters'],
  ])('%s: INVALID_ARGUMENT naming the field', async (_what, websites, message) => {
    const err = await upsert(websites).catch((e) => e);
    expect(err.code).toBe(Status.INVALID_ARGUMENT);
    expect(err.details).toContain(message);
  });

  it('the same website twice is INVALID_ARGUMENT and nothing is written', async () => {
    const id = randomUUID();
    const err = await upsert([
      { websiteId: id, name: 'one', domain: '' },
      { websiteId: id.toUpperCase(), name: 'two', domain: '' },
    ]).catch((e) => e);
    expect(err.code).toBe(Status.INVALID_ARGUMENT);
    expect(err.details).toContain('websites[1].website_id: must appear once');
    expect(await row(id)).toBeUndefined();
  });
});

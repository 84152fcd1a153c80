import { status as Status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { EventType } from '@recsys/contracts/profile';
import { unary } from '@recsys/service-kit/testing';
import { event, startHarness, type Harness } from './support/harness';

/** PostgreSQL unreachable: the calls answer UNAVAILABLE (retry with backoff), and serve again once it is back. */
describe('profile-service with PostgreSQL down', () => {
  let h: Harness;
  let restore: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await restore?.();
    await h?.close();
  });

  it('answers UNAVAILABLE with a message, then serves again', async () => {
    const site = await h.newWebsite();
    const page = () => event({ userId: 'u', sessionId: randomUUID(), type: EventType.EVENT_TYPE_PAGE_VIEW, occurredAt: new Date('2026-11-25T11:00:00Z') });
    restore = await h.db.outage();
    const unavailable = { code: Status.UNAVAILABLE, details: expect.stringMatching(/database is unreachable; retry/) };
    await expect(h.track(site, [page()])).rejects.toMatchObject(unavailable);
    await expect(unary(h.client.getProfile.bind(h.client), { websiteId: site, userId: 'u' })).rejects.toMatchObject(unavailable);
    await expect(unary(h.client.upsertWebsites.bind(h.client), { websites: [{ websiteId: randomUUID(), name: 'x', domain: '' }] })).rejects.toMatchObject(unavailable);
    await restore();
    restore = undefined;
    expect((await h.track(site, [page()])).acceptedCount).toBe(1);
  });
});

import { Metadata, status as Status } from '@grpc/grpc-js';
import { DeleteUserRecommendationsRequest, RecommendRequest, UpsertItemsRequest, type DeleteUserRecommendationsResponse } from '@recsys/contracts/ranking';
import { randomUUID } from 'node:crypto';
import { eventually, startHarness, type Harness } from './support/harness';

const ADMIN = 'admin-token-0123456789';
const SERVICE = 'service-token-0123456789';

/**
 * DeleteUserRecommendations: a user's log rows, stored and still buffered, are
 * erased; other users' and anonymous rows stay; it needs an admin credential.
 */
describe('DeleteUserRecommendations', () => {
  let h: Harness;
  // A log that flushes only when asked (close) or when 1,000 rows wait: the test decides what is stored and what is buffered.
  beforeAll(async () => {
    h = await startHarness({ env: { LOG_FLUSH_INTERVAL_MS: '600000', LOG_FLUSH_ROWS: '1000', AUTH_ADMIN_TOKENS: ADMIN, AUTH_SERVICE_TOKENS: SERVICE } });
  });
  afterAll(() => h?.close());

  const md = (token: string) => {
    const m = new Metadata();
    m.set('authorization', `Bearer ${token}`);
    return m;
  };
  const erase = (req: Partial<DeleteUserRecommendationsRequest>, token = ADMIN) =>
    new Promise<DeleteUserRecommendationsResponse>((resolve, reject) =>
      h.client.deleteUserRecommendations(DeleteUserRecommendationsRequest.fromPartial(req), md(token), (err, res) => (err ? reject(err) : resolve(res!))),
    );
  const recommend = (websiteId: string, userId: string) =>
    new Promise((resolve, reject) =>
      h.client.recommend(RecommendRequest.fromPartial({ websiteId, userId, sessionId: randomUUID(), count: 2 }), md(SERVICE), (err, res) => (err ? reject(err) : resolve(res))),
    );
  const usersLogged = async (site: string) =>
    (await h.sql.query('SELECT user_id FROM recommendations WHERE website_id = $1 ORDER BY user_id', [site])).rows.map((r) => r.user_id);

  it('erases stored and buffered rows of one user on one website; idempotent', async () => {
    const site = await h.newWebsite();
    const other = await h.newWebsite();
    const upsert = (websiteId: string, itemIds: string[]) =>
      new Promise((resolve, reject) =>
        h.client.upsertItems(UpsertItemsRequest.fromPartial({ websiteId, items: itemIds.map((itemId) => ({ itemId })) }), md(SERVICE), (err) => (err ? reject(err) : resolve(undefined))),
      );
    await upsert(site, ['a', 'b']);
    await upsert(other, ['a']);
    // Stored: rows of 'gone', 'stays', an anonymous call, and 'gone' on the other website.
    await h.sql.query(
      `INSERT INTO recommendations (session_id, user_id, website_id, item_id) VALUES ($1, 'gone', $2, 'a'), ($1, 'stays', $2, 'a'), ($1, NULL, $2, 'b'), ($1, 'gone', $3, 'a')`,
      [randomUUID(), site, other],
    );
    // Buffered: two answers of 'gone' (2 rows each) and one of 'stays'.
    await recommend(site, 'gone');
    await recommend(site, 'gone');
    await recommend(site, 'stays');
    expect(await erase({ websiteId: site, userId: 'gone' })).toEqual({ recommendationsDeleted: 5 });
    expect(await erase({ websiteId: site, userId: 'gone' })).toEqual({ recommendationsDeleted: 0 });
    // What was buffered is written at shutdown: none of it is the erased user's.
    await h.service.close();
    await eventually(async () => expect(await usersLogged(site)).toEqual(['stays', 'stays', 'stays', null]));
    expect(await usersLogged(other)).toEqual(['gone']);
  });
});

describe('DeleteUserRecommendations refusals', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_ADMIN_TOKENS: ADMIN, AUTH_SERVICE_TOKENS: SERVICE } });
  });
  afterAll(() => h?.close());

  const erase = (req: Partial<DeleteUserRecommendationsRequest>, token: string) => {
    const m = new Metadata();
    m.set('authorization', `Bearer ${token}`);
    return new Promise((resolve, reject) =>
      h.client.deleteUserRecommendations(DeleteUserRecommendationsRequest.fromPartial(req), m, (err, res) => (err ? reject(err) : resolve(res))),
    );
  };

  it.each([
    ['a service credential', { websiteId: randomUUID(), userId: 'u' }, SERVICE, Status.PERMISSION_DENIED, /./],
    ['a malformed website id', { websiteId: 'nope', userId: 'u' }, ADMIN, Status.INVALID_ARGUMENT, /^website_id: /],
    ['an empty user id', { websiteId: randomUUID(), userId: '' }, ADMIN, Status.INVALID_ARGUMENT, /^user_id: /],
    ['an unknown website', { websiteId: randomUUID(), userId: 'u' }, ADMIN, Status.NOT_FOUND, /^website_id: /],
  ])('refuses %s', async (_name, req, token, code, details) => {
    await expect(erase(req, token)).rejects.toMatchObject({ code, details: expect.stringMatching(details) });
  });
});

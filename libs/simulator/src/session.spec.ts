import { runSession } from './session';
import { seededRandom } from '@recsys/onnx';
import { makeWorld } from './world';

describe('a simulated visit', () => {
  const world = makeWorld({ seed: 5, items: 60, users: 10 });
  const start = new Date('2026-11-01T10:00:00Z');

  it('without recommendations: 2–6 product views a minute apart, nothing shown, the same from the same seed', async () => {
    const a = await runSession(seededRandom(9), world, world.users[0]!, start, 'o-1');
    expect(await runSession(seededRandom(9), world, world.users[0]!, start, 'o-1')).toEqual(a);
    const views = a.events.filter((e) => e.type === 'product_view');
    expect(views.length).toBeGreaterThanOrEqual(2);
    expect(views.length).toBeLessThanOrEqual(6);
    views.forEach((v, i) => expect(v.at.getTime()).toBe(start.getTime() + i * 60_000));
    expect(a.shown).toBe(0);
    expect(a.clicks).toEqual([]);
    // Purchases, when there are any, are the cart's items, in one order.
    const carted = new Set(a.events.filter((e) => e.type === 'add_to_cart').map((e) => e.itemId));
    for (const p of a.events.filter((e) => e.type === 'purchase')) {
      expect(carted.has(p.itemId)).toBe(true);
      expect(p.orderId).toBe('o-1');
    }
  });

  it('with recommendations: every page shows items, a click leads to the clicked item next, clicks and conversions name their answer', async () => {
    // The visitor's favourite items first: clicks are likely.
    const user = world.users[1]!;
    const favourites = world.items.filter((i) => user.categories.has(i.category)).map((i) => i.itemId);
    let answers = 0;
    const asked: number[] = [];
    const sessions = await Promise.all(
      Array.from({ length: 30 }, (_, s) => {
        asked[s] = 0;
        return runSession(seededRandom(100 + s), world, user, start, `o-${s}`, async () => {
          asked[s]!++;
          return { recommendationId: `rec-${answers++}`, itemIds: favourites.slice(0, 5) };
        });
      }),
    );
    const clicks = sessions.flatMap((s) => s.clicks);
    expect(clicks.length).toBeGreaterThan(0);
    for (const [n, s] of sessions.entries()) {
      const views = s.events.filter((e) => e.type === 'product_view');
      expect(s.shown).toBe(5 * asked[n]!);
      // Every page asks but one opened by the last page's click.
      expect(asked[n]).toBeGreaterThanOrEqual(views.length - 1);
      expect(asked[n]).toBeLessThanOrEqual(views.length);
      expect(s.shownToTaste).toBe(s.shown); // every shown item is in a favourite category
      // A clicked item is the next page viewed.
      for (const c of s.clicks) expect(views.some((v) => v.itemId === c.itemId)).toBe(true);
      for (const conv of s.conversions) expect(s.clicks.some((c) => c.itemId === conv.itemId && c.recommendationId === conv.recommendationId)).toBe(true);
    }
  });
});

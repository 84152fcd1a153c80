import { affinity, drawItem, type SimItem, type SimUser, type World } from './world';

/** An event of a simulated session (TrackEvents' view of it). */
export interface SimEvent {
  type: 'product_view' | 'add_to_cart' | 'purchase';
  itemId: string;
  at: Date;
  price: number;
  orderId?: string;
}

/** What Recommend showed on a product page. */
export interface Shown {
  recommendationId: string;
  itemIds: string[];
}

export interface SessionResult {
  events: SimEvent[];
  /** Recommendations shown (items). */
  shown: number;
  /** Shown items the visitor clicked, with the answer they were in. */
  clicks: { recommendationId: string; itemId: string; at: Date }[];
  /** Clicked items the visitor then bought. */
  conversions: { recommendationId: string; itemId: string; revenue: number; at: Date }[];
  /** Shown items in one of the visitor's favourite categories. */
  shownToTaste: number;
}

/** Chance that the visitor clicks a shown item they want fully (affinity 1) at the top position. */
const CLICK = 0.5;
/** Chance per viewed item of adding it to the cart, times affinity. */
const CART = 0.3;
/** Chance that a session with a cart ends in a purchase. */
const BUY = 0.4;

/**
 * One visit: 2–6 product views a minute apart, the first drawn by the
 * visitor's taste. On each page `recommend` (when given) shows items; the
 * visitor clicks at most one, with probability CLICK × affinity / log2(position + 1),
 * and goes there; otherwise browses to another item by taste. Items they
 * like go to the cart; a cart is bought at the end with probability BUY.
 */
export async function runSession(
  rnd: () => number,
  world: World,
  user: SimUser,
  start: Date,
  orderId: string,
  recommend?: (itemId: string) => Promise<Shown>,
): Promise<SessionResult> {
  const result: SessionResult = { events: [], shown: 0, clicks: [], conversions: [], shownToTaste: 0 };
  const byId = new Map(world.items.map((i) => [i.itemId, i]));
  const seen = new Set<string>();
  const cart: SimItem[] = [];
  const clickedIn = new Map<string, string>();
  const views = 2 + Math.floor(rnd() * 5);
  let current = drawItem(rnd, user, world.items);
  let at = start.getTime();
  for (let step = 0; step < views; step++) {
    seen.add(current.itemId);
    result.events.push({ type: 'product_view', itemId: current.itemId, at: new Date(at), price: current.price });
    if (!cart.includes(current) && rnd() < CART * affinity(user, current)) {
      result.events.push({ type: 'add_to_cart', itemId: current.itemId, at: new Date(at + 10_000), price: current.price });
      cart.push(current);
    }
    at += 60_000;
    let next: SimItem | undefined;
    if (recommend) {
      const shown = await recommend(current.itemId);
      result.shown += shown.itemIds.length;
      for (const [position, itemId] of shown.itemIds.entries()) {
        const item = byId.get(itemId);
        if (!item) continue;
        if (user.categories.has(item.category)) result.shownToTaste++;
        if (!next && rnd() < (CLICK * affinity(user, item)) / Math.log2(position + 2)) {
          next = item;
          result.clicks.push({ recommendationId: shown.recommendationId, itemId, at: new Date(at - 30_000) });
          clickedIn.set(itemId, shown.recommendationId);
        }
      }
    }
    if (next && step === views - 1) {
      // The last page's click still opens the clicked item (a page that asks for nothing more).
      result.events.push({ type: 'product_view', itemId: next.itemId, at: new Date(at), price: next.price });
      at += 60_000;
    }
    current = next ?? drawItem(rnd, user, world.items, seen);
  }
  if (cart.length > 0 && rnd() < BUY) {
    for (const item of cart) {
      result.events.push({ type: 'purchase', itemId: item.itemId, at: new Date(at), price: item.price, orderId });
      const recommendationId = clickedIn.get(item.itemId);
      if (recommendationId) result.conversions.push({ recommendationId, itemId: item.itemId, revenue: item.price, at: new Date(at) });
    }
  }
  return result;
}

import { seededRandom } from '@recsys/onnx';

/**
 * The simulated shop: items with a category, brand, price and appeal, and
 * visitors with hidden tastes (two favourite categories, a favourite brand, a
 * price band, a device, a visit rhythm). Everything is drawn from one seed.
 */
export type Device = 'mobile' | 'tablet' | 'desktop';

export interface SimItem {
  itemId: string;
  category: string;
  brand: string;
  price: number;
  /** How attractive to anyone, 0..1 (Zipf-like over the catalog). */
  appeal: number;
}

export interface SimUser {
  userId: string;
  device: Device;
  /** Favourite categories with their weight (summing to 1). */
  categories: ReadonlyMap<string, number>;
  brand: string;
  /** The prices this visitor likes: [low, high]. */
  priceBand: readonly [number, number];
  /** Sessions per week. */
  sessionsPerWeek: number;
}

export interface World {
  items: SimItem[];
  users: SimUser[];
}

export interface WorldOptions {
  seed: number;
  items: number;
  users: number;
  categories?: number;
  brands?: number;
}

export function makeWorld(o: WorldOptions): World {
  const rnd = seededRandom(o.seed);
  const categories = Array.from({ length: o.categories ?? 8 }, (_, i) => `category-${i}`);
  const brands = Array.from({ length: o.brands ?? 12 }, (_, i) => `brand-${i}`);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const items = Array.from({ length: o.items }, (_, i): SimItem => {
    const category = pick(categories);
    // Each category has its own price level; items spread around it.
    const level = 10 * (1 + categories.indexOf(category));
    return { itemId: `sim-${i}`, category, brand: pick(brands), price: Math.round(level * (0.5 + rnd()) * 100) / 100, appeal: 1 / (1 + i * 0.05) };
  });
  const devices: Device[] = ['mobile', 'mobile', 'desktop', 'tablet'];
  const users = Array.from({ length: o.users }, (_, u): SimUser => {
    const first = pick(categories);
    let second = pick(categories);
    if (second === first) second = categories[(categories.indexOf(first) + 1) % categories.length]!;
    const w = 0.6 + 0.3 * rnd();
    const level = 10 * (1 + Math.floor(rnd() * categories.length));
    return {
      userId: `sim-user-${u}`,
      device: pick(devices),
      categories: new Map([
        [first, w],
        [second, 1 - w],
      ]),
      brand: pick(brands),
      priceBand: [level * 0.4, level * 1.6],
      sessionsPerWeek: 0.5 + 3 * rnd(),
    };
  });
  return { items, users };
}

/**
 * How much `user` wants `item`, 0..1: mostly its category (a category the
 * visitor does not favour keeps 5 %), then brand and price fit, then appeal.
 */
export function affinity(user: SimUser, item: SimItem): number {
  const category = user.categories.get(item.category) ?? 0.05;
  const brand = item.brand === user.brand ? 1 : 0.6;
  const [low, high] = user.priceBand;
  const price = item.price >= low && item.price <= high ? 1 : 0.5;
  return category * brand * price * (0.3 + 0.7 * item.appeal);
}

/** An item drawn with probability proportional to affinity, never one of `exclude`. */
export function drawItem(rnd: () => number, user: SimUser, items: readonly SimItem[], exclude: ReadonlySet<string> = new Set()): SimItem {
  let total = 0;
  for (const i of items) if (!exclude.has(i.itemId)) total += affinity(user, i);
  let at = rnd() * total;
  for (const i of items) {
    if (exclude.has(i.itemId)) continue;
    at -= affinity(user, i);
    if (at <= 0) return i;
  }
  return items.find((i) => !exclude.has(i.itemId)) ?? items[0]!;
}

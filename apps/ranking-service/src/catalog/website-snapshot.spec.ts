import { eventLoopTurnsDuring } from '@recsys/service-kit/testing';
import type { CatalogRow } from './catalog-repository';
import { WebsiteSnapshot, type BehaviourSignal } from './website-snapshot';

const row = (itemId: string, publishedAt: Date | null = null, available = true): CatalogRow => ({
  itemId,
  kind: 'product',
  title: null,
  category: 'c',
  brand: null,
  price: null,
  tags: [],
  attributes: {},
  available,
  publishedAt,
});
const signal = (itemId: string, popularity: number): BehaviourSignal => ({
  itemId,
  popularity,
  views: popularity,
  carts: 0,
  purchases: 0,
  popularity1d: 0,
  popularity7d: 0,
  coVisited: [],
  nextItems: [],
  boughtTogether: [],
  segmentPopularity: {},
});
const inputs = (rows: CatalogRow[], signals: BehaviourSignal[] = []) => ({
  websiteId: 'w',
  rows,
  stats: new Map(),
  coVisitation: [],
  nextItems: [],
  segments: [],
  purchases: new Map(),
  builtAt: new Date(),
  behaviour: { signals, stale: false },
});

describe('WebsiteSnapshot.build', () => {
  it('popular list: the most popular first, then the rest in the order the catalog rows come in (newest first, then by id)', async () => {
    // As CatalogRepository.itemsOf orders them: published newest first, unpublished last, each by id.
    const rows = [row('n1', new Date('2026-11-02')), row('n2', new Date('2026-11-01')), row('a'), row('b', null, false), row('c'), row('d')];
    const snapshot = await WebsiteSnapshot.build(inputs(rows, [signal('d', 2), signal('c', 5), signal('a', 2)]));
    // c (5), then the tie a / d (2) in row order, then the items without popularity in row order; b is unavailable.
    expect(snapshot.popular.get('product')!.map((e) => e.itemId)).toEqual(['c', 'a', 'd', 'n1', 'n2']);
  });

  it('lets other work run while it builds a large catalog, and is complete when it resolves', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => row(`item-${String(i).padStart(5, '0')}`));
    const { value: snapshot, turns } = await eventLoopTurnsDuring(() => WebsiteSnapshot.build(inputs(rows, [signal('item-19999', 1)])));
    expect(turns).toBeGreaterThan(1); // the event loop turned during the build
    expect(snapshot.items.size).toBe(20_000);
    expect(snapshot.popular.get('product')![0]!.itemId).toBe('item-19999');
  });
});

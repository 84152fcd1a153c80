import { pickTop } from './diversity';

/** The definition: sort everything (score desc, then item id), then apply the cap. */
function reference(items: { itemId: string; category?: string }[], scores: number[], count: number, cap: number) {
  const order = items.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || (items[a]!.itemId < items[b]!.itemId ? -1 : 1));
  const seen = new Map<string, number>();
  const out: { item: (typeof items)[number]; score: number }[] = [];
  for (const i of order) {
    if (out.length >= count) break;
    const c = items[i]!.category;
    if (c !== undefined) {
      if ((seen.get(c) ?? 0) >= cap) continue;
      seen.set(c, (seen.get(c) ?? 0) + 1);
    }
    out.push({ item: items[i]!, score: scores[i]! });
  }
  return out;
}

describe('pickTop', () => {
  it('returns best score first, ties by item id, at most maxPerCategory per category, uncategorised items uncapped', () => {
    const items = [
      { itemId: 'b', category: 'shoes' },
      { itemId: 'a', category: 'shoes' },
      { itemId: 'c', category: 'shoes' },
      { itemId: 'd', category: undefined },
      { itemId: 'e', category: 'hats' },
    ];
    const top = pickTop(items, [0.9, 0.9, 0.8, 0.1, 0.5], 10, 2, (x) => x.category);
    expect(top.map((t) => t.item.itemId)).toEqual(['a', 'b', 'e', 'd']);
    expect(top.map((t) => t.score)).toEqual([0.9, 0.9, 0.5, 0.1]);
  });

  it('agrees with sort-then-cap on random inputs (ties, caps, counts larger and smaller than the input)', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 300; round++) {
      const n = Math.floor(rnd() * 60);
      const items = Array.from({ length: n }, (_, i) => ({ itemId: `i${(i * 7919) % 1000}`, category: rnd() < 0.2 ? undefined : `c${Math.floor(rnd() * 5)}` }));
      const scores = items.map(() => Math.round(rnd() * 10) / 10);
      const count = 1 + Math.floor(rnd() * 20);
      const cap = 1 + Math.floor(rnd() * 4);
      expect(pickTop(items, scores, count, cap, (x) => x.category)).toEqual(reference(items, scores, count, cap));
    }
  });

  it('answers nothing for no candidates', () => {
    expect(pickTop([], [], 10, 3, () => undefined)).toEqual([]);
  });
});

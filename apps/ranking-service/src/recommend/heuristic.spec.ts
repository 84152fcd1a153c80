import type { CatalogEntry } from '../catalog/website-snapshot';
import type { Candidate } from './candidates';
import { heuristicScores } from './heuristic';

const now = new Date('2026-12-01T00:00:00Z');

/** A generated candidate with only what the heuristic reads (no published_at: recency 0.75). */
function candidate(itemId: string, popularity: number, coVisitation: number, extra: Partial<Candidate> = {}): Candidate {
  const entry = { itemId, row: { publishedAt: null, category: null, brand: null }, popularity, trending: 0 } as unknown as CatalogEntry;
  return { itemId, source: 'popular', entry, coVisitation, nextItem: 0, ...extra } as Candidate;
}

describe('heuristicScores', () => {
  it('puts what goes with the visitor\'s items above what is merely popular, popularity ordering the rest', () => {
    // ln(1 + (e − 1)) = 1: popular's popularity share is 1 (the answer's most popular).
    const popular = candidate('popular', Math.E - 1, 0);
    const strong = candidate('strong', 0, 2); // the answer's strongest co-visitation: share 1
    const weaker = candidate('weaker', Math.E - 1, 1); // share 1 of popularity, 0.5 of co-visitation
    const scores = heuristicScores([popular, strong, weaker], undefined, now);
    // raw = 0.75 × (popularity share + 8 × co-visitation share + 0.01)
    const raw = [0.75 * (1 + 0 + 0.01), 0.75 * (0 + 8 + 0.01), 0.75 * (1 + 4 + 0.01)];
    const max = raw[1]!;
    expect([...scores].map((s) => Number(s.toFixed(6)))).toEqual(raw.map((r) => Number((r / max).toFixed(6))));
  });

  it('without any co-visitation ranks by popularity, and adds the fixed boosts (next item 0.8)', () => {
    const a = candidate('a', Math.E - 1, 0);
    const b = candidate('b', Math.E ** 0.5 - 1, 0, { nextItem: 1 }); // ln(1 + e^0.5 − 1) = 0.5: share 0.5
    const scores = heuristicScores([a, b], undefined, now);
    // a: 0.75 × 1.01; b: 0.75 × (0.5 + 0.8 + 0.01) = 0.75 × 1.31 → b first.
    expect(scores[1]).toBe(1);
    expect(scores[0]).toBeCloseTo(1.01 / 1.31, 9);
  });

  it('gives items without any signal a positive score, and an empty answer none', () => {
    expect([...heuristicScores([candidate('x', 0, 0), candidate('y', 0, 0)], undefined, now)]).toEqual([1, 1]);
    expect(heuristicScores([], undefined, now)).toHaveLength(0);
  });
});

import type { FeatureRowInput } from '@recsys/features';
import { baselineScores } from './evaluate';

const row = (popularity: number, coVisitation: number): FeatureRowInput => ({
  itemId: `p${popularity}-c${coVisitation}`,
  item: { inCatalog: true, behaviour: { popularity, views: 0, carts: 0, purchases: 0, popularity1d: 0, popularity7d: 0, popularityShare: 0 } },
  context: { time: new Date(0) },
  pair: { coVisitation },
});

describe('baselineScores', () => {
  it('popularity: ln(1 + popularity); the heuristic: shares of the group\'s strongest, co-visitation weighing 8', () => {
    const groups = [{ rows: [row(Math.E - 1, 0), row(Math.E ** 2 - 1, 2)] }, { rows: [row(0, 4), row(Math.E - 1, 1)] }];
    const { popularity, heuristic } = baselineScores(groups);
    expect(Array.from(popularity).map((v) => +v.toFixed(12))).toEqual([1, 2, 0, 1]);
    // Group 1: popularity shares 1/2 and 1, co-visitation shares 0 and 1. Group 2: 0 and 1, then 1 and 1/4.
    expect(Array.from(heuristic).map((v) => +v.toFixed(12))).toEqual([0.5, 1 + 8, 0 + 8, 1 + 2]);
  });
});

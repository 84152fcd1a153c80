import { aucOf, averagePrecisionAtK, dcgAtK, hitRateAtK, mean, ndcgAtK, precisionAtK, rankByScore, recallAtK, reciprocalRankAtK } from './index';

// Hand-worked: ranked a b c d, relevant {b, d}.
// DCG@3 = 1/log2(3) (b at position 2) = 0.6309297536; the ideal has both relevant first:
// IDCG@3 = 1/log2(2) + 1/log2(3) = 1.6309297536; NDCG@3 = 0.3868528072.
// At k = 4, d (position 4) adds 1/log2(5) = 0.4306765581: DCG@4 = 1.0616063117, NDCG@4 = 0.6509209298.
const ranked = ['a', 'b', 'c', 'd'];
const relevant = new Set(['b', 'd']);

describe('ranking metrics', () => {
  it('DCG and NDCG at k match the hand-worked values', () => {
    expect(dcgAtK(ranked, relevant, 3)).toBeCloseTo(0.6309297536, 9);
    expect(ndcgAtK(ranked, relevant, 3)).toBeCloseTo(0.3868528072, 9);
    expect(dcgAtK(ranked, relevant, 4)).toBeCloseTo(1.0616063117, 9);
    expect(ndcgAtK(ranked, relevant, 4)).toBeCloseTo(0.6509209298, 9);
    // The ideal ranking scores 1; nothing relevant found scores 0.
    expect(ndcgAtK(['b', 'd', 'a'], relevant, 3)).toBeCloseTo(1, 12);
    expect(ndcgAtK(['x', 'y'], relevant, 10)).toBe(0);
  });

  it('recall and precision at k', () => {
    expect(recallAtK(ranked, relevant, 3)).toBe(0.5);
    expect(recallAtK(ranked, relevant, 4)).toBe(1);
    expect(precisionAtK(ranked, relevant, 3)).toBeCloseTo(1 / 3, 12);
    // Fewer answers than k still divide by k.
    expect(precisionAtK(['b'], relevant, 10)).toBe(0.1);
  });

  it('counts an item once, at its first position, and skips users with nothing relevant', () => {
    expect(ndcgAtK(['b', 'b', 'd'], relevant, 2)).toBeCloseTo(ndcgAtK(['b', 'd'], relevant, 2)!, 12);
    expect(recallAtK(['b', 'b'], relevant, 2)).toBe(0.5);
    expect(ndcgAtK(ranked, new Set(), 10)).toBeUndefined();
    expect(recallAtK(ranked, new Set(), 10)).toBeUndefined();
    expect(mean([1, undefined, 0.5])).toBe(0.75);
    expect(mean([undefined])).toBeUndefined();
  });

  it('average precision, hit rate and reciprocal rank at k match the hand-worked values', () => {
    // b at 2 (precision 1/2), d at 4 (precision 2/4): (0.5 + 0.5) / min(2, 4) = 0.5.
    expect(averagePrecisionAtK(ranked, relevant, 4)).toBe(0.5);
    // Only b within 3: 0.5 / min(2, 3) = 0.25; nothing within 1: 0.
    expect(averagePrecisionAtK(ranked, relevant, 3)).toBe(0.25);
    expect(averagePrecisionAtK(ranked, relevant, 1)).toBe(0);
    // Fewer relevant items than k: the one found first scores 1 / min(1, 3) = 1.
    expect(averagePrecisionAtK(['b', 'x', 'y'], new Set(['b']), 3)).toBe(1);
    expect(hitRateAtK(ranked, relevant, 1)).toBe(0);
    expect(hitRateAtK(ranked, relevant, 2)).toBe(1);
    expect(reciprocalRankAtK(ranked, relevant, 4)).toBe(0.5);
    expect(reciprocalRankAtK(ranked, relevant, 1)).toBe(0);
    expect(averagePrecisionAtK(ranked, new Set(), 3)).toBeUndefined();
    expect(hitRateAtK(ranked, new Set(), 3)).toBeUndefined();
    expect(reciprocalRankAtK(ranked, new Set(), 3)).toBeUndefined();
  });

  it('AUC per user counts a tie as one half', () => {
    // Pairs (relevant, other): (b, a) 0, (b, c) 1, (d, a) 0, (d, c) a tie 0.5: 1.5 / 4.
    const scored = [
      { itemId: 'a', score: 0.9 },
      { itemId: 'b', score: 0.8 },
      { itemId: 'c', score: 0.3 },
      { itemId: 'd', score: 0.3 },
    ];
    expect(aucOf(scored, relevant)).toBe(0.375);
    expect(aucOf(scored.map((s) => ({ ...s, score: 1 })), relevant)).toBe(0.5);
    expect(aucOf([{ itemId: 'b', score: 2 }, { itemId: 'a', score: 1 }], relevant)).toBe(1);
    expect(aucOf([{ itemId: 'b', score: 1 }], relevant)).toBeUndefined(); // nothing to compare with
  });

  it('ranks equal scores by an id hash, not by input order: a constant model does not look perfect when the relevant items come first', () => {
    const ids = ['r1', 'r2', ...Array.from({ length: 8 }, (_, i) => `n${i}`)];
    const constant = ids.map((itemId) => ({ itemId, score: 0 }));
    const relevantFirst = rankByScore(constant);
    expect(rankByScore([...constant].reverse())).toEqual(relevantFirst);
    expect(new Set(relevantFirst)).toEqual(new Set(ids));
    // Input order would have scored the constant model 1; the hash order is a fixed shuffle.
    expect(ndcgAtK(ids, new Set(['r1', 'r2']), 2)).toBe(1);
    expect(ndcgAtK(relevantFirst, new Set(['r1', 'r2']), 2)).toBeLessThan(1);
    // Different scores still rank first by score.
    expect(rankByScore([{ itemId: 'low', score: 1 }, { itemId: 'high', score: 2 }])).toEqual(['high', 'low']);
  });
});

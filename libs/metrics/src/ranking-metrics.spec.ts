import { dcgAtK, mean, ndcgAtK, precisionAtK, recallAtK } from './index';

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
});

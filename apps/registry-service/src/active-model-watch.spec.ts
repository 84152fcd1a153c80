import { visibleIn } from './active-model-watch';

describe('visibleIn (pg_snapshot text)', () => {
  it('is true below xmin, false at or above xmax, false for in-progress xids', () => {
    expect(visibleIn('99', '100:105:101,103')).toBe(true);
    expect(visibleIn('102', '100:105:101,103')).toBe(true);
    expect(visibleIn('103', '100:105:101,103')).toBe(false);
    expect(visibleIn('105', '100:105:')).toBe(false);
  });
});

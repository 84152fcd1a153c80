import { seededRandom } from '@recsys/onnx';
import { BehaviourState, type Interaction } from './behaviour-state';

const DAY = 86_400_000;

describe('BehaviourState', () => {
  it('neighbours: the k strongest by the same order a full sort gives (weight, then id)', () => {
    const rnd = seededRandom(3);
    const state = new BehaviourState(30, 0, new Map());
    const log: Interaction[] = [];
    for (let n = 0; n < 3000; n++) log.push({ userId: `u${Math.floor(rnd() * 200)}`, sessionId: 's', itemId: `i${Math.floor(rnd() ** 2 * 60)}`, at: n * 60_000, kind: 'product_view' });
    for (const x of log) state.observe(x);
    const at = 3000 * 60_000;
    for (const item of ['i0', 'i1', 'i7', 'i30']) {
      // Every neighbour with its weight (k large), sorted here independently.
      const all = state.neighbours(item, 1000, at);
      const sorted = [...all].sort((a, b) => b.weight - a.weight || (a.itemId < b.itemId ? -1 : 1));
      expect(all).toEqual(sorted);
      expect(state.neighbours(item, 5, at)).toEqual(sorted.slice(0, 5));
    }
  });

  it('day and week popularity follow the reading time forward', () => {
    const state = new BehaviourState(30, 0, new Map());
    const view = (at: number): Interaction => ({ userId: 'u', sessionId: 's', itemId: 'a', at, kind: 'product_view' });
    state.observe(view(0));
    state.observe(view(5 * DAY));
    state.observe({ ...view(5 * DAY + 1), kind: 'purchase' });
    expect(state.behaviourAt('a', 5 * DAY + 2)).toMatchObject({ popularity1d: 6, popularity7d: 7 });
    expect(state.behaviourAt('a', 6.5 * DAY)).toMatchObject({ popularity1d: 0, popularity7d: 7 });
    expect(state.behaviourAt('a', 7.5 * DAY)).toMatchObject({ popularity1d: 0, popularity7d: 6 }); // the first view is 7.5 days old
    expect(state.behaviourAt('a', 13 * DAY)).toMatchObject({ popularity1d: 0, popularity7d: 0 });
  });
});

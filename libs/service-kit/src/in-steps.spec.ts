import { runInSteps } from './in-steps';
import { eventLoopTurnsDuring } from './testing';

function* countTo(n: number): Generator<void, number> {
  let sum = 0;
  for (let i = 1; i <= n; i++) {
    sum += i;
    yield;
  }
  return sum;
}

describe('runInSteps', () => {
  it('gives the generator\'s result, letting the event loop turn at each step', async () => {
    const { value, turns } = await eventLoopTurnsDuring(() => runInSteps(countTo(5)));
    expect(value).toBe(15);
    expect(turns).toBeGreaterThanOrEqual(4);
  });
});

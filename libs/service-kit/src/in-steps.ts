import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/**
 * Runs `steps` to its end, letting the event loop through at every `yield`:
 * how a service does work that grows with a catalog (building a snapshot,
 * merging signals) without holding up the calls it answers meanwhile.
 */
export async function runInSteps<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await yieldToEventLoop();
  }
}


import { createLogger } from './logger';
import { PeriodicTask } from './periodic-task';

const logger = createLogger({ name: 't', level: 'silent' });
const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 2));
};

describe('PeriodicTask', () => {
  it('never overlaps runs, and stop() waits for the one in progress', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release!: () => void;
    const task = new PeriodicTask('t', 1, async () => {
      runs += 1;
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => (release = r));
      active -= 1;
    }, logger);
    task.start();
    await until(() => runs === 1);
    await new Promise((r) => setTimeout(r, 20)); // many ticks pass while the first run is held
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(maxActive).toBe(1);
    expect(active).toBe(0);
  });

  it('keeps running after a failed run', async () => {
    let runs = 0;
    const task = new PeriodicTask('t', 1, async () => {
      runs += 1;
      if (runs === 1) throw new Error('boom');
    }, logger);
    task.start();
    await until(() => runs >= 3);
    await task.stop();
  });

  it('does nothing with an interval of 0', async () => {
    let runs = 0;
    const task = new PeriodicTask('t', 0, async () => void (runs += 1), logger);
    task.start();
    await new Promise((r) => setTimeout(r, 20));
    await task.stop();
    expect(runs).toBe(0);
  });
});

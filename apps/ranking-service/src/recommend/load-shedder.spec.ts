import { ResourceExhaustedError, createLogger } from '@recsys/service-kit';
import { Registry } from 'prom-client';
import { Writable } from 'node:stream';
import { LoadShedder } from './load-shedder';

function setUp(options: { maxInFlight?: number; maxWaitMs?: number }, draw = () => 0.5) {
  const warnings: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) warnings.push((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  const registry = new Registry();
  const shedder = new LoadShedder({ maxInFlight: 0, maxWaitMs: 50, ...options }, createLogger({ name: 'test', level: 'warn', destination }), registry, draw);
  const refused = async (reason: string) => (await registry.getSingleMetric('ranking_recommend_shed_total')!.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  return { shedder, warnings, refused };
}

/** A call received `ms` ago. */
const waited = (ms: number) => performance.now() - ms;
const work = async () => 'answered';

describe('LoadShedder by waiting time', () => {
  it('serves calls that waited up to the limit', async () => {
    const { shedder } = setUp({}, () => 0);
    await expect(shedder.run(waited(0), work)).resolves.toBe('answered');
    await expect(shedder.run(waited(45), work)).resolves.toBe('answered');
  });

  it('refuses past the limit with a probability growing with the excess, every call at twice the limit', async () => {
    let draw = 0.4;
    const { shedder, refused } = setUp({}, () => draw);
    // 75 ms against 50: excess 0.5, so a draw of 0.4 is refused and one of 0.6 served.
    await expect(shedder.run(waited(75), work)).rejects.toThrow(ResourceExhaustedError);
    draw = 0.6;
    await expect(shedder.run(waited(75), work)).resolves.toBe('answered');
    draw = 0.999;
    await expect(shedder.run(waited(101), work)).rejects.toThrow(/overloaded \(the call waited 10\d ms to start, limit 50 ms\); retry later/);
    expect(await refused('wait')).toBe(2);
  });

  it('never refuses by waiting time with maxWaitMs 0', async () => {
    const { shedder } = setUp({ maxWaitMs: 0 }, () => 0);
    await expect(shedder.run(waited(10_000), work)).resolves.toBe('answered');
  });

  it('refuses past maxInFlight calls in flight, then serves again', async () => {
    const { shedder, refused } = setUp({ maxInFlight: 1 });
    let release!: () => void;
    const first = shedder.run(waited(0), () => new Promise<string>((r) => (release = () => r('first'))));
    await expect(shedder.run(waited(0), work)).rejects.toThrow(/overloaded \(1 Recommend calls in flight\)/);
    release();
    await expect(first).resolves.toBe('first');
    await expect(shedder.run(waited(0), work)).resolves.toBe('answered');
    expect(await refused('in_flight')).toBe(1);
  });

  it('logs a burst of refusals once, not once per call', async () => {
    const { shedder, warnings } = setUp({}, () => 0);
    for (let i = 0; i < 20; i++) await shedder.run(waited(200), work).catch(() => undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ranking-service overloaded .*: refusing Recommend calls/);
  });
});

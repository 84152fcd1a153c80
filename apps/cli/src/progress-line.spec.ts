import { PassThrough } from 'node:stream';
import type { CliContext } from './cli-context';
import { progressLine } from './progress-line';

function context(interactive: boolean): { c: CliContext; written: () => string } {
  let err = '';
  const c = { addresses: { profile: '', registry: '', ranking: '' }, out: new PassThrough(), err: new PassThrough().on('data', (d) => (err += d)), interactive } as CliContext;
  return { c, written: () => err };
}

describe('progressLine', () => {
  it('draws a bar in place on a terminal, once per change, and ends the line', async () => {
    const { c, written } = context(true);
    const bar = progressLine(c, 'replaying');
    bar.update(0, 4);
    bar.update(0, 4); // unchanged: not redrawn
    bar.update(2, 4, 'interactions');
    bar.end();
    await new Promise((r) => setImmediate(r));
    expect(written()).toBe(
      `\rreplaying [${'.'.repeat(30)}] 0/4\u001b[K` + `\rreplaying [${'#'.repeat(15)}${'.'.repeat(15)}] 2/4 interactions\u001b[K` + '\n',
    );
  });

  it('writes nothing when stderr is not a terminal', async () => {
    const { c, written } = context(false);
    const bar = progressLine(c, 'training');
    bar.update(1, 2);
    bar.end();
    await new Promise((r) => setImmediate(r));
    expect(written()).toBe('');
  });
});

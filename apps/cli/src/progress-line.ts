import type { CliContext } from './cli-context';

/**
 * A one-line progress bar on stderr for work that blocks the event loop (the
 * dataset's replay, training): written as it is called, not on a timer as
 * cli-progress redraws, which would not fire until the work is over. Nothing
 * when stderr is not a terminal (the step lines say enough in logs).
 */
export function progressLine(c: CliContext, label: string): { update(done: number, total: number, note?: string): void; end(): void } {
  if (!c.interactive) return { update: () => undefined, end: () => undefined };
  let last = '';
  let shown = false;
  return {
    update(done, total, note = '') {
      const width = 30;
      const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${note ? ` ${note}` : ''}`;
      if (line === last) return;
      last = line;
      shown = true;
      c.err.write(`\r${line}\u001b[K`);
    },
    end() {
      if (shown) c.err.write('\n');
      shown = false;
    },
  };
}

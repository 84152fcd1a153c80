import type { Logger } from './logger';

/**
 * Runs `run` every `intervalMs` in the background: runs never overlap (a tick
 * during a run is skipped), a failure is logged and retried at the next tick,
 * the timer never keeps the process alive, and `stop()` waits for a run in
 * progress so shutdown does not close the database under it. 0 = disabled.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly run: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.run()
      .then(() => undefined)
      .catch((err) => this.logger.error({ err, task: this.name }, `${this.name} failed; retrying at the next interval`))
      .finally(() => (this.running = undefined));
  }
}

import type { Logger } from '@recsys/service-kit';
import type { Clock } from './clock';
import type { ProfileStore } from './store/profile-store';

/**
 * Moves stored lifecycle stages with time alone (a user who stops coming
 * becomes at_risk, then churned) and purges expired event ids, every
 * `intervalMs`. Runs never overlap; `stop()` waits for a run in progress.
 */
export class LifecycleJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly store: ProfileStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** One run now; what tests call with a moved clock. */
  async runOnce() {
    const started = Date.now();
    const result = await this.store.refreshLifecycles(this.clock.now());
    this.logger.info({ ...result, ms: Date.now() - started }, 'lifecycle refresh done');
    return result;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async tick() {
    if (this.running) return;
    this.running = this.runOnce()
      .then(() => undefined)
      .catch((err) => this.logger.error({ err }, 'lifecycle refresh failed; retrying at the next interval'))
      .finally(() => (this.running = undefined));
  }
}

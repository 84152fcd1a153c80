import type { Logger } from '@recsys/service-kit';
import type { Clock } from './clock';
import type { ProfileStore } from './store/profile-store';

/**
 * Writes back the derived fields of profiles that TrackEvents marked stale
 * (ProfileStore.settleDerived), every `intervalMs`, so `user_profiles` read
 * with SQL (trainer, dashboards) catches up; the RPCs compute stale fields
 * themselves and never wait for it. Runs never overlap; `stop()` waits for a
 * run in progress.
 */
export class DerivedJob {
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

  /** One run now; what tests call. */
  async runOnce() {
    const started = Date.now();
    const result = await this.store.settleDerived(this.clock.now());
    if (result.profilesSettled > 0) this.logger.debug({ ...result, ms: Date.now() - started }, 'derived profile fields settled');
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
      .catch((err) => this.logger.error({ err }, 'derived settle failed; retrying at the next interval'))
      .finally(() => (this.running = undefined));
  }
}

import { PeriodicTask, type Logger } from '@recsys/service-kit';
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
  private readonly task: PeriodicTask;

  constructor(
    private readonly store: ProfileStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.task = new PeriodicTask('derived settle', intervalMs, () => this.runOnce(), logger);
  }

  start(): void {
    this.task.start();
  }

  /** One run now; what tests call. */
  async runOnce() {
    const started = Date.now();
    const result = await this.store.settleDerived(this.clock.now());
    if (result.profilesSettled > 0) this.logger.debug({ ...result, ms: Date.now() - started }, 'derived profile fields settled');
    return result;
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}

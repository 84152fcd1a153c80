import { PeriodicTask, type Logger } from '@recsys/service-kit';
import type { Clock } from './clock';
import type { ProfileStore } from './store/profile-store';

/**
 * Moves stored lifecycle stages with time alone (a user who stops coming
 * becomes at_risk, then churned), purges expired event ids, forgets visitors
 * not seen for PROFILE_RETENTION_DAYS, and keeps the
 * interaction log's partitions (months ahead made, months past retention
 * dropped), every `intervalMs`. Runs never overlap; `stop()` waits for a run
 * in progress.
 */
export class LifecycleJob {
  private readonly task: PeriodicTask;

  constructor(
    private readonly store: ProfileStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.task = new PeriodicTask('lifecycle refresh', intervalMs, () => this.runOnce(), logger);
  }

  start(): void {
    this.task.start();
  }

  /** One run now; what tests call with a moved clock. */
  async runOnce() {
    const started = Date.now();
    const now = this.clock.now();
    const result = await this.store.refreshLifecycles(now);
    const partitions = await this.store.interactions.maintain(now);
    this.logger.info({ ...result, interactionPartitions: partitions, ms: Date.now() - started }, 'lifecycle refresh done');
    return { ...result, interactionPartitions: partitions };
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}

import { TimePartitions, type PartitionInfo } from '@recsys/db';
import { PeriodicTask, type Logger } from '@recsys/service-kit';
import type { Pool, PoolClient } from 'pg';

/** How often the retention job runs: partitions ahead, expired days aggregated and dropped. */
const RETENTION_INTERVAL_MS = 3_600_000;

/** The log's day partitions (migration 024): today and two days ahead; whole days dropped at `retentionDays`. */
export function logPartitions(pool: Pool, retentionDays: number): TimePartitions {
  return new TimePartitions(pool, { table: 'recommendations', unit: 'day', ahead: 2, retentionDays });
}

/**
 * What a day of the log leaves behind when it is dropped: one row of
 * recommendation_daily_stats per website, UTC day, model version, strategy and
 * recommendation type — the keys GetOnlineMetrics groups by. Runs in the
 * dropping transaction (TimePartitions), so every row is counted exactly once:
 * in its partition or in the aggregates. Adds to an existing row, because a
 * converted table's old partition can hold part of a day.
 */
export async function aggregateDay(client: PoolClient, partition: PartitionInfo): Promise<void> {
  await client.query(
    `INSERT INTO recommendation_daily_stats AS s (website_id, day, model_version, strategy, recommendation_type, shown, clicks, conversions, revenue)
     SELECT website_id, (shown_at AT TIME ZONE 'UTC')::date, coalesce(model_version, ''), coalesce(strategy, ''), coalesce(recommendation_type, ''),
            count(*), count(*) FILTER (WHERE clicked), count(*) FILTER (WHERE converted), coalesce(sum(revenue) FILTER (WHERE converted), 0)
       FROM ${partition.name}
      GROUP BY 1, 2, 3, 4, 5
     ON CONFLICT (website_id, day, model_version, strategy, recommendation_type) DO UPDATE SET
       shown = s.shown + EXCLUDED.shown, clicks = s.clicks + EXCLUDED.clicks,
       conversions = s.conversions + EXCLUDED.conversions, revenue = s.revenue + EXCLUDED.revenue`,
  );
}

/**
 * The log's retention job: at start and hourly, the day partitions ahead exist
 * and days past the retention are aggregated and dropped. The writer makes the
 * partitions a batch needs on its own (TimePartitions.ensure), so a late job
 * never loses rows.
 */
export class LogRetention {
  private readonly task: PeriodicTask;

  constructor(
    readonly partitions: TimePartitions,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.task = new PeriodicTask('recommendation log retention', RETENTION_INTERVAL_MS, () => this.runOnce(), logger);
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One run; returns the partitions created and dropped. */
  async runOnce(): Promise<{ created: string[]; dropped: string[] }> {
    const started = Date.now();
    const result = await this.partitions.maintain(this.now(), aggregateDay);
    if (result.created.length > 0 || result.dropped.length > 0) this.logger.info({ ...result, ms: Date.now() - started }, 'recommendation log partitions maintained');
    return result;
  }
}

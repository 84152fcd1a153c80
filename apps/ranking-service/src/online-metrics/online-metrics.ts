import { RECOMMENDATION_TYPES } from '@recsys/contracts/vocabularies';
import {
  MetricsDimension,
  RecommendationType,
  type GetOnlineMetricsRequest,
  type GetOnlineMetricsResponse,
  type MetricsRow,
} from '@recsys/contracts/ranking';
import { InvalidArgumentError, NotFoundError } from '@recsys/service-kit';
import type { Pool } from 'pg';
import { uuid } from '../validation/fields';

const DAY_MS = 86_400_000;
/** SQL of each dimension's group key, over `parts` (below). */
const KEY_SQL: Record<number, string> = {
  [MetricsDimension.METRICS_DIMENSION_MODEL_VERSION]: 'model_version',
  [MetricsDimension.METRICS_DIMENSION_STRATEGY]: 'strategy',
  [MetricsDimension.METRICS_DIMENSION_RECOMMENDATION_TYPE]: 'recommendation_type',
  // Text, so the driver's local time zone cannot shift the day.
  [MetricsDimension.METRICS_DIMENSION_DAY]: "to_char(day, 'YYYY-MM-DD')",
};

/**
 * The website's counts in the range, per model version, strategy, type and UTC
 * day: the log's rows shown in the range, plus the daily aggregates of days
 * that already left the log (log-retention.ts) and overlap the range — those
 * count whole days. A day is in one or the other, never both (its aggregate is
 * written in the transaction that drops its rows).
 */
const PARTS = `WITH parts AS (
    SELECT coalesce(model_version, '') AS model_version, coalesce(strategy, '') AS strategy, coalesce(recommendation_type, '') AS recommendation_type,
           (shown_at AT TIME ZONE 'UTC')::date AS day, count(*) AS shown, count(*) FILTER (WHERE clicked) AS clicks,
           count(*) FILTER (WHERE converted) AS conversions, coalesce(sum(revenue) FILTER (WHERE converted), 0) AS revenue
      FROM recommendations
     WHERE website_id = $1 AND shown_at >= $2 AND shown_at < $3
     GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT model_version, strategy, recommendation_type, day, shown, clicks, conversions, revenue
      FROM recommendation_daily_stats
     WHERE website_id = $1 AND day >= ($2::timestamptz AT TIME ZONE 'UTC')::date AND day < ($3::timestamptz AT TIME ZONE 'UTC'))`;

export class OnlineMetrics {
  constructor(private readonly pool: Pool) {}

  async get(req: GetOnlineMetricsRequest): Promise<GetOnlineMetricsResponse> {
    const websiteId = uuid(req.websiteId, 'website_id');
    const end = req.timeRange?.end ?? new Date();
    const start = req.timeRange?.start ?? new Date(end.getTime() - 7 * DAY_MS);
    if (start.getTime() >= end.getTime()) throw new InvalidArgumentError('start must be before end', 'time_range');
    if (end.getTime() - start.getTime() > 366 * DAY_MS) throw new InvalidArgumentError('must span at most 366 days', 'time_range');
    const seen = new Set<number>();
    req.groupBy.forEach((d, i) => {
      if (!KEY_SQL[d]) throw new InvalidArgumentError('must be a dimension, not UNSPECIFIED', `group_by[${i}]`);
      if (seen.has(d)) throw new InvalidArgumentError('repeats a dimension', `group_by[${i}]`);
      seen.add(d);
    });
    if ((await this.pool.query('SELECT 1 FROM website WHERE website_id = $1', [websiteId])).rowCount === 0) {
      throw new NotFoundError(`website_id: website ${websiteId} does not exist`);
    }
    const keys = req.groupBy.map((d, i) => `${KEY_SQL[d]} AS k${i}`);
    const aggregates = `coalesce(sum(shown), 0)::bigint AS shown,
      coalesce(sum(clicks), 0)::bigint AS clicks,
      coalesce(sum(conversions), 0)::bigint AS conversions,
      coalesce(sum(revenue), 0)::numeric(19,4)::text AS revenue,
      CASE WHEN coalesce(sum(shown), 0) = 0 THEN '0.0000' ELSE round(coalesce(sum(revenue), 0) * 1000 / sum(shown), 4)::numeric(19,4)::text END AS rpm`;
    const params = [websiteId, start, end];
    const total = (await this.pool.query(`${PARTS} SELECT ${aggregates} FROM parts`, params)).rows[0];
    let rows: MetricsRow[] = [];
    if (keys.length > 0) {
      const order = req.groupBy.map((_, i) => `k${i}`).join(', ');
      const res = await this.pool.query(`${PARTS} SELECT ${keys.join(', ')}, ${aggregates} FROM parts GROUP BY ${order} ORDER BY ${order}`, params);
      rows = res.rows.map((r) => {
        const row = toRow(r);
        req.groupBy.forEach((d, i) => {
          const v = r[`k${i}`];
          if (d === MetricsDimension.METRICS_DIMENSION_MODEL_VERSION) row.modelVersion = v;
          else if (d === MetricsDimension.METRICS_DIMENSION_STRATEGY) row.strategy = v;
          else if (d === MetricsDimension.METRICS_DIMENSION_RECOMMENDATION_TYPE) row.recommendationType = RECOMMENDATION_TYPES.valueOf(v);
          else row.day = new Date(`${v}T00:00:00Z`);
        });
        return row;
      });
    }
    return { rows, total: toRow(total), timeRange: { start, end } };
  }
}

function toRow(r: { shown: string; clicks: string; conversions: string; revenue: string; rpm: string }): MetricsRow {
  const shown = Number(r.shown);
  const clicks = Number(r.clicks);
  const conversions = Number(r.conversions);
  return {
    modelVersion: '',
    strategy: '',
    recommendationType: RecommendationType.RECOMMENDATION_TYPE_UNSPECIFIED,
    day: undefined,
    shown,
    clicks,
    ctr: shown === 0 ? 0 : clicks / shown,
    conversions,
    conversionRate: shown === 0 ? 0 : conversions / shown,
    revenue: r.revenue,
    revenuePerThousandShown: r.rpm,
  };
}

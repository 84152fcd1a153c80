import type { Profile } from '@recsys/contracts/profile';
import { DEVICES, FUNNEL_POSITIONS, LIFECYCLE_STAGES, PRICE_SENSITIVITIES } from '@recsys/contracts/vocabularies';
import type { LifecycleThresholds } from './config';
import { lifecycleStageAt } from './lifecycle';
import type { ProfileRow } from './store/profile-row';

const orUndefined = (n: number | null) => (n === null ? undefined : n);

/** A stored row as the contract's Profile; the lifecycle stage is evaluated at `now`, not read. */
export function toProfile(row: ProfileRow, now: Date, thresholds: LifecycleThresholds): Profile {
  const stage = lifecycleStageAt(row.first_visit, row.last_visit, now, thresholds);
  return {
    websiteId: row.website_id,
    userId: row.user_id,
    lifecycleStage: LIFECYCLE_STAGES.valueOf(stage),
    funnelPosition: FUNNEL_POSITIONS.valueOf(row.funnel_position),
    sessionCount: row.session_count ?? 0,
    totalPageviews: row.total_pageviews ?? 0,
    totalEvents: row.total_events ?? 0,
    totalPurchases: row.total_purchases ?? 0,
    totalRevenue: row.total_revenue ?? '0.0000',
    avgSessionDurationSeconds: orUndefined(row.avg_session_duration),
    avgTimeOnPageSeconds: orUndefined(row.avg_time_on_page),
    avgScrollDepthPercent: orUndefined(row.avg_scroll_depth),
    bounceRate: row.bounce_rate === null ? undefined : Number(row.bounce_rate),
    favoriteCategories: row.favorite_categories ?? [],
    favoriteProducts: row.favorite_products ?? [],
    preferredBrands: row.preferred_brands ?? [],
    priceSensitivity: PRICE_SENSITIVITIES.valueOf(row.price_sensitivity),
    devicePreference: DEVICES.valueOf(row.device_preference),
    firstVisit: row.first_visit ?? undefined,
    lastVisit: row.last_visit ?? undefined,
    createdAt: row.created_at ?? undefined,
    updatedAt: row.updated_at ?? undefined,
  };
}

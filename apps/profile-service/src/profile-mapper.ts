import { Device, FunnelPosition, LifecycleStage, PriceSensitivity, type Profile } from '@recsys/contracts/profile';
import type { DevicePreference, FunnelPosition as DbFunnel, LifecycleStage as DbStage, PriceSensitivity as DbPrice } from '@recsys/db';
import type { LifecycleThresholds } from './config';
import { lifecycleStageAt } from './lifecycle';
import type { ProfileRow } from './store/profile-row';

export const STAGE_TO_PROTO: Record<DbStage, LifecycleStage> = {
  new: LifecycleStage.LIFECYCLE_STAGE_NEW,
  active: LifecycleStage.LIFECYCLE_STAGE_ACTIVE,
  at_risk: LifecycleStage.LIFECYCLE_STAGE_AT_RISK,
  churned: LifecycleStage.LIFECYCLE_STAGE_CHURNED,
};
export const FUNNEL_TO_PROTO: Record<DbFunnel, FunnelPosition> = {
  awareness: FunnelPosition.FUNNEL_POSITION_AWARENESS,
  consideration: FunnelPosition.FUNNEL_POSITION_CONSIDERATION,
  decision: FunnelPosition.FUNNEL_POSITION_DECISION,
  retention: FunnelPosition.FUNNEL_POSITION_RETENTION,
};
const PRICE_TO_PROTO: Record<DbPrice, PriceSensitivity> = {
  low: PriceSensitivity.PRICE_SENSITIVITY_LOW,
  medium: PriceSensitivity.PRICE_SENSITIVITY_MEDIUM,
  high: PriceSensitivity.PRICE_SENSITIVITY_HIGH,
};
const DEVICE_TO_PROTO: Record<DevicePreference, Device> = {
  mobile: Device.DEVICE_MOBILE,
  tablet: Device.DEVICE_TABLET,
  desktop: Device.DEVICE_DESKTOP,
};

const orUndefined = (n: number | null) => (n === null ? undefined : n);

/** A stored row as the contract's Profile; the lifecycle stage is evaluated at `now`, not read. */
export function toProfile(row: ProfileRow, now: Date, thresholds: LifecycleThresholds): Profile {
  const stage = lifecycleStageAt(row.first_visit, row.last_visit, now, thresholds);
  return {
    websiteId: row.website_id,
    userId: row.user_id,
    lifecycleStage: stage ? STAGE_TO_PROTO[stage] : LifecycleStage.LIFECYCLE_STAGE_UNSPECIFIED,
    funnelPosition: row.funnel_position ? FUNNEL_TO_PROTO[row.funnel_position] : FunnelPosition.FUNNEL_POSITION_UNSPECIFIED,
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
    priceSensitivity: row.price_sensitivity ? PRICE_TO_PROTO[row.price_sensitivity] : PriceSensitivity.PRICE_SENSITIVITY_UNSPECIFIED,
    devicePreference: row.device_preference ? DEVICE_TO_PROTO[row.device_preference] : Device.DEVICE_UNSPECIFIED,
    firstVisit: row.first_visit ?? undefined,
    lastVisit: row.last_visit ?? undefined,
    createdAt: row.created_at ?? undefined,
    updatedAt: row.updated_at ?? undefined,
  };
}

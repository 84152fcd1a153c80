import type { DevicePreference, FunnelPosition, LifecycleStage, PriceSensitivity } from '@recsys/db';

/** The user_profiles columns the API returns, as node-postgres hands them over. */
export interface ProfileRow {
  website_id: string;
  user_id: string;
  lifecycle_stage: LifecycleStage | null;
  funnel_position: FunnelPosition | null;
  session_count: number | null;
  total_pageviews: number | null;
  total_events: number | null;
  total_purchases: number | null;
  /** numeric(19,4): an exact decimal string. */
  total_revenue: string | null;
  avg_session_duration: number | null;
  avg_time_on_page: number | null;
  avg_scroll_depth: number | null;
  /** numeric(5,4): an exact decimal string. */
  bounce_rate: string | null;
  favorite_categories: string[] | null;
  favorite_products: string[] | null;
  preferred_brands: string[] | null;
  price_sensitivity: PriceSensitivity | null;
  device_preference: DevicePreference | null;
  first_visit: Date | null;
  last_visit: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
}

export const PROFILE_COLUMNS = `website_id, user_id, lifecycle_stage, funnel_position, session_count, total_pageviews,
  total_events, total_purchases, total_revenue, avg_session_duration, avg_time_on_page, avg_scroll_depth, bounce_rate,
  favorite_categories, favorite_products, preferred_brands, price_sensitivity, device_preference,
  first_visit, last_visit, created_at, updated_at`;

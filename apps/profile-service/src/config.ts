import { commonServiceConfig, commonServiceEnv, env, loadConfig, type Env } from '@recsys/service-kit';
import { z } from 'zod';

const DAY_MS = 86_400_000;

/** profile-service's own variables (documented in docs/profiles.md). */
const profileEnv = {
  // Lifecycle thresholds in days (LifecycleStage in profile.proto states the defaults).
  LIFECYCLE_NEW_DAYS: env.positiveInt(7, 3650),
  LIFECYCLE_AT_RISK_DAYS: env.positiveInt(30, 3650),
  LIFECYCLE_CHURNED_DAYS: env.positiveInt(90, 3650),
  // How often the stored lifecycle_stage column is re-evaluated against the clock; 0 = never.
  LIFECYCLE_REFRESH_INTERVAL_MS: env.positiveInt(3_600_000, 7 * DAY_MS),
  // How often the derived fields TrackEvents marked stale are written back to user_profiles; 0 = never (reads stay exact).
  DERIVED_SETTLE_INTERVAL_MS: env.positiveInt(10_000, DAY_MS),
  // The contract promises event ids are remembered for at least 30 days.
  EVENT_ID_RETENTION_DAYS: env.positiveInt(35, 3650).refine((d) => d >= 30, 'expected at least 30 (the contract remembers event ids 30 days)'),
  // Visitors not seen for this many days are forgotten (profile and per-visitor rows); above LIFECYCLE_CHURNED_DAYS.
  PROFILE_RETENTION_DAYS: env.positiveInt(400, 36_500),
  // How long the interaction log keeps events (whole months are dropped once they end before it).
  INTERACTION_RETENTION_DAYS: env.positiveInt(400, 36_500).refine((d) => d >= 1, 'expected at least 1'),
  // Item signals (GetItemSignals): an interaction's weight halves every this many days;
  // a website's signals are recomputed at most this often; at most this many items per answer.
  ITEM_SIGNAL_HALF_LIFE_DAYS: env.positiveInt(30, 3650).refine((d) => d >= 1, 'expected at least 1'),
  ITEM_SIGNALS_TTL_MS: env.positiveInt(30_000, DAY_MS),
  ITEM_SIGNALS_MAX_ITEMS: env.positiveInt(10_000, 1_000_000).refine((n) => n >= 1, 'expected at least 1'),
  // Co-visited neighbours kept per item (ItemSignal.co_visited).
  ITEM_SIGNAL_NEIGHBOURS: env.positiveInt(20, 200).refine((n) => n >= 1, 'expected at least 1'),
  // Co-visitation pairs at most this many visitor item pairs per computation (the most recent visitors first).
  ITEM_SIGNAL_PAIR_BUDGET: env.positiveInt(10_000_000, 1_000_000_000).refine((n) => n >= 2, 'expected at least 2'),
  // How long a website's reference price (median) may be reused before it is recomputed.
  PRICE_REFERENCE_TTL_MS: env.positiveInt(60_000, DAY_MS),
  DB_POOL_MAX: env.positiveInt(10, 200).refine((n) => n >= 1, 'expected at least 1'),
};

const schema = z
  .object({ ...commonServiceEnv({ grpcPort: 50051, metricsPort: 9461 }), ...profileEnv })
  .refine((e) => e.LIFECYCLE_AT_RISK_DAYS < e.LIFECYCLE_CHURNED_DAYS, {
    message: 'must be below LIFECYCLE_CHURNED_DAYS',
    path: ['LIFECYCLE_AT_RISK_DAYS'],
  })
  .refine((e) => e.PROFILE_RETENTION_DAYS > e.LIFECYCLE_CHURNED_DAYS, {
    message: 'must be above LIFECYCLE_CHURNED_DAYS (a visitor is churned before being forgotten)',
    path: ['PROFILE_RETENTION_DAYS'],
  })
  .transform((e) => ({
    ...commonServiceConfig(e),
    profiles: {
      lifecycle: { newDays: e.LIFECYCLE_NEW_DAYS, atRiskDays: e.LIFECYCLE_AT_RISK_DAYS, churnedDays: e.LIFECYCLE_CHURNED_DAYS },
      lifecycleRefreshIntervalMs: e.LIFECYCLE_REFRESH_INTERVAL_MS,
      derivedSettleIntervalMs: e.DERIVED_SETTLE_INTERVAL_MS,
      eventIdRetentionDays: e.EVENT_ID_RETENTION_DAYS,
      profileRetentionDays: e.PROFILE_RETENTION_DAYS,
      interactionRetentionDays: e.INTERACTION_RETENTION_DAYS,
      itemSignals: { halfLifeDays: e.ITEM_SIGNAL_HALF_LIFE_DAYS, ttlMs: e.ITEM_SIGNALS_TTL_MS, maxItems: e.ITEM_SIGNALS_MAX_ITEMS, neighbours: e.ITEM_SIGNAL_NEIGHBOURS, pairBudget: e.ITEM_SIGNAL_PAIR_BUDGET },
      priceReferenceTtlMs: e.PRICE_REFERENCE_TTL_MS,
      dbPoolMax: e.DB_POOL_MAX,
    },
  }));

export type ServiceConfig = ReturnType<typeof loadServiceConfig>;
export type ProfileSettings = ServiceConfig['profiles'];
export type LifecycleThresholds = ProfileSettings['lifecycle'];

/** Reads and validates profile-service's environment once; the result is frozen. */
export function loadServiceConfig(env: Env) {
  return loadConfig(schema, env);
}

import { env } from '@recsys/service-kit';
import { z } from 'zod';
import type { LoadSheddingOptions } from './recommend/load-shedder';

/**
 * ranking-service's own variables (documented in docs/ranking.md). Kept out of
 * config.ts so the model loader's variables and these do not edit the same lines.
 */
export function rankingEnv() {
  return {
    /** host:port of profile-service; unset = Recommend never fetches profiles. */
    PROFILE_SERVICE_ADDR: z.string().regex(/^[^\s]+:\d+$/, 'expected host:port').optional(),
    /** Bearer token sent to profile-service when it requires one. */
    PROFILE_SERVICE_TOKEN: z.string().optional(),
    PROFILE_DEADLINE_MS: env.positiveInt(25, 10_000),
    PROFILE_CACHE_TTL_MS: env.positiveInt(30_000, 3_600_000),
    PROFILE_CACHE_MAX_ENTRIES: env.positiveInt(50_000, 10_000_000),
    LOG_BUFFER_MAX_ROWS: env.positiveInt(100_000, 10_000_000),
    LOG_FLUSH_ROWS: env.positiveInt(500, 100_000),
    LOG_FLUSH_INTERVAL_MS: env.positiveInt(200, 600_000),
    CATALOG_REFRESH_INTERVAL_MS: env.positiveInt(30_000, 86_400_000),
    BEHAVIOUR_REFRESH_INTERVAL_MS: env.positiveInt(300_000, 86_400_000),
    DEFAULT_MAX_ITEMS_PER_CATEGORY: env.positiveInt(3, 100),
    SCORING_TIMEOUT_MS: env.positiveInt(50, 10_000),
    MAX_IN_FLIGHT_RECOMMEND: env.positiveInt(1_000, 1_000_000),
    RECOMMEND_MAX_WAIT_MS: env.positiveInt(0, 60_000),
  };
}

type RankingEnv = z.output<z.ZodObject<ReturnType<typeof rankingEnv>>>;

export interface RankingSettings {
  profile: { address?: string; token?: string; deadlineMs: number; cacheTtlMs: number; cacheMaxEntries: number };
  log: { maxBufferedRows: number; flushRows: number; flushIntervalMs: number };
  catalogRefreshIntervalMs: number;
  /** How old the log aggregates of a website may get before a catalog refresh re-reads them. */
  behaviourRefreshIntervalMs: number;
  defaultMaxItemsPerCategory: number;
  scoringTimeoutMs: number;
  /** When Recommend refuses calls with RESOURCE_EXHAUSTED (recommend/load-shedder.ts). */
  shedding: LoadSheddingOptions;
}

export function rankingSettings(e: RankingEnv): RankingSettings {
  return {
    profile: {
      address: e.PROFILE_SERVICE_ADDR,
      token: e.PROFILE_SERVICE_TOKEN,
      deadlineMs: e.PROFILE_DEADLINE_MS,
      cacheTtlMs: e.PROFILE_CACHE_TTL_MS,
      cacheMaxEntries: e.PROFILE_CACHE_MAX_ENTRIES,
    },
    log: { maxBufferedRows: e.LOG_BUFFER_MAX_ROWS, flushRows: Math.max(1, e.LOG_FLUSH_ROWS), flushIntervalMs: e.LOG_FLUSH_INTERVAL_MS },
    catalogRefreshIntervalMs: e.CATALOG_REFRESH_INTERVAL_MS,
    behaviourRefreshIntervalMs: e.BEHAVIOUR_REFRESH_INTERVAL_MS,
    defaultMaxItemsPerCategory: Math.max(1, e.DEFAULT_MAX_ITEMS_PER_CATEGORY),
    scoringTimeoutMs: Math.max(1, e.SCORING_TIMEOUT_MS),
    shedding: { maxInFlight: e.MAX_IN_FLIGHT_RECOMMEND, maxWaitMs: e.RECOMMEND_MAX_WAIT_MS },
  };
}

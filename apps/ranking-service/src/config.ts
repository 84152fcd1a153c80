import { commonServiceConfig, commonServiceEnv, env, loadConfig, type Env } from '@recsys/service-kit';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { LoadSheddingOptions } from './recommend/load-shedder';

const REPO_ROOT = resolve(__dirname, '../../..');

/** ranking-service's environment (documented in docs/ranking.md and, for the model loader, docs/model-serving.md). */
const envSchema = z.object({
  ...commonServiceEnv({ grpcPort: 50053, metricsPort: 9463 }),
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
  /** Days of the recommendations log kept row by row; older days live on as recommendation_daily_stats. */
  RECOMMENDATION_RETENTION_DAYS: env.positiveInt(90, 36_500),
  CATALOG_REFRESH_INTERVAL_MS: env.positiveInt(30_000, 86_400_000),
  BEHAVIOUR_REFRESH_INTERVAL_MS: env.positiveInt(300_000, 86_400_000),
  DEFAULT_MAX_ITEMS_PER_CATEGORY: env.positiveInt(3, 100),
  SCORING_TIMEOUT_MS: env.positiveInt(50, 10_000),
  MAX_IN_FLIGHT_RECOMMEND: env.positiveInt(1_000, 1_000_000),
  RECOMMEND_MAX_WAIT_MS: env.positiveInt(0, 60_000),
  /** host:port of registry-service; unset = no registry: the cached model if any, else the heuristic fallback. */
  REGISTRY_ADDR: z.string().regex(/^[^\s]+:\d+$/, 'expected host:port').optional(),
  /** Bearer token sent to registry-service when it requires one (a service token is enough). */
  REGISTRY_TOKEN: z.string().optional(),
  /** The registry model name to serve. */
  MODEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'expected 1..100 characters of [A-Za-z0-9._-], starting with a letter or digit')
    .refine((v) => !v.includes('..'), 'must not contain ".."')
    .default('default'),
  /** Where downloaded models and the last serving state are kept; relative paths are resolved against the repository root. */
  MODEL_CACHE_DIR: z.string().min(1).default('.data/model-cache'),
  /** With no cached model, how long startup waits for the registry before serving the heuristic fallback. */
  MODEL_STARTUP_TIMEOUT_MS: env.positiveInt(5_000, 600_000),
  /** How many model names besides MODEL_NAME requests may ask for (model_name), each loaded on first use. */
  MAX_MODEL_NAMES: env.positiveInt(4, 64),
});
const schema = envSchema.transform((e) => ({ ...commonServiceConfig(e), ranking: rankingSettings(e), model: modelSettings(e) }));

type RankingEnv = z.output<typeof envSchema>;

export interface RankingSettings {
  profile: { address?: string; token?: string; deadlineMs: number; cacheTtlMs: number; cacheMaxEntries: number };
  log: { maxBufferedRows: number; flushRows: number; flushIntervalMs: number };
  /** Days of the log kept row by row (log-retention.ts). */
  logRetentionDays: number;
  catalogRefreshIntervalMs: number;
  /** How old the log aggregates of a website may get before a catalog refresh re-reads them. */
  behaviourRefreshIntervalMs: number;
  defaultMaxItemsPerCategory: number;
  scoringTimeoutMs: number;
  /** When Recommend refuses calls with RESOURCE_EXHAUSTED (recommend/load-shedder.ts). */
  shedding: LoadSheddingOptions;
}

function rankingSettings(e: RankingEnv): RankingSettings {
  return {
    profile: {
      address: e.PROFILE_SERVICE_ADDR,
      token: e.PROFILE_SERVICE_TOKEN,
      deadlineMs: e.PROFILE_DEADLINE_MS,
      cacheTtlMs: e.PROFILE_CACHE_TTL_MS,
      cacheMaxEntries: e.PROFILE_CACHE_MAX_ENTRIES,
    },
    log: { maxBufferedRows: e.LOG_BUFFER_MAX_ROWS, flushRows: Math.max(1, e.LOG_FLUSH_ROWS), flushIntervalMs: e.LOG_FLUSH_INTERVAL_MS },
    logRetentionDays: e.RECOMMENDATION_RETENTION_DAYS,
    catalogRefreshIntervalMs: e.CATALOG_REFRESH_INTERVAL_MS,
    behaviourRefreshIntervalMs: e.BEHAVIOUR_REFRESH_INTERVAL_MS,
    defaultMaxItemsPerCategory: Math.max(1, e.DEFAULT_MAX_ITEMS_PER_CATEGORY),
    scoringTimeoutMs: Math.max(1, e.SCORING_TIMEOUT_MS),
    shedding: { maxInFlight: e.MAX_IN_FLIGHT_RECOMMEND, maxWaitMs: e.RECOMMEND_MAX_WAIT_MS },
  };
}

export interface ModelSettings {
  registryAddress?: string;
  registryToken?: string;
  modelName: string;
  cacheDir: string;
  startupTimeoutMs: number;
  /** Other names served at once (RecommendRequest.model_name); 0 = only modelName. */
  maxOtherNames: number;
}

function modelSettings(e: RankingEnv): ModelSettings {
  return {
    registryAddress: e.REGISTRY_ADDR,
    registryToken: e.REGISTRY_TOKEN,
    modelName: e.MODEL_NAME,
    cacheDir: isAbsolute(e.MODEL_CACHE_DIR) ? e.MODEL_CACHE_DIR : resolve(REPO_ROOT, e.MODEL_CACHE_DIR),
    startupTimeoutMs: e.MODEL_STARTUP_TIMEOUT_MS,
    maxOtherNames: e.MAX_MODEL_NAMES,
  };
}

export type ServiceConfig = ReturnType<typeof loadServiceConfig>;

/** Reads and validates ranking-service's environment once; the result is frozen. */
export function loadServiceConfig(env: Env) {
  return loadConfig(schema, env);
}

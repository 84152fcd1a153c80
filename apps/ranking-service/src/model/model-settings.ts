import { env } from '@recsys/service-kit';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

const REPO_ROOT = resolve(__dirname, '../../../..');

/**
 * The model loader's environment variables (docs/model-serving.md), spread
 * into config.ts's schema beside the other ranking variables.
 */
export function modelEnv() {
  return {
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
  };
}

type ModelEnv = z.output<z.ZodObject<ReturnType<typeof modelEnv>>>;

export interface ModelSettings {
  registryAddress?: string;
  registryToken?: string;
  modelName: string;
  cacheDir: string;
  startupTimeoutMs: number;
  /** Other names served at once (RecommendRequest.model_name); 0 = only modelName. */
  maxOtherNames: number;
}

export function modelSettings(e: ModelEnv): ModelSettings {
  return {
    registryAddress: e.REGISTRY_ADDR,
    registryToken: e.REGISTRY_TOKEN,
    modelName: e.MODEL_NAME,
    cacheDir: isAbsolute(e.MODEL_CACHE_DIR) ? e.MODEL_CACHE_DIR : resolve(REPO_ROOT, e.MODEL_CACHE_DIR),
    startupTimeoutMs: e.MODEL_STARTUP_TIMEOUT_MS,
    maxOtherNames: e.MAX_MODEL_NAMES,
  };
}

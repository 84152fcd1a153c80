import { isAbsolute, resolve } from 'node:path';
import { commonServiceConfig, commonServiceEnv, env, loadConfig, type Env } from '@recsys/service-kit';
import { z } from 'zod';

// The repository root, from this file's place in it (apps/registry-service/src).
const REPO_ROOT = resolve(__dirname, '../../..');
const MIB = 1024 * 1024;

const schema = z
  .object({
    ...commonServiceEnv({ grpcPort: 50052, metricsPort: 9462 }),
    /** Local artifact store directory; relative paths are resolved against the repository root. */
    ARTIFACT_DIR: z.string().min(1).default('.data/artifacts'),
    /** Largest ONNX file UploadModel accepts, in bytes. */
    MAX_MODEL_BYTES: env.positiveInt(256 * MIB).refine((v) => v >= 1, 'expected at least 1 byte'),
    /** How long validating one upload (load + smoke run, in a worker thread) may take. */
    /** `vocabulary`: feature names must be in @recsys/features (what ranking can compute); `off`: any names. */
    FEATURE_NAME_CHECK: z.enum(['vocabulary', 'off'], { error: 'expected vocabulary or off' }).default('vocabulary'),
    MODEL_VALIDATION_TIMEOUT_MS: env.positiveInt(120_000, 3_600_000).refine((v) => v >= 1000, 'expected at least 1000 ms'),
    /** Uploads validated at once (each loads its model into memory in a worker thread); more wait. */
    MODEL_VALIDATION_CONCURRENCY: env.positiveInt(2, 64).refine((v) => v >= 1, 'expected at least 1'),
  })
  .transform((e) => ({
    ...commonServiceConfig(e),
    artifactDir: isAbsolute(e.ARTIFACT_DIR) ? e.ARTIFACT_DIR : resolve(REPO_ROOT, e.ARTIFACT_DIR),
    maxModelBytes: e.MAX_MODEL_BYTES,
    featureNameCheck: e.FEATURE_NAME_CHECK,
    validationTimeoutMs: e.MODEL_VALIDATION_TIMEOUT_MS,
    validationConcurrency: e.MODEL_VALIDATION_CONCURRENCY,
  }));

export type ServiceConfig = ReturnType<typeof loadServiceConfig>;

/** Reads and validates registry-service's environment once; the result is frozen. */
export function loadServiceConfig(env: Env) {
  return loadConfig(schema, env);
}


import { commonServiceConfig, commonServiceEnv, loadConfig, type Env } from '@recsys/service-kit';
import { z } from 'zod';
import { modelEnv, modelSettings } from './model/model-settings';
import { rankingEnv, rankingSettings } from './ranking-settings';

const schema = z
  .object({ ...commonServiceEnv({ grpcPort: 50053, metricsPort: 9463 }), ...rankingEnv(), ...modelEnv() })
  .transform((e) => ({ ...commonServiceConfig(e), ranking: rankingSettings(e), model: modelSettings(e) }));

export type ServiceConfig = ReturnType<typeof loadServiceConfig>;

/** Reads and validates ranking-service's environment once; the result is frozen. */
export function loadServiceConfig(env: Env) {
  return loadConfig(schema, env);
}

import { commonServiceConfig, commonServiceEnv, loadConfig, type Env } from '@recsys/service-kit';
import { z } from 'zod';

const schema = z.object(commonServiceEnv({ grpcPort: 50051, metricsPort: 9461 })).transform(commonServiceConfig);

export type ServiceConfig = ReturnType<typeof loadServiceConfig>;

/** Reads and validates profile-service's environment once; the result is frozen. */
export function loadServiceConfig(env: Env) {
  return loadConfig(schema, env);
}

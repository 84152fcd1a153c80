// The three services as `npm start` runs them. Ports: the defaults below, or
// <SERVICE>_GRPC_PORT / <SERVICE>_METRICS_PORT (PROFILE_, REGISTRY_, RANKING_).
export interface ServiceSpec {
  name: string;
  main: string;
  grpcPort: number;
  metricsPort: number;
  env: Record<string, string>;
}

/** A port from the environment, or the default; anything but 1..65535 stops the start with the variable's name. */
function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`${name} must be a port number 1..65535, got ${JSON.stringify(raw)}`);
  return n;
}

function spec(env: NodeJS.ProcessEnv, name: string, prefix: string, grpc: number, metrics: number): ServiceSpec {
  const grpcPort = port(env, `${prefix}_GRPC_PORT`, grpc);
  const metricsPort = port(env, `${prefix}_METRICS_PORT`, metrics);
  return { name, main: `apps/${name}/src/main.ts`, grpcPort, metricsPort, env: { GRPC_PORT: String(grpcPort), METRICS_PORT: String(metricsPort) } };
}

export function services(env: NodeJS.ProcessEnv): readonly ServiceSpec[] {
  const profile = spec(env, 'profile-service', 'PROFILE', 50051, 9461);
  const registry = spec(env, 'registry-service', 'REGISTRY', 50052, 9462);
  const ranking = spec(env, 'ranking-service', 'RANKING', 50053, 9463);
  // Ranking finds its two dependencies by address, as it would in any deployment.
  ranking.env.PROFILE_SERVICE_ADDR = `127.0.0.1:${profile.grpcPort}`;
  ranking.env.REGISTRY_ADDR = `127.0.0.1:${registry.grpcPort}`;
  return [profile, registry, ranking];
}

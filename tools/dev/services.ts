// The three services as `npm start` runs them, on their default ports.
export interface ServiceSpec {
  name: string;
  main: string;
  grpcPort: number;
  metricsPort: number;
  env: Record<string, string>;
}

const spec = (name: string, grpcPort: number, metricsPort: number): ServiceSpec => ({
  name,
  main: `apps/${name}/src/main.ts`,
  grpcPort,
  metricsPort,
  env: { GRPC_PORT: String(grpcPort), METRICS_PORT: String(metricsPort) },
});

const ranking = spec('ranking-service', 50053, 9463);
// Ranking finds its two dependencies by address, as it would in any deployment.
ranking.env.PROFILE_SERVICE_ADDR = '127.0.0.1:50051';
ranking.env.REGISTRY_ADDR = '127.0.0.1:50052';

export const SERVICES: readonly ServiceSpec[] = [spec('profile-service', 50051, 9461), spec('registry-service', 50052, 9462), ranking];

import { Authenticator, isLoopback } from './auth';
import type { CommonServiceConfig, DeepReadonly } from './config';
import { startGrpcServer, type GrpcServerHandle, type ServiceRegistration } from './grpc-server';
import { createLogger, type Logger } from './logger';
import { ServiceMetrics, startMetricsServer } from './metrics';

export interface ServiceParts {
  services: ServiceRegistration[];
  /** Releases what `init` opened (database pools, watchers); runs after the gRPC server has drained. */
  close?: () => Promise<void>;
}

export interface StartServiceOptions {
  name: string;
  config: DeepReadonly<CommonServiceConfig>;
  /** Tests inject a quiet or capturing logger; otherwise one is made from the config. */
  logger?: Logger;
  /** Builds repositories → services → handlers. Runs before the server listens. */
  init: (kit: { logger: Logger; metrics: ServiceMetrics }) => Promise<ServiceParts>;
}

export interface StartedService {
  readonly port: number;
  readonly metricsPort: number;
  readonly health: GrpcServerHandle['health'];
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  close(): Promise<void>;
}

/**
 * The common life of a service process: build its parts, listen, report
 * SERVING; on close, drain the gRPC server first (NOT_SERVING → grace →
 * drain), then release the parts, so in-flight calls still have their
 * database.
 */
export async function startService(options: StartServiceOptions): Promise<StartedService> {
  const { config, name } = options;
  const logger = options.logger ?? createLogger({ name, level: config.logLevel });
  const metrics = new ServiceMetrics(name);
  const authenticator = new Authenticator(config.auth);
  // Without credentials anyone who can connect may do anything: only this machine may connect.
  let host = config.grpc.host;
  if (authenticator.open && !isLoopback(host)) {
    logger.warn({ requested: host, bound: '127.0.0.1' }, 'no AUTH_ADMIN_TOKENS / AUTH_SERVICE_TOKENS configured: binding to loopback only');
    host = '127.0.0.1';
  } else if (authenticator.open) {
    logger.info('no credentials configured: every call is allowed, and only this machine can connect');
  }
  const parts = await options.init({ logger, metrics });

  let grpc: GrpcServerHandle | undefined;
  let http: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  try {
    grpc = await startGrpcServer({
      host,
      port: config.grpc.port,
      services: parts.services,
      authenticator,
      logger,
      metrics,
      shutdown: config.shutdown,
    });
    http = await startMetricsServer(metrics, config.metrics.host, config.metrics.port);
  } catch (err) {
    await grpc?.close();
    await parts.close?.();
    throw err;
  }
  grpc.markServing();
  logger.info({ grpc: `${host}:${grpc.port}`, metrics: `http://${config.metrics.host}:${http.port}/metrics` }, `${name} serving`);

  let closing: Promise<void> | undefined;
  const server = grpc;
  const metricsServer = http;
  return {
    port: server.port,
    metricsPort: metricsServer.port,
    health: server.health,
    logger,
    metrics,
    close: () =>
      (closing ??= (async () => {
        logger.info(`${name} shutting down`);
        await server.close();
        await metricsServer.close();
        await parts.close?.();
        logger.info(`${name} stopped`);
      })()),
  };
}

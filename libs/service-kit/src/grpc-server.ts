import { Server, ServerCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import { HealthService } from '@recsys/contracts/health';
import type { AccessLevel, AccessPolicy, Authenticator } from './auth';
import { HealthState, ServingStatus } from './health';
import { CallArrivals } from './call-arrival';
import { observabilityInterceptor } from './interceptors';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { adaptService, type ServiceDefinition, type ServiceImplementation } from './rpc';

export interface ServiceRegistration {
  /** Fully qualified name, `recsys.profile.v1.ProfileService`; also its health-check name. */
  readonly name: string;
  readonly definition: ServiceDefinition;
  readonly implementation: object;
  readonly access: AccessPolicy;
}

/**
 * Pairs a generated definition with its implementation, type-checked against
 * each other, and with who may call which method (default: any service
 * credential). Method names are the generated camelCase keys.
 */
export function registerService<D extends ServiceDefinition>(
  definition: D,
  implementation: ServiceImplementation<D>,
  access: { default: AccessLevel; admin?: readonly (keyof D & string)[] } = { default: 'service' },
): ServiceRegistration {
  const firstPath = Object.values(definition)[0]?.path ?? '';
  const name = firstPath.split('/')[1];
  if (!name) throw new Error('service definition has no methods');
  return { name, definition, implementation, access };
}

export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port; the chosen one is on the returned server. */
  port: number;
  services: readonly ServiceRegistration[];
  /** Checks credentials against each service's access policy; health is always open. */
  authenticator: Authenticator;
  logger: Logger;
  metrics: ServiceMetrics;
  shutdown: {
    /** How long to keep answering, already NOT_SERVING, before refusing new calls (load balancer notice). */
    graceMs: number;
    /** How long in-flight calls may take to finish before they are cancelled. */
    timeoutMs: number;
  };
  channelOptions?: ChannelOptions;
}

export interface GrpcServerHandle {
  readonly port: number;
  readonly health: HealthState;
  /** Reports SERVING: call once every dependency is ready. */
  markServing(): void;
  /** NOT_SERVING → grace period → stop accepting → drain (bounded) → closed. Idempotent. */
  close(): Promise<void>;
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServerHandle> {
  const { logger, metrics } = options;
  const arrivals = new CallArrivals();
  const server = new Server({
    ...options.channelOptions,
    interceptors: [observabilityInterceptor(metrics, logger, arrivals)],
  });
  const health = new HealthState(options.services.map((s) => s.name));
  server.addService(HealthService, adaptService(HealthService, health, logger, undefined, arrivals));
  for (const service of options.services) {
    server.addService(
      service.definition,
      adaptService(
        service.definition,
        service.implementation as ServiceImplementation<ServiceDefinition>,
        logger,
        { authenticator: options.authenticator, policy: service.access },
        arrivals,
      ),
    );
  }

  const address = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      health.setAll(ServingStatus.NOT_SERVING);
      if (options.shutdown.graceMs > 0) await sleep(options.shutdown.graceMs);
      health.endWatches();
      const drained = new Promise<boolean>((resolve) => server.tryShutdown(() => resolve(true)));
      const timedOut = sleep(options.shutdown.timeoutMs, false, { ref: false });
      if (!(await Promise.race([drained, timedOut]))) {
        logger.warn({ timeoutMs: options.shutdown.timeoutMs }, 'in-flight calls did not finish in time; cancelling them');
        server.forceShutdown();
      }
    })();
    return closing;
  };

  return {
    port,
    health,
    markServing: () => health.setAll(ServingStatus.SERVING),
    close,
  };
}

import { EventEmitter, on } from 'node:events';
import { HealthCheckResponse_ServingStatus as ServingStatus, HealthService, type HealthCheckRequest, type HealthCheckResponse } from '@recsys/contracts/health';
import { NotFoundError } from './errors';
import type { CallContext, ServiceImplementation } from './rpc';

export { ServingStatus };

/**
 * Standard `grpc.health.v1.Health`. The empty service name is the whole
 * process. Everything starts NOT_SERVING and becomes SERVING only when the
 * bootstrap says it is ready; shutdown flips it back first, so load balancers
 * stop routing before the listener closes.
 */
export class HealthState implements ServiceImplementation<typeof HealthService> {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly changes = new EventEmitter();
  private readonly closed = new AbortController();

  constructor(serviceNames: readonly string[]) {
    this.changes.setMaxListeners(0);
    for (const name of ['', ...serviceNames]) this.statuses.set(name, ServingStatus.NOT_SERVING);
  }

  /** Sets every registered service (and the process as a whole) to `status`. */
  setAll(status: ServingStatus): void {
    for (const name of this.statuses.keys()) this.set(name, status);
  }

  set(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    this.changes.emit(service, status);
  }

  get(service = ''): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Ends every Watch stream, so a draining server is not held open by watchers. */
  endWatches(): void {
    this.closed.abort();
  }

  async check(request: HealthCheckRequest): Promise<HealthCheckResponse> {
    const status = this.statuses.get(request.service);
    if (status === undefined) throw new NotFoundError(`unknown service "${request.service}"`);
    return { status };
  }

  async *watch(request: HealthCheckRequest, ctx: CallContext): AsyncIterable<HealthCheckResponse> {
    const signal = AbortSignal.any([ctx.signal, this.closed.signal]);
    if (signal.aborted) return;
    const updates = on(this.changes, request.service, { signal });
    yield { status: this.statuses.get(request.service) ?? ServingStatus.SERVICE_UNKNOWN };
    try {
      for await (const [status] of updates) yield { status: status as ServingStatus };
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }
}

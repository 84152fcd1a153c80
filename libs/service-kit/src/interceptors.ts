import { ServerInterceptingCall, status as Status, type ServerInterceptor } from '@grpc/grpc-js';
import type { CallArrivals } from './call-arrival';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';

const SERVER_FAULTS = new Set([Status.UNKNOWN, Status.INTERNAL, Status.DATA_LOSS]);

interface MethodLabels {
  labels: { grpc_service: string; grpc_method: string };
  timed: { grpc_service: string; grpc_method: string; grpc_type: string };
  handled: Map<Status, { grpc_service: string; grpc_method: string; grpc_type: string; grpc_code: string }>;
}

function methodType(requestStream: boolean, responseStream: boolean) {
  if (requestStream) return responseStream ? 'bidi_stream' : 'client_stream';
  return responseStream ? 'server_stream' : 'unary';
}

/**
 * Sees every call the server answers — including health checks and calls to
 * methods nobody registered — and records its status and latency. It is also
 * the last line of the error edge: a status of UNKNOWN can only come from code
 * that bypassed `adaptService`, and is reported as INTERNAL.
 */
export function observabilityInterceptor(metrics: ServiceMetrics, logger: Logger, arrivals?: CallArrivals): ServerInterceptor {
  // Label objects per method (and per method and code), built once: not three fresh objects per call.
  const byPath = new Map<string, MethodLabels>();
  const labelsOf = (path: string, requestStream: boolean, responseStream: boolean): MethodLabels => {
    let l = byPath.get(path);
    if (!l) {
      const [, grpcService = 'unknown', grpcMethod = 'unknown'] = path.split('/');
      const labels = { grpc_service: grpcService, grpc_method: grpcMethod };
      const grpcType = methodType(requestStream, responseStream);
      l = { labels, timed: { ...labels, grpc_type: grpcType }, handled: new Map() };
      // Bounded: unknown method paths from misbehaving clients must not grow it forever.
      if (byPath.size < 1_000) byPath.set(path, l);
    }
    return l;
  };
  const handledLabels = (l: MethodLabels, code: Status) => {
    let h = l.handled.get(code);
    if (!h) l.handled.set(code, (h = { ...l.timed, grpc_code: Status[code] ?? String(code) }));
    return h;
  };
  return (descriptor, call) => {
    const method = labelsOf(descriptor.path, descriptor.requestStream, descriptor.responseStream);
    const labels = method.labels;
    const started = process.hrtime.bigint();
    const receivedAt = performance.now();
    let finished = false;
    metrics.inFlight.inc(labels);

    const finish = (code: Status, details?: string) => {
      if (finished) return;
      finished = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.inFlight.dec(labels);
      metrics.handled.inc(handledLabels(method, code));
      metrics.handlingSeconds.observe(method.timed, seconds);
      if (code === Status.OK) {
        // The entry object only when debug is on: this runs for every call.
        if (logger.isLevelEnabled('debug')) logger.debug({ method: descriptor.path, code: Status[code], ms: Math.round(seconds * 1e5) / 100 }, 'rpc ok');
        return;
      }
      const entry = { method: descriptor.path, code: Status[code], ms: Math.round(seconds * 1e5) / 100 };
      if (SERVER_FAULTS.has(code)) logger.error({ ...entry, details }, 'rpc failed');
      // A dependency down or this server draining: worth seeing, not a bug.
      else if (code === Status.UNAVAILABLE) logger.warn({ ...entry, details }, 'rpc unavailable');
      else logger.info({ ...entry, details }, 'rpc rejected');
    };

    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          // The handler may need to know how long the call waited before it ran (CallContext.receivedAt).
          onReceiveMetadata: (metadata, nextMetadata) => {
            arrivals?.mark(metadata, receivedAt);
            nextMetadata(metadata);
          },
          onCancel: () => finish(Status.CANCELLED),
        }),
      sendStatus: (status, next) => {
        const mapped = status.code === Status.UNKNOWN ? { ...status, code: Status.INTERNAL } : status;
        finish(mapped.code, mapped.details);
        next(mapped);
      },
    });
  };
}

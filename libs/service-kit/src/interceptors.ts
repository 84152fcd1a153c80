import { ServerInterceptingCall, status as Status, type ServerInterceptor } from '@grpc/grpc-js';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';

const SERVER_FAULTS = new Set([Status.UNKNOWN, Status.INTERNAL, Status.DATA_LOSS]);

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
export function observabilityInterceptor(metrics: ServiceMetrics, logger: Logger): ServerInterceptor {
  return (descriptor, call) => {
    const [, grpcService = 'unknown', grpcMethod = 'unknown'] = descriptor.path.split('/');
    const labels = { grpc_service: grpcService, grpc_method: grpcMethod };
    const grpcType = methodType(descriptor.requestStream, descriptor.responseStream);
    const started = process.hrtime.bigint();
    let finished = false;
    metrics.inFlight.inc(labels);

    const finish = (code: Status, details?: string) => {
      if (finished) return;
      finished = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.inFlight.dec(labels);
      metrics.handled.inc({ ...labels, grpc_type: grpcType, grpc_code: Status[code] ?? String(code) });
      metrics.handlingSeconds.observe({ ...labels, grpc_type: grpcType }, seconds);
      const entry = { method: descriptor.path, code: Status[code], ms: Math.round(seconds * 1e5) / 100 };
      if (code === Status.OK) logger.debug(entry, 'rpc ok');
      else if (SERVER_FAULTS.has(code)) logger.error({ ...entry, details }, 'rpc failed');
      // A dependency down or this server draining: worth seeing, not a bug.
      else if (code === Status.UNAVAILABLE) logger.warn({ ...entry, details }, 'rpc unavailable');
      else logger.info({ ...entry, details }, 'rpc rejected');
    };

    return new ServerInterceptingCall(call, {
      start: (next) => next({ onCancel: () => finish(Status.CANCELLED) }),
      sendStatus: (status, next) => {
        const mapped = status.code === Status.UNKNOWN ? { ...status, code: Status.INTERNAL } : status;
        finish(mapped.code, mapped.details);
        next(mapped);
      },
    });
  };
}

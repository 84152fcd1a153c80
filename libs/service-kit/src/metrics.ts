import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Prometheus metrics for one service process. Each bootstrap owns its own
 * registry (no global default registry), so tests can run several services in
 * one process and read each one's numbers.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly handled: Counter<'grpc_service' | 'grpc_method' | 'grpc_type' | 'grpc_code'>;
  readonly handlingSeconds: Histogram<'grpc_service' | 'grpc_method' | 'grpc_type'>;
  readonly inFlight: Gauge<'grpc_service' | 'grpc_method'>;

  constructor(serviceName: string) {
    this.registry.setDefaultLabels({ service: serviceName });
    collectDefaultMetrics({ register: this.registry });
    // Names follow go-grpc-prometheus so existing dashboards work unchanged.
    this.handled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'RPCs completed on the server, by method and status code.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type', 'grpc_code'],
      registers: [this.registry],
    });
    this.handlingSeconds = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time from receiving an RPC to sending its status, in seconds.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type'],
      // Recommend lives in the sub-10 ms range: resolve it finely.
      buckets: [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.inFlight = new Gauge({
      name: 'grpc_server_in_flight',
      help: 'RPCs started and not yet finished.',
      labelNames: ['grpc_service', 'grpc_method'],
      registers: [this.registry],
    });
  }
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `GET /metrics` in the Prometheus text format. */
export async function startMetricsServer(metrics: ServiceMetrics, host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
        (err: Error) => res.writeHead(500).end(String(err.message)),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at GET /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

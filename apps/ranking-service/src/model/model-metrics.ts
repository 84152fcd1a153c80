import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type LoadFailureReason = 'download' | 'checksum' | 'not_found' | 'invalid_model' | 'unknown_features' | 'cache';

/** Prometheus metrics of model loading and serving, registered on the service's own registry. */
export class ModelMetrics {
  readonly loads: Counter<'outcome' | 'reason'>;
  readonly loadSeconds: Histogram<'phase'>;
  readonly serving: Gauge<'scope' | 'name' | 'version' | 'sha256'>;
  readonly sessions: Gauge;
  readonly registryUp: Gauge<'name'>;
  readonly scoringErrors: Counter;
  readonly scoreSeconds: Histogram;
  private readonly workerQueue: Gauge;
  private queueDepth: () => number = () => 0;

  constructor(registry: Registry) {
    const registers = [registry];
    this.loads = new Counter({
      name: 'ranking_model_loads_total',
      help: 'Model load attempts: outcome="loaded", or outcome="failed" with the reason (the previous model keeps serving).',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.loadSeconds = new Histogram({
      name: 'ranking_model_load_seconds',
      help: 'Time to make a model servable, by phase: download (registry), create (onnxruntime session), warm_up.',
      labelNames: ['phase'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.serving = new Gauge({
      name: 'ranking_model_serving_info',
      help: 'Which model serves each scope (scope="global" or a website id); 1 while serving.',
      labelNames: ['scope', 'name', 'version', 'sha256'],
      registers,
    });
    this.sessions = new Gauge({
      name: 'ranking_model_sessions',
      help: 'onnxruntime sessions alive in the model worker (serving, or retired and draining in-flight calls).',
      registers,
    });
    this.registryUp = new Gauge({
      name: 'ranking_model_registry_watch_up',
      help: '1 while the global WatchActiveModel stream of the model name is connected, else 0.',
      labelNames: ['name'],
      registers,
    });
    this.scoringErrors = new Counter({
      name: 'ranking_model_scoring_errors_total',
      help: 'score() calls that failed (the caller fell back to heuristics).',
      registers,
    });
    this.scoreSeconds = new Histogram({
      name: 'ranking_model_score_seconds',
      help: 'score() calls, from the call to the scores: the worker round trip, its queue and the model run.',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    });
    const self = this;
    this.workerQueue = new Gauge({
      name: 'ranking_model_worker_queue',
      help: 'score() calls waiting for or running in the model worker thread (one thread runs every session).',
      registers,
      collect() {
        self.workerQueue.set(self.queueDepth());
      },
    });
  }

  trackWorkerQueue(depth: () => number): void {
    this.queueDepth = depth;
  }
}

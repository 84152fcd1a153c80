import { ResourceExhaustedError, type Logger } from '@recsys/service-kit';
import { Counter, type Registry } from 'prom-client';

export interface LoadSheddingOptions {
  /** Recommend calls allowed at once (0 = no limit): binds when scoring is asynchronous (a worker-thread model). */
  maxInFlight: number;
  /** How long a call may have waited in the process before it starts being refused, ms (0 = never). */
  maxWaitMs: number;
}

/** A refusal costs a log line at most this often; the counter has them all. */
const LOG_EVERY_MS = 10_000;

/**
 * Who gets refused, fast, when Recommend is overloaded (RESOURCE_EXHAUSTED,
 * "retry later"), before any work is done for them.
 *
 * By waiting time as well as by calls in flight: scoring on the service
 * thread, Recommend has one call in flight at a time however overloaded it is
 * — the queue forms before the handler, where no counter sees it. Overloaded
 * (open loop past max, 100 ms client deadlines), calls waited ~80 ms between
 * the server receiving their headers and their handler running. With
 * `maxWaitMs` set, a call that waited longer (CallContext.receivedAt) is
 * refused with a probability that grows with the excess, every one at twice
 * the limit, so shedding eases in instead of flipping between serving
 * everyone late and no one. Measured at 2,500/s with 20 ms (BENCHMARKS.md):
 * about as many calls answered (a refusal still costs the gRPC/HTTP/2 part of
 * a call, most of it here), but answered at half the p99 and without the
 * connection resets. Off by default: at normal load a long GC pause would
 * also refuse a few calls, so it is for callers that prefer a fast refusal to
 * a late answer and set it under their deadline.
 *
 * `maxInFlight` binds for calls that await (a model scoring on a worker thread).
 * Refusals are counted (`ranking_recommend_shed_total{reason}`) and logged at most every 10 s.
 */
export class LoadShedder {
  private inFlight = 0;
  private readonly shed: Counter<'reason'>;
  private unlogged = 0;
  private lastLogAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly options: LoadSheddingOptions,
    private readonly logger: Logger,
    registry?: Registry,
    /** [0, 1); replaceable for tests. */
    private readonly random: () => number = Math.random,
  ) {
    this.shed = new Counter({
      name: 'ranking_recommend_shed_total',
      help: 'Recommend calls refused with RESOURCE_EXHAUSTED because the service was overloaded, by reason (in_flight, wait).',
      labelNames: ['reason'],
      registers: registry ? [registry] : [],
    });
  }

  /**
   * Runs `work` unless the service is overloaded; then throws ResourceExhaustedError without running it.
   * `receivedAt`: when the server received the call (performance.now() ms).
   */
  async run<T>(receivedAt: number, work: () => Promise<T>): Promise<T> {
    const limit = this.options.maxInFlight;
    if (limit > 0 && this.inFlight >= limit) this.refuse('in_flight', `${this.inFlight} Recommend calls in flight`);
    const maxWait = this.options.maxWaitMs;
    if (maxWait > 0) {
      const waited = performance.now() - receivedAt;
      const excess = (waited - maxWait) / maxWait;
      if (excess > 0 && this.random() < excess) this.refuse('wait', `the call waited ${Math.round(waited)} ms to start, limit ${maxWait} ms`);
    }
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
    }
  }

  private refuse(reason: 'in_flight' | 'wait', why: string): never {
    this.shed.inc({ reason });
    this.unlogged++;
    const now = performance.now();
    if (now - this.lastLogAt >= LOG_EVERY_MS) {
      this.logger.warn({ reason, refused: this.unlogged }, `ranking-service overloaded (${why}): refusing Recommend calls`);
      this.unlogged = 0;
      this.lastLogAt = now;
    }
    throw new ResourceExhaustedError(`ranking-service is overloaded (${why}); retry later`);
  }
}

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Model } from '@recsys/contracts/registry';
import { ModelScoringError, type ServingModel } from './model-provider';
import type { OnnxWorker } from './onnx-worker';

export interface ModelIdentity {
  name: string;
  version: string;
  sha256: string;
  featureNames: readonly string[];
  inputName: string;
  outputName: string;
}

/** The registry Model's serving-relevant fields. */
export function identityOf(m: Model): ModelIdentity {
  return {
    name: m.name,
    version: m.version,
    sha256: m.artifactSha256.toLowerCase(),
    featureNames: [...m.featureNames],
    inputName: m.inputName,
    outputName: m.outputName,
  };
}

/** Enough of a Model to reload an identity whose bytes are in the cache. */
export function modelOf(i: ModelIdentity): Model {
  return { name: i.name, version: i.version, artifactSha256: i.sha256, featureNames: [...i.featureNames], inputName: i.inputName, outputName: i.outputName } as Model;
}

/** Rows scored at once on the service thread, without first yielding to the event loop: Recommend's own batches (≤ 1,000 candidates). */
export const INLINE_MAX_ROWS = 1_000;

/** A session on the service thread: synchronous (inline-session.ts), or onnxruntime's public async run. */
export interface LocalScorer {
  run(features: Float32Array, rows: number): Float32Array | Promise<Float32Array>;
  release(): void;
}

/**
 * One onnxruntime session (in the worker, plus one on the service thread for small models) serving one or more scopes. Scopes
 * hold references (`retain`/`unref`); a model no scope references is retired,
 * and its session is released only when, after `releaseGraceMs`, no score() call
 * is in flight: a caller that took the model from `current()` just before a
 * swap can still score with it (onnxruntime fails a run on a released session
 * with "Session already disposed", docs/platform-notes.md).
 */
export class LoadedModel implements ServingModel {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  readonly featureNames: readonly string[];
  private refs = 0;
  private inFlight = 0;
  private retiredAt: number | undefined;
  private released = false;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly identity: ModelIdentity,
    private readonly worker: OnnxWorker,
    private readonly sessionId: number,
    private readonly options: {
      releaseGraceMs: number;
      onReleased: (model: LoadedModel) => void;
      onScoringError?: () => void;
      /** Seconds from the call to the scores, worker queueing included. */
      onScored?: (seconds: number, rows: number) => void;
      /**
       * A second session of the same model on the service thread (small models only,
       * model-pool.ts): scores run there instead of in the worker, and it is released
       * with the worker's session, under the same rule.
       */
      local?: LocalScorer;
    },
  ) {
    this.name = identity.name;
    this.version = identity.version;
    this.sha256 = identity.sha256;
    this.featureNames = Object.freeze([...identity.featureNames]);
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** True when scores are computed on the service thread (a small model), not in the worker. */
  get runsOnMainThread(): boolean {
    return this.options.local !== undefined;
  }

  get inFlightCalls(): number {
    return this.inFlight;
  }

  async score(features: Float32Array, rows: number): Promise<Float32Array> {
    if (this.released) throw new ModelScoringError(`model ${this.name}@${this.version} was released`);
    if (!Number.isInteger(rows) || rows < 0 || features.length !== rows * this.featureNames.length) {
      throw new ModelScoringError(`expected ${rows} rows of ${this.featureNames.length} features, got ${features.length} values`);
    }
    if (rows === 0) return new Float32Array(0);
    this.inFlight++;
    const started = performance.now();
    try {
      const local = this.options.local;
      // A batch bigger than any Recommend scores (explain's occlusion probes) lets I/O already waiting go first:
      // on the service thread the run itself blocks the event loop.
      if (local && rows > INLINE_MAX_ROWS) await yieldToEventLoop();
      const scores = local ? await local.run(features, rows) : await this.worker.run(this.sessionId, features, rows);
      this.options.onScored?.((performance.now() - started) / 1000, rows);
      // onnxruntime passes NaN/Inf through silently (docs/platform-notes.md): a model yielding one is failing.
      for (let i = 0; i < scores.length; i++) {
        if (!Number.isFinite(scores[i])) throw new ModelScoringError(`model ${this.name}@${this.version} gave a non-finite score for row ${i}`);
      }
      return scores;
    } catch (err) {
      this.options.onScoringError?.();
      if (err instanceof ModelScoringError) throw err;
      throw new ModelScoringError(`model ${this.name}@${this.version} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      this.inFlight--;
      this.maybeRelease();
    }
  }

  retain(): this {
    this.refs++;
    this.retiredAt = undefined;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    return this;
  }

  /** Drops a scope's reference; with none left, the session is released once idle after the grace period. */
  unref(): void {
    if (--this.refs > 0) return;
    this.retiredAt = Date.now();
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined;
      this.maybeRelease();
    }, this.options.releaseGraceMs);
    this.graceTimer.unref();
  }

  /** Releases now, whatever is in flight (service shutdown, after the server drained). */
  forceRelease(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.release();
  }

  private maybeRelease(): void {
    if (this.released || this.refs > 0 || this.inFlight > 0 || this.graceTimer || this.retiredAt === undefined) return;
    this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.worker.release(this.sessionId);
    this.options.local?.release();
    this.options.onReleased(this);
  }
}

import { LoadedModel, type ModelIdentity } from './loaded-model';
import type { ModelMetrics } from './model-metrics';
import { OnnxWorker } from './onnx-worker';

/** A model file that onnxruntime refused, or that failed the warm-up checks. */
export class InvalidModelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidModelError';
  }
}

/**
 * The loaded sessions, shared by identity: when a website's watch resolves to
 * the global model (the common case), both scopes use one session. Loads of the
 * same identity in progress at once are one load.
 */
export class ModelPool {
  private readonly worker: OnnxWorker;
  private readonly models = new Map<string, LoadedModel>();
  private readonly loading = new Map<string, Promise<LoadedModel>>();

  constructor(
    private readonly options: { releaseGraceMs: number; metrics?: ModelMetrics; onWorkerLost: (err: Error) => void },
  ) {
    options.metrics?.trackWorkerQueue(() => this.worker.pendingRuns);
    this.worker = new OnnxWorker((err) => {
      // Every session died with the thread; forget them so the next acquire reloads.
      for (const m of this.models.values()) m.forceRelease();
      this.models.clear();
      options.onWorkerLost(err);
    });
  }

  /** A retained model for `identity`, loading `bytes()` in the worker if no live session has it. */
  async acquire(identity: ModelIdentity, bytes: () => Promise<Uint8Array>): Promise<LoadedModel> {
    const key = keyOf(identity);
    const live = this.models.get(key);
    if (live && !live.isReleased) return live.retain();
    let pending = this.loading.get(key);
    if (!pending) {
      // Registered before the bytes are fetched: scopes resolving to the same model at once
      // (global and websites at start) share one download and one session.
      pending = (async () => this.load(identity, await bytes()))().finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return (await pending).retain();
  }

  /** Releases every session now: the server has drained, nothing scores any more. */
  async close(): Promise<void> {
    for (const m of this.models.values()) m.forceRelease();
    this.models.clear();
    await this.worker.close();
  }

  private async load(identity: ModelIdentity, bytes: Uint8Array): Promise<LoadedModel> {
    let loaded: Awaited<ReturnType<OnnxWorker['load']>>;
    try {
      loaded = await this.worker.load(bytes, {
        inputName: identity.inputName,
        outputName: identity.outputName,
        featureCount: identity.featureNames.length,
      });
    } catch (err) {
      throw new InvalidModelError(`${identity.name}@${identity.version} cannot serve: ${(err as Error).message}`, { cause: err });
    }
    this.options.metrics?.loadSeconds.observe({ phase: 'create' }, loaded.createMs / 1000);
    this.options.metrics?.loadSeconds.observe({ phase: 'warm_up' }, loaded.warmUpMs / 1000);
    this.options.metrics?.sessions.inc();
    const key = keyOf(identity);
    const model = new LoadedModel(identity, this.worker, loaded.id, {
      releaseGraceMs: this.options.releaseGraceMs,
      onReleased: (m) => {
        this.options.metrics?.sessions.dec();
        if (this.models.get(key) === m) this.models.delete(key);
      },
      onScoringError: () => this.options.metrics?.scoringErrors.inc(),
      onScored: (seconds) => this.options.metrics?.scoreSeconds.observe(seconds),
    });
    this.models.set(key, model);
    return model;
  }
}

function keyOf(m: ModelIdentity): string {
  return JSON.stringify([m.sha256, m.name, m.version, m.inputName, m.outputName, m.featureNames]);
}

import { LoadedModel, type LocalScorer, type ModelIdentity } from './loaded-model';
import type { ModelMetrics } from './model-metrics';
import { createInlineSession, type InlineSession } from '@recsys/onnx/inline-session';
import { PROBE_ROWS, createSession, fastestRun, probeMatrix, score, warmUp, type SessionIo } from '@recsys/onnx/session';
import { OnnxWorker, type LoadedSessionInfo } from './onnx-worker';

/**
 * Which models also get a session on the service thread, where a score costs
 * no worker round trip (postMessage both ways, a thread wake-up, the matrix
 * copy): files up to `maxBytes` whose run of PROBE_ROWS rows takes at most
 * `maxProbeMs` on the service thread. Creating and running a session blocks the
 * thread that does it (docs/platform-notes.md), so anything bigger or slower — tree
 * ensembles, wide MLPs — stays in the worker only.
 */
export interface MainThreadRule {
  maxBytes: number;
  /**
   * The decision: the fastest of PROBE_RUNS runs on the service thread's own
   * session, as Recommend will call it. The worker's probe cannot decide it: it
   * times onnxruntime's async run() (a setImmediate deferral included) on a
   * thread that competes with the service's start-up for the cores; on a slow
   * 2-core machine the bench MLP's 45 µs run probed over 0.2 ms there and the
   * model scored in the worker (bench p50 1.89× bare instead of 1.64×).
   */
  maxProbeMs: number;
  /** A loose pre-filter on the worker's probe: models clearly too slow are never created on the service thread. */
  maxWorkerProbeMs: number;
}

export const DEFAULT_MAIN_THREAD_RULE: MainThreadRule = { maxBytes: 1_000_000, maxProbeMs: 0.2, maxWorkerProbeMs: 2 };

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
    private readonly options: {
      releaseGraceMs: number;
      metrics?: ModelMetrics;
      onWorkerLost: (err: Error) => void;
      /** Default DEFAULT_MAIN_THREAD_RULE; `false`: every model scores in the worker. */
      mainThread?: MainThreadRule | false;
    },
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
    const local = await this.localScorer(bytes, loaded);
    const key = keyOf(identity);
    const model = new LoadedModel(identity, this.worker, loaded.id, {
      releaseGraceMs: this.options.releaseGraceMs,
      onReleased: (m) => {
        this.options.metrics?.sessions.dec();
        if (this.models.get(key) === m) this.models.delete(key);
      },
      onScoringError: () => this.options.metrics?.scoringErrors.inc(),
      onScored: (seconds) => this.options.metrics?.scoreSeconds.observe(seconds),
      local,
    });
    this.models.set(key, model);
    return model;
  }

  /**
   * The service-thread session of a small, fast model (the worker already proved
   * the file valid, found its input and output, and measured it), or undefined.
   * Best effort: if it cannot be created, or runs slower than the rule here,
   * the model simply scores in the worker.
   */
  private async localScorer(bytes: Uint8Array, loaded: LoadedSessionInfo): Promise<LocalScorer | undefined> {
    const rule = this.options.mainThread ?? DEFAULT_MAIN_THREAD_RULE;
    if (!rule || bytes.byteLength > rule.maxBytes || !(loaded.probeMs <= rule.maxWorkerProbeMs)) return undefined;
    // The synchronous session (inline-session.ts) when the binding offers one: one session created here, not two.
    const inline = inlineSessionOf(bytes, loaded.io);
    if (inline) {
      const probe = probeMatrix(loaded.io.featureCount);
      if (fastestRun(() => inline.score(probe, PROBE_ROWS)) <= rule.maxProbeMs) return { run: (features, rows) => inline.score(features, rows), release: () => inline.release() };
      inline.release();
      return undefined;
    }
    try {
      const session = await createSession({ bytes, ...loaded.io });
      try {
        // The async path's own probe: what score() will cost here.
        if (!((await warmUp(session)) <= rule.maxProbeMs)) throw new Error('slower than the rule on the service thread');
      } catch (err) {
        await session.session.release().catch(() => undefined);
        throw err;
      }
      let released = false;
      return {
        run: (features, rows) => score(session, features, rows),
        release: () => {
          if (released) return;
          released = true;
          void session.session.release().catch(() => undefined);
        },
      };
    } catch {
      return undefined;
    }
  }
}

/**
 * The synchronous session of a model the worker has checked and warmed up
 * (same bytes, same options), warmed up here too; undefined if it cannot be made.
 */
function inlineSessionOf(bytes: Uint8Array, io: SessionIo): InlineSession | undefined {
  let inline: InlineSession | undefined;
  try {
    inline = createInlineSession(bytes, io);
    for (const rows of [1, PROBE_ROWS]) inline?.score(new Float32Array(rows * io.featureCount), rows);
    return inline;
  } catch {
    inline?.release();
    return undefined;
  }
}

function keyOf(m: ModelIdentity): string {
  return JSON.stringify([m.sha256, m.name, m.version, m.inputName, m.outputName, m.featureNames]);
}

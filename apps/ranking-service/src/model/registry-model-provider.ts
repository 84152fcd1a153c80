import type { Model } from '@recsys/contracts/registry';
import type { Logger } from '@recsys/service-kit';
import { ArtifactCache } from './artifact-cache';
import { identityOf, modelOf, type LoadedModel, type ModelIdentity } from './loaded-model';
import { failureReason, UnknownFeaturesError } from './load-failures';
import type { ModelMetrics } from './model-metrics';
import { ModelPool, type MainThreadRule } from './model-pool';
import type { ModelProvider, ServingModel } from './model-provider';
import { fetchArtifact } from './artifact-fetch';
import { RegistrySource, type ScopeState } from './registry-source';
import { ScopeSlot } from './scope-slot';
import { ServingRecord } from './serving-record';

export interface RegistryModelProviderOptions {
  /** host:port of registry-service; unset = no registry (cached models, else the heuristic fallback). */
  registryAddress?: string;
  registryToken?: string;
  /** The model name to serve (registry naming rules). */
  modelName: string;
  /** Where artifacts and the last serving state are kept across restarts. */
  cacheDir: string;
  logger: Logger;
  metrics?: ModelMetrics;
  /** Names the feature vocabulary does not know; a model using any is refused at load. */
  unknownFeatureNames?: (names: readonly string[]) => string[];
  /** With no cached model, how long `whenReady` waits for the registry before settling on the fallback. */
  startupTimeoutMs?: number;
  /** How long a replaced session stays usable for callers that took it just before the swap. */
  releaseGraceMs?: number;
  /** Cap on websites watched separately (each is one WatchActiveModel stream). */
  maxWebsites?: number;
  backoffMs?: { initial: number; max: number };
  /** Which models also score on the service thread (model-pool.ts); false = every model in the worker only. */
  mainThread?: MainThreadRule | false;
}

const GLOBAL = '';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The ModelProvider of ranking-service. At start it serves what the disk
 * cache says served last time, then follows the registry: one
 * WatchActiveModel stream for the global scope and one per website seen
 * (website models override the global one; the registry resolves which
 * applies). Each new state is downloaded (sha256-checked, cached by hash),
 * loaded and warmed up in the worker thread, and only then swapped in; a model
 * that fails anywhere on that path leaves the current one serving. Each
 * scope's state is a ScopeSlot; what serves is recorded by ServingRecord.
 */
export class RegistryModelProvider implements ModelProvider {
  private readonly slots = new Map<string, ScopeSlot>();
  private readonly cache: ArtifactCache;
  private readonly record: ServingRecord;
  private readonly pool: ModelPool;
  private readonly registry: RegistrySource | undefined;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private readonly readyPromise: Promise<void>;
  private markReady!: () => void;
  private isReady = false;
  private started: Promise<void> | undefined;

  constructor(private readonly options: RegistryModelProviderOptions) {
    this.log = options.logger.child({ component: 'model-provider', model: options.modelName });
    this.cache = new ArtifactCache(options.cacheDir);
    this.record = new ServingRecord(this.cache, options.metrics, this.log);
    this.pool = new ModelPool({
      releaseGraceMs: options.releaseGraceMs ?? 5_000,
      metrics: options.metrics,
      onWorkerLost: (err) => this.onWorkerLost(err),
      mainThread: options.mainThread,
    });
    this.registry = options.registryAddress ? new RegistrySource(options.registryAddress, { token: options.registryToken, backoffMs: options.backoffMs }) : undefined;
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
    this.slots.set(GLOBAL, new ScopeSlot(GLOBAL));
  }

  get ready(): boolean {
    return this.isReady;
  }

  readyFor(modelName?: string): boolean {
    return !modelName || modelName === this.options.modelName ? this.isReady : true;
  }

  /** Restores cached models, subscribes to the registry; resolves once `ready` (rejects only if the cache directory is unusable). */
  start(): Promise<void> {
    this.started ??= this.run();
    // An unusable cache directory fails startup instead of waiting forever.
    return Promise.race([this.readyPromise, this.started.then(() => this.readyPromise)]);
  }

  /** Resolves once a model — or the explicit no-model fallback — is settled for the global scope. */
  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  /** This provider serves its one configured name; any other name has no model here (see ModelsByName). */
  current(websiteId: string, modelName?: string): ServingModel | undefined {
    if (modelName && modelName !== this.options.modelName) return undefined;
    const global = this.slots.get(GLOBAL)!;
    if (!websiteId) return global.serving;
    let slot = this.slots.get(websiteId);
    if (!slot) slot = this.watchWebsite(websiteId);
    return slot?.serving ?? global.serving;
  }

  async close(): Promise<void> {
    this.abort.abort();
    for (const slot of this.slots.values()) slot.watch?.close();
    this.registry?.close();
    await this.started?.catch(() => undefined);
    await this.record.flushed();
    await this.pool.close();
  }

  private async run(): Promise<void> {
    await this.cache.init();
    const state = await this.cache.readState();
    // Serve last time's models first: a restart with the registry down keeps its ranking.
    await Promise.all(
      Object.entries(state)
        .filter(([scope]) => scope === GLOBAL || UUID.test(scope))
        .map(([scope, identity]) => this.restore(scope, identity)),
    );
    if (this.abort.signal.aborted) return;
    const global = this.slots.get(GLOBAL)!;
    if (global.serving) this.settle('cached model (the registry may replace it)');
    else if (!this.registry) this.settle('no registry and no cached model: heuristic fallback');
    else {
      // Not unref'd: while bootstrap waits for this provider, the gRPC server is not listening yet
      // and the registry client's retry timers are unref'd, so this timer is what keeps the process
      // alive until the fallback. (Unref'd, an unreachable registry at start made the service exit
      // with code 0.) Cleared once ready, or by close().
      const timer = setTimeout(() => this.settle('registry not answering in time: heuristic fallback until it does'), this.options.startupTimeoutMs ?? 5_000);
      const clear = () => clearTimeout(timer);
      void this.readyPromise.then(clear);
      this.abort.signal.addEventListener('abort', clear, { once: true });
    }
    for (const slot of this.slots.values()) this.subscribe(slot);
  }

  private async restore(scope: string, identity: ModelIdentity): Promise<void> {
    const slot = this.slots.get(scope) ?? this.slots.set(scope, new ScopeSlot(scope)).get(scope)!;
    try {
      const bytes = await this.cache.read(identity.sha256);
      if (!bytes) throw new Error('artifact missing from the cache or corrupted');
      slot.serving = await this.pool.acquire(identity, async () => bytes);
      this.record.publish(slot);
      this.log.info({ scope: slot.label, version: identity.version, sha256: identity.sha256 }, 'serving cached model');
    } catch (err) {
      this.options.metrics?.loads.inc({ outcome: 'failed', reason: 'cache' });
      this.log.warn({ scope: slot.label, version: identity.version, err }, 'cached model not usable');
    }
  }

  private settle(why: string): void {
    if (this.isReady) return;
    this.isReady = true;
    this.log.info({ serving: this.slots.get(GLOBAL)!.serving?.version ?? null }, `model provider ready: ${why}`);
    this.markReady();
  }

  private watchWebsite(websiteId: string): ScopeSlot | undefined {
    if (!this.registry || this.abort.signal.aborted || !UUID.test(websiteId)) return undefined;
    if (this.slots.size > (this.options.maxWebsites ?? 10_000)) return undefined;
    const slot = new ScopeSlot(websiteId);
    this.slots.set(websiteId, slot);
    // Until the first state arrives this website is served by the global model.
    if (this.started) this.subscribe(slot);
    return slot;
  }

  private subscribe(slot: ScopeSlot): void {
    if (!this.registry || slot.watch || this.abort.signal.aborted) return;
    slot.watch = this.registry.watch(this.options.modelName, slot.scope, {
      onState: (state) => {
        slot.watchFailures = 0;
        if (slot.scope === GLOBAL) this.options.metrics?.registryUp.set({ name: this.options.modelName }, 1);
        void this.apply(slot, state);
      },
      onDown: (err) => {
        if (slot.scope === GLOBAL) this.options.metrics?.registryUp.set({ name: this.options.modelName }, 0);
        if (this.abort.signal.aborted) return;
        // The global watch speaks for the registry; website watches break with it, so they only debug.
        const level = slot.scope === GLOBAL && slot.watchFailures === 0 ? 'warn' : 'debug';
        this.log[level]({ scope: slot.label, err: err.message, failures: ++slot.watchFailures }, 'registry watch down; re-subscribing with backoff');
      },
    });
  }

  private async apply(slot: ScopeSlot, state: ScopeState): Promise<void> {
    slot.wanted = state.kind === 'model' ? state.model : undefined;
    if (state.kind === 'none') {
      slot.supersede();
      if (slot.serving) this.log.info({ scope: slot.label, version: slot.serving.version }, 'no active model: heuristic fallback');
      this.swap(slot, undefined);
      if (slot.scope === GLOBAL) this.settle('no active model: heuristic fallback');
      return;
    }
    const identity = identityOf(state.model);
    const key = JSON.stringify(identity);
    if (slot.serving && JSON.stringify(slot.serving.identity) === key) {
      if (slot.scope === GLOBAL) this.settle('registry confirmed the serving model');
      return;
    }
    const stillWanted = slot.startLoad(key);
    if (!stillWanted) return; // repeated state: nothing new
    const log = this.log.child({ scope: slot.label, version: identity.version, sha256: identity.sha256 });
    const current = () => stillWanted() && !this.abort.signal.aborted;
    try {
      const unknown = this.options.unknownFeatureNames?.(identity.featureNames) ?? [];
      if (unknown.length > 0) throw new UnknownFeaturesError(unknown);
      const loaded = await this.pool.acquire(identity, () => fetchArtifact(state.model, { cache: this.cache, registry: this.registry, metrics: this.options.metrics, backoffMs: this.options.backoffMs, signal: this.abort.signal, wanted: current, log }));
      if (!current()) {
        loaded.unref();
        return;
      }
      slot.loaded();
      const previous = slot.serving;
      this.swap(slot, loaded);
      this.options.metrics?.loads.inc({ outcome: 'loaded', reason: '' });
      log.info({ previous: previous?.version ?? null, scoresOn: loaded.runsOnMainThread ? 'service thread' : 'worker' }, 'model swapped in');
    } catch (err) {
      if (!current()) return;
      const reason = failureReason(err);
      slot.failed(key, reason !== 'download' && reason !== 'checksum');
      this.options.metrics?.loads.inc({ outcome: 'failed', reason });
      log.error({ reason, err: (err as Error).message, still_serving: slot.serving?.version ?? null }, 'model not loaded; the current one keeps serving');
    } finally {
      if (slot.scope === GLOBAL && current()) this.settle(slot.serving ? 'model loaded' : 'active model failed to load: heuristic fallback');
    }
  }

  /** Points the slot at `next` (one assignment: calls already holding the old model keep it), then lets the old go. */
  private swap(slot: ScopeSlot, next: LoadedModel | undefined): void {
    const previous = slot.serving;
    slot.serving = next;
    if (previous && previous !== next) previous.unref();
    this.record.publish(slot, previous);
    this.record.persist(this.slots.values());
  }

  /**
   * The worker thread died with every session (and any load in progress, which
   * must not count as a refusal of that model): reload what each scope wants,
   * from the disk cache when it is there.
   */
  private onWorkerLost(err: Error): void {
    if (this.abort.signal.aborted) return;
    this.log.error({ err: err.message }, 'model worker died; reloading the serving models');
    for (const slot of this.slots.values()) {
      const model = slot.wanted ?? (slot.serving ? modelOf(slot.serving.identity) : undefined);
      slot.serving = undefined;
      slot.supersede(); // loads failing with the dead thread are now stale
      if (model) void this.apply(slot, { kind: 'model', model });
    }
  }
}

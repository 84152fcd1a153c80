import type { Logger } from '@recsys/service-kit';
import type { ArtifactCache, ServingState } from './artifact-cache';
import type { LoadedModel } from './loaded-model';
import type { ModelMetrics } from './model-metrics';
import type { ScopeSlot } from './scope-slot';

/**
 * Where what serves is recorded: the `ranking_model_serving` metric, and the
 * disk cache's serving state, which the next start serves first so a restart
 * with the registry down keeps its ranking.
 */
export class ServingRecord {
  private persisting: Promise<void> = Promise.resolve();

  constructor(
    private readonly cache: ArtifactCache,
    private readonly metrics: ModelMetrics | undefined,
    private readonly log: Logger,
  ) {}

  /** The metric follows the slot: `previous` (if any) is no longer served there. */
  publish(slot: ScopeSlot, previous?: LoadedModel): void {
    if (!this.metrics) return;
    const scope = slot.label;
    if (previous) this.metrics.serving.remove({ scope, name: previous.name, version: previous.version, sha256: previous.sha256 });
    if (slot.serving) this.metrics.serving.set({ scope, name: slot.serving.name, version: slot.serving.version, sha256: slot.serving.sha256 }, 1);
  }

  /** Writes what serves each scope, one write at a time. */
  persist(slots: Iterable<ScopeSlot>): void {
    const state: ServingState = {};
    for (const slot of slots) if (slot.serving) state[slot.scope] = slot.serving.identity;
    this.persisting = this.persisting
      .then(() => this.cache.writeState(state))
      .catch((err) => this.log.warn({ err }, 'could not record the serving state in the model cache'));
  }

  /** Resolves when the writes started so far are done. */
  flushed(): Promise<void> {
    return this.persisting;
  }
}

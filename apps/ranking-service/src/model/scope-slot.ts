import type { Model } from '@recsys/contracts/registry';
import type { LoadedModel } from './loaded-model';
import type { ScopeWatch } from './registry-source';

/**
 * A scope's load, as one state: nothing in progress; loading one identity
 * (its repeats from the registry do not restart it); or having refused one
 * (bad file, unknown features: its repeats are ignored until another comes).
 */
type LoadState = { kind: 'idle' } | { kind: 'loading'; key: string } | { kind: 'refused'; key: string };

/**
 * What serves one scope — the global model ('') or one website's — and the
 * state of bringing in the next one. Every registry state bumps a generation:
 * a load that finishes for an older generation is dropped.
 */
export class ScopeSlot {
  serving?: LoadedModel;
  /** The registry's latest model for this scope (reloaded if the worker dies mid-load). */
  wanted?: Model;
  watch?: ScopeWatch;
  /** Breaks since the watch last delivered a state: an outage is logged once, not once per retry. */
  watchFailures = 0;
  private generation = 0;
  private load: LoadState = { kind: 'idle' };

  constructor(readonly scope: string) {}

  /** How logs and metrics name the scope. */
  get label(): string {
    return this.scope || 'global';
  }

  /**
   * Starts loading the identity `key`, unless it is being loaded or was refused
   * already (then undefined: nothing new). Returns a check that stays true while
   * this load is still the one the slot wants.
   */
  startLoad(key: string): (() => boolean) | undefined {
    if (this.load.kind !== 'idle' && this.load.key === key) return undefined;
    const generation = ++this.generation;
    this.load = { kind: 'loading', key };
    return () => this.generation === generation;
  }

  /** The current load finished and was swapped in. */
  loaded(): void {
    this.load = { kind: 'idle' };
  }

  /** The current load failed; `refuse`: the identity itself is bad, so its repeats are ignored. */
  failed(key: string, refuse: boolean): void {
    this.load = refuse ? { kind: 'refused', key } : { kind: 'idle' };
  }

  /** A state that makes any load in progress stale: no active model, or the worker died with its sessions. */
  supersede(): void {
    this.generation++;
    this.load = { kind: 'idle' };
  }
}

import type { ModelProvider, ServingModel } from '../../src/model/model-provider';
import { ModelScoringError } from '../../src/model/model-provider';

/**
 * A real ServingModel whose score is a known linear function, computed in TS:
 * score = bias + Σ weights[name]·x[name], columns in `featureNames` order.
 * Tests compute the expected ranking independently from the same weights.
 */
export class LinearModel implements ServingModel {
  readonly sha256 = '0'.repeat(64);
  /** Every matrix it was asked to score, for asserting column order. */
  readonly calls: { features: Float32Array; rows: number }[] = [];
  failWith: 'error' | 'nan' | 'hang' | undefined;
  /** Milliseconds each score keeps the thread busy (a model scoring on the service thread), 0 = none. */
  busyMs = 0;

  constructor(
    readonly name: string,
    readonly version: string,
    readonly featureNames: readonly string[],
    readonly weights: Readonly<Record<string, number>>,
    readonly bias = 0,
  ) {}

  async score(features: Float32Array, rows: number): Promise<Float32Array> {
    this.calls.push({ features: features.slice(), rows });
    if (this.failWith === 'error') throw new ModelScoringError('boom');
    if (this.failWith === 'hang') return new Promise(() => undefined);
    const busyUntil = performance.now() + this.busyMs;
    while (performance.now() < busyUntil);
    const width = this.featureNames.length;
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = this.bias;
      for (let c = 0; c < width; c++) s += (this.weights[this.featureNames[c]!] ?? 0) * features[r * width + c]!;
      out[r] = this.failWith === 'nan' ? Number.NaN : s;
    }
    return out;
  }
}

/** A provider whose model the test sets (undefined = no active model). */
export class SettableModelProvider implements ModelProvider {
  model: ServingModel | undefined;
  ready = true;
  current(): ServingModel | undefined {
    return this.model;
  }
  readyFor(): boolean {
    return this.ready;
  }
  async close(): Promise<void> {}
}

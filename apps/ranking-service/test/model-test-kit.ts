// Shared by the model tests: linear models with known weights and their
// expected scores computed in TypeScript, a provider on a temporary cache, and
// polling for asynchronous effects (never for durations).
import { buildLinearModel } from '@recsys/onnx';
import { createLogger } from '@recsys/service-kit';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { ModelMetrics } from '../src/model/model-metrics';
import { RegistryModelProvider, type RegistryModelProviderOptions } from '../src/model/registry-model-provider';

export const FEATURES = ['user.session_count', 'item.price', 'match.category_favorite'];

export interface Linear {
  weights: number[];
  bias: number;
}

export function linearBytes(m: Linear, featureNames = FEATURES): Uint8Array {
  return buildLinearModel({ weights: m.weights, bias: m.bias, featureNames });
}

/** x·w + b in float32, as onnxruntime computes it (to float precision). */
export function expectedScores(m: Linear, features: Float32Array): number[] {
  const f = m.weights.length;
  const out: number[] = [];
  for (let r = 0; r < features.length / f; r++) {
    let s = 0;
    for (let j = 0; j < f; j++) s += features[r * f + j]! * m.weights[j]!;
    out.push(Math.fround(s + m.bias));
  }
  return out;
}

/** Deterministic rows of `f` features. */
export function rows(n: number, f = FEATURES.length, seed = 1): Float32Array {
  const a = new Float32Array(n * f);
  let s = seed;
  for (let i = 0; i < a.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = (s / 2147483648) * 4 - 2;
  }
  return a;
}

export function expectScores(actual: Float32Array, expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
}

/** Polls `check` until it stops throwing (or returns true); fails with its last error after `timeoutMs`. */
export async function eventually(check: () => unknown, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await check()) !== false) return;
      throw new Error('condition still false');
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly logger = createLogger({
    name: 'ranking-test',
    level: 'debug',
    destination: new Writable({
      write: (chunk, _enc, done) => {
        for (const line of String(chunk).split('\n').filter(Boolean)) this.lines.push(JSON.parse(line));
        done();
      },
    }),
  });

  messages(level?: number): string[] {
    return this.lines.filter((l) => level === undefined || l.level === level).map((l) => String(l.msg));
  }
}

export interface ProviderHarness {
  provider: RegistryModelProvider;
  registry: Registry;
  logs: LogCapture;
  cacheDir: string;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'recsys-model-cache-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function makeProvider(options: Partial<RegistryModelProviderOptions> & { cacheDir: string }): ProviderHarness {
  const registry = new Registry();
  const logs = new LogCapture();
  const provider = new RegistryModelProvider({
    modelName: 'default',
    logger: logs.logger,
    metrics: new ModelMetrics(registry),
    releaseGraceMs: 0,
    backoffMs: { initial: 20, max: 200 },
    ...options,
  });
  return {
    provider,
    registry,
    logs,
    cacheDir: options.cacheDir,
    metric: async (name, labels = {}) => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
      const values = (metric?.values ?? []) as { value: number; labels: Record<string, unknown> }[];
      return values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((a, v) => a + v.value, 0);
    },
  };
}

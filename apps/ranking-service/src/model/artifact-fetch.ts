import type { Model } from '@recsys/contracts/registry';
import type { Logger } from '@recsys/service-kit';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArtifactCache } from './artifact-cache';
import { failureReason } from './load-failures';
import type { ModelMetrics } from './model-metrics';
import { ArtifactDownloadError, type RegistrySource } from './registry-source';

export interface FetchContext {
  cache: ArtifactCache;
  registry: RegistrySource | undefined;
  metrics?: ModelMetrics;
  backoffMs?: { initial: number; max: number };
  /** Aborted on close: stops waiting between attempts. */
  signal: AbortSignal;
  /** False once the scope wants another model: stop retrying. */
  wanted: () => boolean;
  log: Logger;
}

/**
 * A model's bytes: from the disk cache (hash re-checked) when there, else
 * downloaded (length and sha256 checked) and cached. Transient failures —
 * registry unreachable, bytes not matching the hash (a store may heal) — are
 * retried with capped exponential backoff for as long as the model is wanted.
 */
export async function fetchArtifact(model: Model, ctx: FetchContext): Promise<Uint8Array> {
  const sha256 = model.artifactSha256.toLowerCase();
  const cached = await ctx.cache.read(sha256);
  if (cached) return cached;
  if (!ctx.registry) throw new ArtifactDownloadError(`${model.name}@${model.version} is not cached and no registry is configured`, 'not_found', false);
  const backoff = ctx.backoffMs ?? { initial: 200, max: 10_000 };
  for (let delay = backoff.initial; ; delay = Math.min(delay * 2, backoff.max)) {
    const started = performance.now();
    try {
      const bytes = await ctx.registry.download(model, ctx.signal);
      ctx.metrics?.loadSeconds.observe({ phase: 'download' }, (performance.now() - started) / 1000);
      // A full or read-only disk costs the next restart its cache, not this model.
      await ctx.cache.write(sha256, bytes).catch((err) => ctx.log.warn({ err }, 'could not cache the model artifact'));
      return bytes;
    } catch (err) {
      if (!(err instanceof ArtifactDownloadError) || !err.retryable || !ctx.wanted()) throw err;
      ctx.metrics?.loads.inc({ outcome: 'failed', reason: failureReason(err) });
      ctx.log.warn({ err: err.message, retryInMs: delay }, 'model download failed; retrying');
      await sleep(delay, undefined, { signal: ctx.signal }).catch(() => undefined);
      if (!ctx.wanted()) throw err;
    }
  }
}

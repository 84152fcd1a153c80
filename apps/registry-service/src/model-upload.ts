import { createHash } from 'node:crypto';
import {
  AlreadyExistsError,
  DataLossError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  type Logger,
} from '@recsys/service-kit';
import type { ArtifactStore } from './artifact-store';
import { checkMaxLength, checkMetrics, checkName, checkVersion, checkWebsiteId, type ModelRecord } from './model-record';
import type { ModelValidator } from './model-validator';
import type { ModelRepository } from './model.repository';

/** The upload header in domain terms (proto ModelUploadHeader, fields not yet checked). */
export interface UploadHeader {
  name: string;
  version: string;
  modelType: string;
  algorithm: string;
  hyperparameters: Record<string, unknown> | undefined;
  trainingDataPeriod: { start: Date | undefined; end: Date | undefined } | undefined;
  metrics: Record<string, number>;
  description: string;
  featureNames: string[];
  inputName: string;
  outputName: string;
  sha256: string;
  sizeBytes: number;
  websiteId: string;
  trainedAt: Date | undefined;
}

export interface UploadResult {
  model: ModelRecord;
  created: boolean;
}

const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * UploadModel: header checks → stream to a staged file while hashing →
 * size and sha256 → contract validation (worker thread) → commit the file
 * and insert the row. Any failure discards the staged file, so a rejected
 * upload leaves no row and no file; the row is written only after the file
 * is durable under its final path, so a crash never leaves a row pointing to
 * a partial file.
 */
export class ModelUploader {
  constructor(
    private readonly deps: { repo: ModelRepository; store: ArtifactStore; validator: ModelValidator; maxBytes: number; logger: Logger },
  ) {}

  async upload(header: UploadHeader, chunks: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<UploadResult> {
    const { repo, store, validator, maxBytes } = this.deps;
    const h = this.checkHeader(header);

    const existing = await repo.findByNameVersion(h.name, h.version);
    if (existing) {
      if (existing.artifactSha256 === h.sha256) return { model: existing, created: false };
      throw new AlreadyExistsError(`${h.name}@${h.version} already exists with sha256 ${existing.artifactSha256}; upload a new version instead`);
    }
    if (h.websiteId && !(await repo.websiteExists(h.websiteId))) throw new NotFoundError(`website_id: no website ${h.websiteId}`);

    const staged = await store.stage();
    try {
      const hash = createHash('sha256');
      let received = 0;
      for await (const chunk of chunks) {
        if (chunk.length === 0) continue;
        received += chunk.length;
        if (received > maxBytes) throw new ResourceExhaustedError(`model exceeds the registry's limit of ${maxBytes} bytes (received ${received} so far)`);
        if (received > h.sizeBytes) throw new DataLossError(`received more than the declared size_bytes ${h.sizeBytes} (${received} so far)`);
        hash.update(chunk);
        await staged.write(chunk);
      }
      if (received !== h.sizeBytes) throw new DataLossError(`received ${received} bytes, but size_bytes declared ${h.sizeBytes}: the stream was cut short`);
      const actual = hash.digest('hex');
      if (actual !== h.sha256) throw new DataLossError(`sha256 of the bytes received is ${actual}, but the header declared ${h.sha256}`);
      await staged.finish();

      const contract = await validator.validate(staged.localPath, { featureNames: h.featureNames, inputName: h.inputName, outputName: h.outputName }, signal);

      let placed: string | undefined;
      const result = await repo.transaction(async (tx) => {
        await repo.lockArtifact(tx, h.sha256);
        const artifactPath = await staged.commit(h.sha256);
        placed = artifactPath;
        const inserted = await repo.insert(
          {
            name: h.name,
            version: h.version,
            websiteId: h.websiteId,
            modelType: h.modelType,
            algorithm: h.algorithm,
            hyperparameters: h.hyperparameters,
            trainingDataPeriod: h.trainingDataPeriod,
            metrics: h.metrics,
            description: h.description,
            artifactPath,
            artifactSizeBytes: received,
            artifactSha256: h.sha256,
            featureNames: contract.featureNames,
            inputName: contract.inputName,
            outputName: contract.outputName,
            status: 'validating',
            trainedAt: h.trainedAt,
          },
          tx,
        );
        if (inserted) return { model: inserted, created: true };
        // A concurrent upload registered the same (name, version) first.
        const winner = (await repo.findByNameVersion(h.name, h.version, tx))!;
        if (winner.artifactSha256 === h.sha256) return { model: winner, created: false };
        throw new AlreadyExistsError(`${h.name}@${h.version} already exists with sha256 ${winner.artifactSha256}; upload a new version instead`);
      }).catch(async (err) => {
        // The file is in place but the row is not (insert failed, or a different upload won the name):
        // remove it unless another version uses the same bytes.
        if (placed) await this.removeIfUnreferenced(h.sha256, placed).catch(() => undefined);
        throw err;
      });
      this.deps.logger.info({ model: `${h.name}@${h.version}`, sha256: h.sha256, bytes: received, created: result.created }, 'model uploaded');
      return result;
    } finally {
      await staged.discard();
    }
  }

  private async removeIfUnreferenced(sha256: string, artifactPath: string): Promise<void> {
    const { repo, store } = this.deps;
    await repo.transaction(async (tx) => {
      await repo.lockArtifact(tx, sha256);
      if ((await repo.countBySha(sha256, tx)) === 0) await store.delete(artifactPath);
    });
  }

  private checkHeader(h: UploadHeader) {
    const name = checkName(h.name);
    const version = checkVersion(h.version);
    if (!/^[0-9a-fA-F]{64}$/.test(h.sha256)) throw new InvalidArgumentError(`must be 64 hex digits, got ${JSON.stringify(h.sha256.slice(0, 80))}`, 'sha256');
    if (!Number.isSafeInteger(h.sizeBytes) || h.sizeBytes < 1) throw new InvalidArgumentError(`must be >= 1, got ${h.sizeBytes}`, 'size_bytes');
    if (h.sizeBytes > this.deps.maxBytes) {
      throw new ResourceExhaustedError(`size_bytes: ${h.sizeBytes} bytes is above the registry's limit of ${this.deps.maxBytes} bytes`);
    }
    const hyper = h.hyperparameters === undefined ? null : h.hyperparameters;
    if (hyper !== null && Buffer.byteLength(JSON.stringify(hyper)) > 64 * 1024) throw new InvalidArgumentError('must be at most 64 KiB as JSON', 'hyperparameters');
    let period: { start: Date; end: Date } | null = null;
    if (h.trainingDataPeriod) {
      const { start, end } = h.trainingDataPeriod;
      if (!start || !end) throw new InvalidArgumentError('start and end are both required', 'training_data_period');
      if (end <= start) throw new InvalidArgumentError('end must be after start', 'training_data_period');
      period = { start, end };
    }
    if (h.trainedAt && h.trainedAt.getTime() > Date.now() + CLOCK_SKEW_MS) {
      throw new InvalidArgumentError(`must not be in the future, got ${h.trainedAt.toISOString()}`, 'trained_at');
    }
    return {
      name,
      version,
      websiteId: checkWebsiteId(h.websiteId),
      modelType: checkMaxLength('model_type', h.modelType, 50),
      algorithm: checkMaxLength('algorithm', h.algorithm, 100),
      description: checkMaxLength('description', h.description, 2000),
      hyperparameters: hyper,
      trainingDataPeriod: period,
      metrics: checkMetrics(h.metrics),
      featureNames: h.featureNames,
      inputName: checkMaxLength('input_name', h.inputName, 255) ?? '',
      outputName: checkMaxLength('output_name', h.outputName, 255) ?? '',
      sha256: h.sha256.toLowerCase(),
      sizeBytes: h.sizeBytes,
      trainedAt: h.trainedAt ?? null,
    };
  }
}

import { ModelStatus, type Model, type ModelUploadHeader } from '@recsys/contracts/registry';
import { MODEL_STATUSES } from '@recsys/contracts/vocabularies';
import { InvalidArgumentError } from '@recsys/service-kit';
import type { ModelStatusName } from './lifecycle';
import type { ModelRecord } from './model-record';
import type { UploadHeader } from './model-upload';

/** proto ↔ domain for the registry; nothing here decides anything. */

/** undefined for UNSPECIFIED (the caller decides whether that is "no filter" or an error). */
export function statusFromProto(status: ModelStatus, field: string): ModelStatusName | undefined {
  if (status === ModelStatus.MODEL_STATUS_UNSPECIFIED) return undefined;
  const name = MODEL_STATUSES.nameOf(status);
  if (!name) throw new InvalidArgumentError(`unknown status ${status}`, field);
  return name;
}

export function toProtoModel(m: ModelRecord): Model {
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    modelType: m.modelType ?? '',
    algorithm: m.algorithm ?? '',
    hyperparameters: m.hyperparameters ?? undefined,
    trainingDataPeriod: m.trainingDataPeriod ?? undefined,
    metrics: m.metrics,
    description: m.description ?? '',
    artifactPath: m.artifactPath,
    artifactSizeBytes: m.artifactSizeBytes,
    artifactSha256: m.artifactSha256,
    featureNames: m.featureNames,
    inputName: m.inputName,
    outputName: m.outputName,
    status: MODEL_STATUSES.valueOf(m.status),
    isActive: m.isActive,
    websiteId: m.websiteId ?? '',
    trainedAt: m.trainedAt ?? undefined,
    deployedAt: m.deployedAt ?? undefined,
    createdAt: m.createdAt,
  };
}

export function headerFromProto(h: ModelUploadHeader): UploadHeader {
  return {
    name: h.name,
    version: h.version,
    modelType: h.modelType,
    algorithm: h.algorithm,
    hyperparameters: h.hyperparameters,
    trainingDataPeriod: h.trainingDataPeriod,
    metrics: h.metrics,
    description: h.description,
    featureNames: h.featureNames,
    inputName: h.inputName,
    outputName: h.outputName,
    sha256: h.sha256,
    sizeBytes: h.sizeBytes,
    websiteId: h.websiteId,
    trainedAt: h.trainedAt,
  };
}

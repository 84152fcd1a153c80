import { InvalidArgumentError } from '@recsys/service-kit';
import type { ModelStatusName } from './lifecycle';

/** One model version as the registry knows it (a row of ml_models), independent of proto and SQL. */
export interface ModelRecord {
  id: string;
  name: string;
  version: string;
  /** null = serves every website. */
  websiteId: string | null;
  modelType: string | null;
  algorithm: string | null;
  hyperparameters: Record<string, unknown> | null;
  trainingDataPeriod: { start: Date; end: Date } | null;
  metrics: Record<string, number>;
  description: string | null;
  artifactPath: string;
  artifactSizeBytes: number;
  artifactSha256: string;
  featureNames: string[];
  inputName: string;
  outputName: string;
  status: ModelStatusName;
  isActive: boolean;
  trainedAt: Date | null;
  deployedAt: Date | null;
  createdAt: Date;
}

/**
 * Names and versions become path components and log fields, so only a safe
 * alphabet is allowed (model.proto): no "/", "\\", NUL, "..", no leading dot.
 */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkIdentifier(field: string, value: string, max: number): string {
  if (value.length === 0) throw new InvalidArgumentError('is required', field);
  if (value.length > max) throw new InvalidArgumentError(`must be at most ${max} characters, got ${value.length}`, field);
  if (!NAME_RE.test(value) || value.includes('..')) {
    throw new InvalidArgumentError(
      `must be letters, digits, ".", "_" or "-", start with a letter or digit and not contain ".."; got ${JSON.stringify(value)}`,
      field,
    );
  }
  return value;
}

export const checkName = (value: string, field = 'name') => checkIdentifier(field, value, 100);
export const checkVersion = (value: string, field = 'version') => checkIdentifier(field, value, 50);

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** '' → null (global scope); otherwise a UUID, lowercased. */
export function checkWebsiteId(value: string, field = 'website_id'): string | null {
  if (value === '') return null;
  if (!UUID_RE.test(value)) throw new InvalidArgumentError(`must be a UUID or empty, got ${JSON.stringify(value)}`, field);
  return value.toLowerCase();
}

const METRIC_NAME_RE = /^[A-Za-z0-9._@-]{1,100}$/;

export function checkMetrics(metrics: Record<string, number>, field = 'metrics'): Record<string, number> {
  const entries = Object.entries(metrics);
  if (entries.length > 100) throw new InvalidArgumentError(`at most 100 entries, got ${entries.length}`, field);
  for (const [name, value] of entries) {
    if (!METRIC_NAME_RE.test(name)) throw new InvalidArgumentError(`name must be 1..100 characters of [A-Za-z0-9._@-], got ${JSON.stringify(name)}`, field);
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`value of "${name}" must be finite, got ${value}`, field);
  }
  return metrics;
}

export function checkMaxLength(field: string, value: string, max: number): string | null {
  if (value.length > max) throw new InvalidArgumentError(`must be at most ${max} characters, got ${value.length}`, field);
  return value === '' ? null : value;
}

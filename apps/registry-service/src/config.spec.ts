import { join, resolve } from 'node:path';
import { ConfigError } from '@recsys/service-kit';
import { loadServiceConfig } from './config';

const base = { DATABASE_URL: 'postgres://u@h:5432/db' };

describe('registry-service config', () => {
  it('defaults: artifacts under the repository root, 256 MiB, 2 minutes, 2 validations at once', () => {
    const c = loadServiceConfig(base);
    expect(c.artifactDir).toBe(join(resolve(__dirname, '../../..'), '.data/artifacts'));
    expect(c.maxModelBytes).toBe(256 * 1024 * 1024);
    expect(c.validationTimeoutMs).toBe(120_000);
    expect(c.validationConcurrency).toBe(2);
    expect(c.grpc.port).toBe(50052);
  });

  it('keeps an absolute ARTIFACT_DIR and reports every bad variable', () => {
    expect(loadServiceConfig({ ...base, ARTIFACT_DIR: '/srv/models' }).artifactDir).toBe('/srv/models');
    let error: ConfigError | undefined;
    try {
      loadServiceConfig({ ...base, MAX_MODEL_BYTES: 'lots', MODEL_VALIDATION_TIMEOUT_MS: '10', MODEL_VALIDATION_CONCURRENCY: '0' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.problems).toEqual([
      expect.stringMatching(/^MAX_MODEL_BYTES: .*\(got "lots"\)$/),
      'MODEL_VALIDATION_TIMEOUT_MS: expected at least 1000 ms (got "10")',
      'MODEL_VALIDATION_CONCURRENCY: expected at least 1 (got "0")',
    ]);
  });
});

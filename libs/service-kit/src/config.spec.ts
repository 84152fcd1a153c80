import { z } from 'zod';
import { commonServiceConfig, commonServiceEnv, ConfigError, loadConfig } from './config';

const schema = z.object(commonServiceEnv({ grpcPort: 50051, metricsPort: 9461 })).transform(commonServiceConfig);

describe('loadConfig', () => {
  it('applies defaults and parses types', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://x@localhost/db', GRPC_PORT: '7000', MIGRATE_ON_START: 'false' });
    expect(config).toEqual({
      databaseUrl: 'postgres://x@localhost/db',
      grpc: { host: '127.0.0.1', port: 7000 },
      metrics: { host: '127.0.0.1', port: 9461 },
      logLevel: 'info',
      migrateOnStart: false,
      shutdown: { graceMs: 0, timeoutMs: 10_000 },
      auth: { adminTokens: [], serviceTokens: [] },
    });
  });

  it('freezes the result, deeply', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://x@localhost/db' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.grpc)).toBe(true);
    expect(() => {
      (config.grpc as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('names every invalid variable, what it expects and what it got', () => {
    let error: unknown;
    try {
      loadConfig(schema, { GRPC_PORT: 'abc', LOG_LEVEL: 'loud', METRICS_PORT: '70000' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL: is required: a PostgreSQL connection URL/),
        expect.stringMatching(/^GRPC_PORT: .*"abc"/),
        expect.stringMatching(/^LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/),
        expect.stringMatching(/^METRICS_PORT: expected a port from 0 to 65535.*"70000"/),
      ]),
    );
    expect((error as Error).message).toContain('Invalid configuration:');
  });

  it('reads credentials as comma-separated tokens and refuses short ones', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://x@h/db', AUTH_ADMIN_TOKENS: 'a'.repeat(16) + ', ' + 'b'.repeat(20) });
    expect(config.auth.adminTokens).toEqual(['a'.repeat(16), 'b'.repeat(20)]);
    expect(() => loadConfig(schema, { DATABASE_URL: 'postgres://x@h/db', AUTH_SERVICE_TOKENS: 'short' })).toThrow(
      /AUTH_SERVICE_TOKENS: expected comma-separated tokens of at least 16 characters/,
    );
  });

  it('treats an empty value as unset', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://x@localhost/db', GRPC_PORT: '' });
    expect(config.grpc.port).toBe(50051);
  });

  it('rejects a DATABASE_URL that is not a PostgreSQL URL', () => {
    expect(() => loadConfig(schema, { DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: expected a URL starting with postgres:\/\//);
  });
});

import { Writable } from 'node:stream';
import { createLogger, startService, type CommonServiceConfig } from '../src';
import { checkHealth, ServingStatus } from '../src/testing';
import { EchoHandler } from './fixtures/echo-handler';
import { EchoService } from './fixtures/echo-service';
import { registerService } from '../src';

const baseConfig = (overrides: Partial<CommonServiceConfig>): CommonServiceConfig => ({
  databaseUrl: 'postgres://unused@127.0.0.1/unused',
  grpc: { host: '127.0.0.1', port: 0 },
  metrics: { host: '127.0.0.1', port: 0 },
  logLevel: 'info',
  migrateOnStart: false,
  shutdown: { graceMs: 0, timeoutMs: 2_000 },
  auth: { adminTokens: [], serviceTokens: [] },
  ...overrides,
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _e, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger({ name: 't', level: 'info', destination }) };
}

describe('startService', () => {
  it('binds to loopback only, and says so, when no credentials are configured', async () => {
    const { lines, logger } = capture();
    let closedParts = false;
    const service = await startService({
      name: 'open-service',
      config: baseConfig({ grpc: { host: '0.0.0.0', port: 0 } }),
      logger,
      init: async () => ({ services: [registerService(EchoService, new EchoHandler())], close: async () => void (closedParts = true) }),
    });
    expect(lines.find((l) => String(l.msg).includes('binding to loopback only'))).toMatchObject({ requested: '0.0.0.0', bound: '127.0.0.1' });
    expect(lines.find((l) => l.msg === 'open-service serving')).toMatchObject({ grpc: `127.0.0.1:${service.port}` });
    expect(await checkHealth(`127.0.0.1:${service.port}`)).toBe(ServingStatus.SERVING);
    await service.close();
    expect(closedParts).toBe(true);
  });

  it('binds where asked when credentials are configured', async () => {
    const { lines, logger } = capture();
    const service = await startService({
      name: 'closed-service',
      config: baseConfig({ grpc: { host: '0.0.0.0', port: 0 }, auth: { adminTokens: ['x'.repeat(16)], serviceTokens: [] } }),
      logger,
      init: async () => ({ services: [registerService(EchoService, new EchoHandler())] }),
    });
    expect(lines.find((l) => l.msg === 'closed-service serving')).toMatchObject({ grpc: `0.0.0.0:${service.port}` });
    await service.close();
  });
});

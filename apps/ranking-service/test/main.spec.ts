import { join } from 'node:path';
import { spawnNode } from '@recsys/service-kit/testing';

describe('ranking-service main', () => {
  it('refuses to start on invalid config, naming each variable, with exit code 78', async () => {
    const proc = spawnNode(join(__dirname, '../src/main.ts'), {
      PATH: process.env.PATH,
      GRPC_PORT: 'abc',
      LOG_LEVEL: 'chatty',
      PROFILE_SERVICE_ADDR: 'profile-service',
      PROFILE_DEADLINE_MS: '-5',
    });
    expect(await proc.exited).toBe(78);
    const out = proc.output();
    expect(out).toContain('ranking-service: Invalid configuration:');
    expect(out).toMatch(/DATABASE_URL: is required/);
    expect(out).toMatch(/GRPC_PORT: .*\(got "abc"\)/);
    expect(out).toMatch(/LOG_LEVEL: expected one of .* \(got "chatty"\)/);
    expect(out).toMatch(/PROFILE_SERVICE_ADDR: expected host:port/);
    expect(out).toMatch(/PROFILE_DEADLINE_MS: expected a whole number >= 0/);
  });
});

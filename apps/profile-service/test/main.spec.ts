import { join } from 'node:path';
import { spawnNode } from '@recsys/service-kit/testing';

describe('profile-service main', () => {
  it('refuses to start on invalid config, naming each variable, with exit code 78', async () => {
    const proc = spawnNode(join(__dirname, '../src/main.ts'), { PATH: process.env.PATH, GRPC_PORT: 'abc', LOG_LEVEL: 'chatty' });
    expect(await proc.exited).toBe(78);
    const out = proc.output();
    expect(out).toContain('profile-service: Invalid configuration:');
    expect(out).toMatch(/DATABASE_URL: is required/);
    expect(out).toMatch(/GRPC_PORT: .*\(got "abc"\)/);
    expect(out).toMatch(/LOG_LEVEL: expected one of .* \(got "chatty"\)/);
  });
});

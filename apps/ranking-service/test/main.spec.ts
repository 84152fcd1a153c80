import { findFreePort } from '@recsys/db';
import { createTestDatabase } from '@recsys/db/testing';
import { spawnNode, spawnService, waitForServing } from '@recsys/service-kit/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(__dirname, '../src/main.ts');

describe('ranking-service main', () => {
  it('refuses to start on invalid config, naming each variable, with exit code 78', async () => {
    const proc = spawnNode(MAIN, {
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

  // As its own process: inside jest the test runner's handles keep the event loop alive, and it was
  // exactly the service's own process that exited (code 0) while it waited for the registry with only
  // unref'd timers pending.
  it('with the registry unreachable at start and nothing cached, serves the heuristic fallback after MODEL_STARTUP_TIMEOUT_MS', async () => {
    const db = await createTestDatabase();
    const cacheDir = await mkdtemp(join(tmpdir(), 'recsys-ranking-main-'));
    let proc: Awaited<ReturnType<typeof spawnService>>['proc'] | undefined;
    try {
      const started = await spawnService(MAIN, 'ranking-service', {
        DATABASE_URL: db.url,
        REGISTRY_ADDR: `127.0.0.1:${await findFreePort()}`, // nothing listens there
        MODEL_CACHE_DIR: cacheDir,
        MODEL_STARTUP_TIMEOUT_MS: '1000',
      });
      proc = started.proc;
      expect(proc.output()).toContain('registry not answering in time: heuristic fallback until it does');
      await waitForServing(started.address, 10_000);
      expect(proc.child.exitCode).toBeNull();
    } finally {
      if (proc && proc.child.exitCode === null) {
        proc.child.kill('SIGTERM');
        await proc.exited;
      }
      await rm(cacheDir, { recursive: true, force: true });
      await db.drop();
    }
  });
});

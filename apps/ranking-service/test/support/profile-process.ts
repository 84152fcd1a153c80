import { credentials } from '@grpc/grpc-js';
import { join } from 'node:path';
import { ProfileServiceClient } from '@recsys/contracts/profile';
import { findFreePort } from '@recsys/db';
import { spawnNode, waitForServing, type ServiceProcess } from '@recsys/service-kit/testing';
import { startHarness, type Harness } from './harness';

export interface ProfileProcess {
  process: ServiceProcess;
  client: ProfileServiceClient;
  /** Ends the client and the process (SIGTERM, then waits for it). */
  stop(): Promise<void>;
}

/**
 * profile-service as its own process on `port` over `databaseUrl` (the port is
 * chosen first, so ranking-service can be given its address before it
 * starts), serving once this resolves, with a client.
 */
export async function startProfileProcess(port: number, databaseUrl: string, env: Record<string, string> = {}): Promise<ProfileProcess> {
  const process = spawnNode(join(__dirname, '../../../profile-service/src/main.ts'), {
    PATH: globalThis.process.env.PATH,
    DATABASE_URL: databaseUrl,
    GRPC_PORT: String(port),
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    ...env,
  });
  await waitForServing(`127.0.0.1:${port}`);
  const client = new ProfileServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  return {
    process,
    client,
    async stop() {
      client.close();
      if (process.child.exitCode === null) {
        process.child.kill('SIGTERM');
        await process.exited;
      }
    },
  };
}

export interface RankingWithProfile {
  /** ranking-service, its PROFILE_SERVICE_ADDR the process below; catalog refresh every 200 ms. */
  h: Harness;
  profile: ProfileProcess;
  close(): Promise<void>;
}

/** A ranking-service harness and a profile-service process (`profileEnv`) on its database, ranking asking it. */
export async function startRankingWithProfile(profileEnv: Record<string, string> = {}): Promise<RankingWithProfile> {
  const port = await findFreePort();
  const h = await startHarness({ env: { PROFILE_SERVICE_ADDR: `127.0.0.1:${port}`, CATALOG_REFRESH_INTERVAL_MS: '200' } });
  const profile = await startProfileProcess(port, h.db.url, profileEnv).catch(async (err) => {
    await h.close();
    throw err;
  });
  return {
    h,
    profile,
    async close() {
      await profile.stop();
      await h.close();
    },
  };
}

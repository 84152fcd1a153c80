import { credentials } from '@grpc/grpc-js';
import { join } from 'node:path';
import { ProfileServiceClient } from '@recsys/contracts/profile';
import { spawnNode, waitForServing, type ServiceProcess } from '@recsys/service-kit/testing';

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

// The product as benchmarks start it: each service as its own process from this
// checkout's source, the CLI as a process, everything reached over gRPC and SQL.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnNode, spawnService, type ServiceProcess } from '@recsys/service-kit/testing';

export const REPO_ROOT = join(__dirname, '../..');

/** Runs `recsys <args>` to the end; resolves with its output and duration, rejects when it fails. */
export async function runCli(env: Record<string, string>, args: string[]): Promise<{ output: string; seconds: number }> {
  const start = process.hrtime.bigint();
  const proc = spawnNode(join(REPO_ROOT, 'apps/cli/src/main.ts'), { PATH: process.env.PATH, ...env }, [], args);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`recsys ${args.join(' ')} exited ${code}:\n${proc.output()}`);
  return { output: proc.output(), seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** `recsys <args>` running in the background (e.g. `--follow`). */
export function startCli(env: Record<string, string>, args: string[]): ServiceProcess {
  return spawnNode(join(REPO_ROOT, 'apps/cli/src/main.ts'), { PATH: process.env.PATH, ...env }, [], args);
}

export interface StartedProcess {
  proc: ServiceProcess;
  /** host:port of its gRPC server. */
  address: string;
  stop(): Promise<void>;
}

/** Starts `app` (profile-service, registry-service, ranking-service) from source on free ports; resolves once it serves. */
export async function startApp(app: string, env: Record<string, string>): Promise<StartedProcess> {
  const { proc, address } = await spawnService(join(REPO_ROOT, `apps/${app}/src/main.ts`), app, env);
  return {
    proc,
    address,
    stop: async () => {
      if (proc.child.exitCode !== null) return;
      proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}

/**
 * registry-service over `databaseUrl` with one model uploaded and activated through
 * the CLI, as an operator would: `name`@`version`, global scope.
 */
export async function startRegistryServing(databaseUrl: string, model: { name: string; version: string; bytes: Uint8Array }): Promise<StartedProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'recsys-bench-registry-'));
  const registry = await startApp('registry-service', { DATABASE_URL: databaseUrl, ARTIFACT_DIR: join(dir, 'artifacts') });
  try {
    const file = join(dir, `${model.name}.onnx`);
    await writeFile(file, model.bytes);
    const env = { RECSYS_REGISTRY_ADDR: registry.address };
    await runCli(env, ['models', 'upload', file, '--name', model.name, '--version', model.version]);
    await runCli(env, ['models', 'activate', model.name, model.version]);
  } catch (err) {
    await registry.stop();
    throw err;
  }
  return {
    ...registry,
    stop: async () => {
      await registry.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// Helpers for tests that talk to a running service. Not used in production code.
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { HealthClient, HealthCheckResponse_ServingStatus as ServingStatus } from '@recsys/contracts/health';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export { ServingStatus };

/** One health check; resolves the status, or the gRPC error's code as `error`. */
export async function checkHealth(address: string, service = ''): Promise<ServingStatus | { error: number }> {
  const client = new HealthClient(address, credentials.createInsecure());
  try {
    return await new Promise((resolve) =>
      client.check({ service }, (err: ServiceError | null, res) => resolve(err ? { error: err.code } : res.status)),
    );
  } finally {
    client.close();
  }
}

/** Polls until the address reports SERVING or `timeoutMs` passes (then throws). */
export async function waitForServing(address: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await checkHealth(address);
    if (last === ServingStatus.SERVING) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${address} not SERVING after ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

/** Calls a callback-style unary client method as a promise. */
export function unary<Req, Res>(
  method: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => method(request, (err, res) => (err ? reject(err) : resolve(res))));
}

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/**
 * Runs a service's entry point as its own node process: a TypeScript file
 * (main.ts) through tsx, or a built bundle (`npm run build`'s main.js) as is;
 * `nodeArgs` go before it (flags NODE_OPTIONS refuses, such as --cpu-prof), `args` after it (a CLI's command line).
 */
export function spawnNode(
  entry: string,
  env: Record<string, string | undefined>,
  nodeArgs: readonly string[] = [],
  args: readonly string[] = [],
): ServiceProcess {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, entry, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, output: () => out, exited };
}

/**
 * Starts a service's entry point (main.ts, or a built main.js) as its own process on port 0 and resolves its
 * gRPC address from the "<name> serving" log line (LOG_LEVEL must let info
 * through). Rejects with the process output when it exits or times out first.
 */
export async function spawnService(
  entry: string,
  name: string,
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<{ proc: ServiceProcess; address: string }> {
  const proc = spawnNode(entry, { PATH: process.env.PATH, GRPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', ...env });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = proc.output().split('\n').find((l) => l.includes(`"${name} serving"`));
    if (line) return { proc, address: (JSON.parse(line) as { grpc: string }).grpc };
    if (proc.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  throw new Error(`${name} did not start:\n${proc.output()}`);
}

/**
 * Runs `work` and counts how many times the event loop turned (a setImmediate
 * callback ran) before it finished: more than once means it let other work
 * through, as code that must not stall a service's calls should.
 */
export async function eventLoopTurnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { value: await work(), turns };
  } finally {
    running = false;
  }
}

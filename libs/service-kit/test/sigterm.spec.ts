import { credentials } from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { EchoClient, echoUnary } from './fixtures/echo-service';

function startFixture(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/slow-service-main.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /PORT=(\d+)/.exec(out);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
  });
}

describe('a service process on SIGTERM', () => {
  it('lets the in-flight call finish, then exits 0', async () => {
    const { child, port } = await startFixture();
    const client = new EchoClient(`127.0.0.1:${port}`, credentials.createInsecure());
    await echoUnary(client, { text: 'warm-up' });

    const inFlight = echoUnary(client, { text: 'in flight', delayMs: 800 });
    await new Promise((r) => setTimeout(r, 150));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');

    await expect(inFlight).resolves.toEqual({ text: 'in flight' });
    const [code] = await exited;
    expect(code).toBe(0);
    client.close();
  });
});

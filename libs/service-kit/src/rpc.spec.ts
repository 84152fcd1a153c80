import { Metadata } from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import { createLogger } from './logger';
import { adaptService, type CallContext, type ServiceDefinition } from './rpc';

const definition = {
  echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
    requestDeserialize: (b: Buffer) => JSON.parse(String(b)),
    responseSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
    responseDeserialize: (b: Buffer) => JSON.parse(String(b)),
  },
} satisfies ServiceDefinition;

function fakeCall() {
  const call = new EventEmitter() as EventEmitter & {
    request: unknown;
    metadata: Metadata;
    cancelled: boolean;
    getPeer: () => string;
    getDeadline: () => number;
    peerReads: number;
  };
  call.request = { text: 'hi' };
  call.cancelled = false;
  call.getDeadline = () => Infinity;
  call.metadata = new Metadata();
  call.peerReads = 0;
  call.getPeer = () => (call.peerReads++, 'ipv4:127.0.0.1:1234');
  return call;
}

describe('adaptService call context', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });

  it('aborts the signal when the client cancels, whether it was read before or after the cancel', async () => {
    const seen: CallContext[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const adapted = adaptService(definition, { echo: async (_req: unknown, ctx: CallContext) => (seen.push(ctx), await gate, {}) } as never, logger);
    const early = fakeCall();
    const late = fakeCall();
    const done: Promise<unknown>[] = [early, late].map((c) => new Promise((resolve) => (adapted.echo as (c: unknown, cb: (e: unknown, r: unknown) => void) => void)(c, (e, r) => resolve(e ?? r))));
    while (seen.length < 2) await new Promise((r) => setImmediate(r));
    const earlySignal = seen[0]!.signal;
    expect(earlySignal.aborted).toBe(false);
    early.emit('cancelled');
    late.emit('cancelled');
    expect(earlySignal.aborted).toBe(true);
    expect(seen[1]!.signal.aborted).toBe(true);
    expect(seen[1]!.signal).toBe(seen[1]!.signal);
    expect(seen[0]!.peer).toBe('ipv4:127.0.0.1:1234');
    expect(seen[0]!.peer).toBe('ipv4:127.0.0.1:1234');
    expect(early.peerReads).toBe(1);
    expect(seen[0]!.metadata).toBe(early.metadata);
    expect(seen[0]!.method).toBe('/test.Echo/Echo');
    release();
    await Promise.all(done);
  });
});

import { status as Status } from '@grpc/grpc-js';
import type {
  Metadata,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedServiceImplementation,
  sendUnaryData,
} from '@grpc/grpc-js';
import { once } from 'node:events';
import type { CallArrivals } from './call-arrival';
import type { Logger } from './logger';
import { toStatusError } from './error-edge';
import { requiredLevel, type AccessPolicy, type Authenticator, type Principal } from './auth';

/** What a handler may know about the call besides its request. */
export interface CallContext {
  /** Full method path, `/recsys.profile.v1.ProfileService/GetProfile`. */
  readonly method: string;
  readonly metadata: Metadata;
  readonly peer: string;
  /** Aborted when the client cancels or its deadline passes: stop work then. */
  readonly signal: AbortSignal;
  /** Who is calling, as established from the `authorization` metadata. */
  readonly principal: Principal;
  /**
   * When the server received the call (its headers), in performance.now()
   * milliseconds: `performance.now() - receivedAt` is how long it waited in
   * this process before its handler ran (under overload, mostly waiting for
   * its message behind other calls). The handler's own start when unknown.
   */
  readonly receivedAt: number;
}

/** The shape of a ts-proto `outputServices=grpc-js` method definition. */
interface MethodDefinition<Req, Res> {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestSerialize: (value: Req) => Buffer;
  readonly requestDeserialize: (bytes: Buffer) => Req;
  readonly responseSerialize: (value: Res) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => Res;
}

export type ServiceDefinition = Record<string, MethodDefinition<any, any>>;

/**
 * The async form of a generated service: unary methods return a promise,
 * streaming ones take/return async iterables. Handlers implement this, derived
 * from the generated definition, so a contract change is a compile error in
 * the handler rather than a runtime surprise.
 */
export type ServiceImplementation<D extends ServiceDefinition> = {
  [K in keyof D]: D[K] extends MethodDefinition<infer Req, infer Res>
    ? D[K]['requestStream'] extends true
      ? D[K]['responseStream'] extends true
        ? (requests: AsyncIterable<Req>, ctx: CallContext) => AsyncIterable<Res>
        : (requests: AsyncIterable<Req>, ctx: CallContext) => Promise<Res>
      : D[K]['responseStream'] extends true
        ? (request: Req, ctx: CallContext) => AsyncIterable<Res>
        : (request: Req, ctx: CallContext) => Promise<Res>
    : never;
};

type AnyCall =
  | ServerUnaryCall<unknown, unknown>
  | ServerReadableStream<unknown, unknown>
  | ServerWritableStream<unknown, unknown>
  | ServerDuplexStream<unknown, unknown>;

export interface AccessControl {
  authenticator: Authenticator;
  policy: AccessPolicy;
}

const OPEN: AccessControl['policy'] = { default: 'service' };

/**
 * The handler's view of a call. `peer` and `signal` are built on first read:
 * most unary handlers never read them, and an AbortController plus a
 * 'cancelled' listener per call showed in the hot path of a 1 ms RPC. A signal
 * first read after the client cancelled is already aborted.
 */
class LazyCallContext implements CallContext {
  private controller: AbortController | undefined;
  private cancelled = false;
  private peerName: string | undefined;
  readonly receivedAt: number;

  constructor(
    private readonly call: AnyCall,
    readonly method: string,
    readonly principal: Principal,
    arrivals: CallArrivals | undefined,
  ) {
    this.receivedAt = arrivals?.of(call.metadata) ?? performance.now();
    (call as NodeJS.EventEmitter).once('cancelled', () => {
      this.cancelled = true;
      this.controller?.abort(new Error('call cancelled by the client'));
    });
  }

  get metadata(): Metadata {
    return this.call.metadata;
  }

  get peer(): string {
    return (this.peerName ??= this.call.getPeer());
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort(new Error('call cancelled by the client'));
    }
    return this.controller.signal;
  }
}

/**
 * A unary call whose caller has given up — cancelled, or its deadline passed
 * while it waited for its message (overload) — is not run: its answer would be
 * thrown away, and running it would make the calls behind it late too.
 */
function isOver(call: ServerUnaryCall<unknown, unknown>): boolean {
  if (call.cancelled) return true;
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) && Date.now() >= ms;
}

const OVER = { code: Status.DEADLINE_EXCEEDED, details: 'the deadline passed or the call was cancelled before it started' };

function contextOf(call: AnyCall, method: string, principal: Principal, arrivals: CallArrivals | undefined): CallContext {
  return new LazyCallContext(call, method, principal, arrivals);
}

/**
 * Turns an async implementation into the callback/stream form grpc-js calls:
 * the caller is authorized before the handler runs (so no handler can forget),
 * and every thrown or rejected error goes through the error edge.
 * `arrivals`: the server's record of when calls arrived (CallContext.receivedAt).
 */
export function adaptService<D extends ServiceDefinition>(
  definition: D,
  implementation: ServiceImplementation<D>,
  logger: Logger,
  access?: AccessControl,
  arrivals?: CallArrivals,
): UntypedServiceImplementation {
  const adapted: UntypedServiceImplementation = {};
  for (const [name, def] of Object.entries(definition)) {
    const fn = (implementation as Record<string, (...args: any[]) => any>)[name];
    if (typeof fn !== 'function') throw new Error(`${def.path} has no handler`);
    const level = requiredLevel(access?.policy ?? OPEN, name);
    const authorize = (call: AnyCall): Principal =>
      access ? access.authenticator.authorize(call.metadata, level, def.path) : { role: 'open' };
    const handler = (input: unknown, call: AnyCall) => fn.call(implementation, input, contextOf(call, def.path, authorize(call), arrivals));
    const fail = (err: unknown) => toStatusError(err, def.path, logger);

    if (!def.requestStream && !def.responseStream) {
      adapted[name] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        if (isOver(call)) return callback(OVER);
        Promise.resolve()
          .then(() => handler(call.request, call))
          .then((res) => callback(null, res), (err) => callback(fail(err)));
      };
    } else if (def.requestStream && !def.responseStream) {
      adapted[name] = (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        Promise.resolve()
          .then(() => handler(call, call))
          .then((res) => callback(null, res), (err) => callback(fail(err)));
      };
    } else {
      adapted[name] = (call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>) => {
        Promise.resolve()
          .then(() => handler(def.requestStream ? call : (call as ServerWritableStream<unknown, unknown>).request, call))
          .then((source: AsyncIterable<unknown>) => pipeToCall(source, call))
          .then(
            () => call.end(),
            (err) => call.emit('error', fail(err)),
          );
      };
    }
  }
  return adapted;
}

async function pipeToCall(source: AsyncIterable<unknown>, call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>) {
  for await (const message of source) {
    // Leaving the loop runs the generator's finally blocks: streams clean up on cancel.
    if (call.cancelled) return;
    // Respect HTTP/2 flow control: a slow reader must not make us buffer a whole model in memory.
    if (!call.write(message)) await Promise.race([once(call, 'drain'), once(call, 'cancelled')]);
  }
}

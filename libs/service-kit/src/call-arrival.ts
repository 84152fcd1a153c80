import type { Metadata } from '@grpc/grpc-js';

/**
 * When one server received each call's headers (performance.now() ms), keyed
 * by the call's Metadata object: the interceptor sees a call when its headers
 * arrive, the handler only when its message does, and grpc-js hands the
 * handler the same Metadata object the interceptor passed on. A WeakMap, not a
 * header: nothing a client sends can set it, and an entry goes with its call.
 * One per server (startGrpcServer), shared by its interceptor and its handlers.
 */
export class CallArrivals {
  private readonly at = new WeakMap<Metadata, number>();

  mark(metadata: Metadata, at: number): void {
    this.at.set(metadata, at);
  }

  /** When the call's headers were received; undefined for a call this server's interceptor did not mark. */
  of(metadata: Metadata): number | undefined {
    return this.at.get(metadata);
  }
}

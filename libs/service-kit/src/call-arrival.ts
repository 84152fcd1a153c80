import type { Metadata } from '@grpc/grpc-js';

/**
 * When the server received each call's headers (performance.now() ms), keyed by
 * the call's Metadata object: the interceptor sees a call when its headers
 * arrive, the handler only when its message does, and grpc-js hands the handler
 * the same Metadata object the interceptor passed on. A WeakMap, not a header:
 * nothing a client sends can set it, and it goes with the call.
 */
const arrivals = new WeakMap<Metadata, number>();

export function markArrival(metadata: Metadata, at: number): void {
  arrivals.set(metadata, at);
}

/** When the call's headers were received; undefined for a call no interceptor marked. */
export function arrivalOf(metadata: Metadata): number | undefined {
  return arrivals.get(metadata);
}

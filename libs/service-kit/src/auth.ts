import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { PermissionDeniedError, UnauthenticatedError } from './errors';

/**
 * Who may call what. `service` credentials are for the websites' backends and
 * the other Recsys services (reads, Recommend, TrackEvents); `admin`
 * credentials also allow writes that change what is served (model uploads,
 * activation, erasure). An admin credential satisfies a `service` rule.
 */
export type AccessLevel = 'service' | 'admin';

export interface AuthConfig {
  adminTokens: readonly string[];
  serviceTokens: readonly string[];
}

export interface Principal {
  /** `open` when the deployment configures no tokens (the server then binds to loopback only). */
  readonly role: AccessLevel | 'open';
}

/** Per-service rule: every method needs `default`, except those listed under `admin`. */
export interface AccessPolicy {
  default: AccessLevel;
  admin?: readonly string[];
}

const digest = (token: string) => createHash('sha256').update(token).digest();

/** Checks `authorization: Bearer <token>` against the configured tokens, in constant time per token. */
export class Authenticator {
  private readonly admin: Buffer[];
  private readonly service: Buffer[];

  constructor(config: AuthConfig) {
    this.admin = config.adminTokens.map(digest);
    this.service = config.serviceTokens.map(digest);
  }

  /** True when no token is configured: every call is allowed, and only loopback may be bound. */
  get open(): boolean {
    return this.admin.length === 0 && this.service.length === 0;
  }

  authorize(metadata: Metadata, required: AccessLevel, method: string): Principal {
    if (this.open) return { role: 'open' };
    const header = metadata.get('authorization')[0];
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
    if (!match) {
      throw new UnauthenticatedError(`${method} needs "authorization: Bearer <token>" metadata with a ${required} credential`);
    }
    const presented = digest(match[1]);
    const is = (set: Buffer[]) => set.reduce((found, t) => timingSafeEqual(t, presented) || found, false);
    if (is(this.admin)) return { role: 'admin' };
    if (is(this.service)) {
      if (required === 'admin') throw new PermissionDeniedError(`${method} needs an admin credential; this one is a service credential`);
      return { role: 'service' };
    }
    throw new UnauthenticatedError(`${method}: the bearer token is not a known credential`);
  }
}

export function requiredLevel(policy: AccessPolicy, methodName: string): AccessLevel {
  return policy.admin?.includes(methodName) ? 'admin' : policy.default;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export const isLoopback = (host: string) => LOOPBACK.has(host) || host.startsWith('127.');

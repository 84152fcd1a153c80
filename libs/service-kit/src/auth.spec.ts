import { Metadata } from '@grpc/grpc-js';
import { Authenticator, isLoopback, requiredLevel } from './auth';
import { PermissionDeniedError, UnauthenticatedError } from './errors';

const md = (authorization?: string) => {
  const m = new Metadata();
  if (authorization !== undefined) m.set('authorization', authorization);
  return m;
};

describe('Authenticator', () => {
  const auth = new Authenticator({ adminTokens: ['admin-secret'], serviceTokens: ['svc-1', 'svc-2'] });

  it('accepts admin tokens for admin and service methods', () => {
    expect(auth.authorize(md('Bearer admin-secret'), 'admin', 'X').role).toBe('admin');
    expect(auth.authorize(md('bearer admin-secret'), 'service', 'X').role).toBe('admin');
  });

  it('accepts service tokens for service methods and refuses them for admin ones', () => {
    expect(auth.authorize(md('Bearer svc-2'), 'service', 'X').role).toBe('service');
    expect(() => auth.authorize(md('Bearer svc-1'), 'admin', '/pkg.S/Upload')).toThrow(PermissionDeniedError);
    expect(() => auth.authorize(md('Bearer svc-1'), 'admin', '/pkg.S/Upload')).toThrow('/pkg.S/Upload needs an admin credential');
  });

  it('is UNAUTHENTICATED without a header, with a malformed one, or with an unknown token', () => {
    expect(() => auth.authorize(md(), 'service', 'M')).toThrow(UnauthenticatedError);
    expect(() => auth.authorize(md('Basic abc'), 'service', 'M')).toThrow(/needs "authorization: Bearer <token>"/);
    expect(() => auth.authorize(md('Bearer nope'), 'service', 'M')).toThrow('M: the bearer token is not a known credential');
  });

  it('is open when no token is configured', () => {
    const open = new Authenticator({ adminTokens: [], serviceTokens: [] });
    expect(open.open).toBe(true);
    expect(open.authorize(md(), 'admin', 'M').role).toBe('open');
  });

  it('reads per-method rules', () => {
    expect(requiredLevel({ default: 'service', admin: ['uploadModel'] }, 'uploadModel')).toBe('admin');
    expect(requiredLevel({ default: 'service', admin: ['uploadModel'] }, 'getModel')).toBe('service');
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.0.0.2', 'localhost', '::1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::'].some(isLoopback)).toBe(false);
  });
});

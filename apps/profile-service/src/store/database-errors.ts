import { UnavailableError } from '@recsys/service-kit';

// Connection-level failures: the database is down or restarting, so the
// caller should retry (UNAVAILABLE), not report a bug (INTERNAL).
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006']);

/** Runs a database operation, turning connection failures into UnavailableError. */
export async function database<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    if ((code && UNAVAILABLE_CODES.has(code)) || /Connection terminated|timeout exceeded when trying to connect/i.test(message)) {
      throw new UnavailableError('the profile database is unreachable; retry with backoff', { cause: err });
    }
    throw err;
  }
}

/**
 * Whether an error means "the database cannot be reached right now" — down,
 * restarting, refusing connections, or a connection cut mid-query — rather than
 * a bug. The error edge answers these UNAVAILABLE (the caller retries with
 * backoff) in every service, whichever driver raised them: pg directly, or
 * MikroORM/knex, which wrap pg's error (followed through `cause`).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Object && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : '';
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    // 55000 is also raised for unrelated states; only this message means "connections refused".
    if (code === '55000' && /not currently accepting connections/.test(message)) return true;
    if (CONNECTION_MESSAGES.test(message)) return true;
  }
  return false;
}

/**
 * Node socket errors, and PostgreSQL's admin_shutdown, crash_shutdown, cannot_connect_now,
 * too_many_connections and connection_exception class (08…).
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** What pg and knex say when a connection ends or cannot be had (these errors carry no code). */
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Timeout acquiring a connection|Client has encountered a connection error|Connection ended unexpectedly/i;

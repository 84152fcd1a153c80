import type { Pool, PoolClient } from 'pg';

/** Runs `fn` in a transaction on a client of `pool`: COMMIT when it resolves, ROLLBACK when it throws (its error is rethrown). */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

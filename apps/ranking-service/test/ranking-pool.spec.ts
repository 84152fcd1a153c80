import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import type { Pool } from 'pg';
import { rankingPoolConfig } from '../src/bootstrap';

/** The service's own connections: what PostgreSQL sees them set to. */
describe('rankingPoolConfig', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = db.pool(rankingPoolConfig(db.url));
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('turns JIT compilation off and names the application (the log aggregates paid ~480 ms of JIT per run)', async () => {
    const { rows } = await pool.query(`SELECT current_setting('jit') AS jit, current_setting('application_name') AS app`);
    expect(rows[0]).toEqual({ jit: 'off', app: 'ranking-service' });
  });
});

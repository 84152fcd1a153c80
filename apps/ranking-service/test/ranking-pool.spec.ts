import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { Pool } from 'pg';
import { rankingPoolConfig } from '../src/ranking-parts';

/** The service's own connections: what PostgreSQL sees them set to. */
describe('rankingPoolConfig', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool(rankingPoolConfig(db.url));
    // pool.end() resolves before its clients have closed; the FORCE drop that follows may terminate one.
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('turns JIT compilation off and names the application (the log aggregates paid ~480 ms of JIT per run)', async () => {
    const { rows } = await pool.query(`SELECT current_setting('jit') AS jit, current_setting('application_name') AS app`);
    expect(rows[0]).toEqual({ jit: 'off', app: 'ranking-service' });
  });
});

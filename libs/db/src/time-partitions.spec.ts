import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from './testing';
import { TimePartitions, type PartitionInfo } from './time-partitions';

let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
  pool = new Pool({ connectionString: db.url, max: 3 });
}, 30_000);
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const partitions = async (table: string) =>
  (await pool.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1`, [table])).rows.map(
    (r) => r.name,
  );

describe('TimePartitions', () => {
  it('daily: makes today and the days ahead, routes rows, drops whole days past retention after the hook, and a converted table’s old partition by its end', async () => {
    await pool.query(`CREATE TABLE daily_log (at timestamptz NOT NULL, v int NOT NULL) PARTITION BY RANGE (at)`);
    // What a migration that converts a table leaves: the old rows as one partition, open at the start.
    await pool.query(`CREATE TABLE daily_log_before (at timestamptz NOT NULL, v int NOT NULL)`);
    await pool.query(`ALTER TABLE daily_log ATTACH PARTITION daily_log_before FOR VALUES FROM (MINVALUE) TO ('2026-11-20 00:00:00+00')`);
    await pool.query(`INSERT INTO daily_log VALUES ('2026-11-19 23:00:00+00', 1)`);
    const p = new TimePartitions(pool, { table: 'daily_log', unit: 'day', ahead: 2, retentionDays: 10 });
    // A day the old partition covers gets no partition of its own (it would overlap).
    await p.ensure(['2026-11-19']);
    expect(await partitions('daily_log')).toEqual(['daily_log_before']);

    const first = await p.maintain(new Date('2026-11-25T12:00:00Z'));
    expect(first).toEqual({ created: ['daily_log_p20261125', 'daily_log_p20261126', 'daily_log_p20261127'], dropped: [] });
    await p.ensure([p.keyOf(new Date('2026-11-22T03:00:00Z'))]);
    await pool.query(`INSERT INTO daily_log VALUES ('2026-11-22 03:00:00+00', 2), ('2026-11-25 23:59:59.999+00', 3), ('2026-11-26 00:00:00+00', 4)`);
    const where = async (v: number) => (await pool.query(`SELECT tableoid::regclass::text AS t FROM daily_log WHERE v = $1`, [v])).rows[0].t;
    expect([await where(1), await where(2), await where(3), await where(4)]).toEqual(['daily_log_before', 'daily_log_p20261122', 'daily_log_p20261125', 'daily_log_p20261126']);

    // 10 days later: the cutoff is 2026-11-25 12:00; every partition that ended at or before it goes, the current one stays.
    const seen: { partition: PartitionInfo; rows: number }[] = [];
    const later = await p.maintain(new Date('2026-12-05T12:00:00Z'), async (client, partition) => {
      const rows = Number((await client.query(`SELECT count(*) AS n FROM ${partition.name}`)).rows[0].n);
      seen.push({ partition, rows });
    });
    expect(later.dropped).toEqual(['daily_log_before', 'daily_log_p20261122']);
    expect(seen).toEqual([
      { partition: { name: 'daily_log_before', start: null, end: new Date('2026-11-20T00:00:00Z') }, rows: 1 },
      { partition: { name: 'daily_log_p20261122', start: new Date('2026-11-22T00:00:00Z'), end: new Date('2026-11-23T00:00:00Z') }, rows: 1 },
    ]);
    expect(later.created).toEqual(['daily_log_p20261205', 'daily_log_p20261206', 'daily_log_p20261207']);
    expect(await partitions('daily_log')).toEqual(['daily_log_p20261125', 'daily_log_p20261126', 'daily_log_p20261127', 'daily_log_p20261205', 'daily_log_p20261206', 'daily_log_p20261207']);
  });

  it('a failing hook keeps the partition and its rows (drop and hook are one transaction)', async () => {
    await pool.query(`CREATE TABLE hook_log (at timestamptz NOT NULL) PARTITION BY RANGE (at)`);
    const p = new TimePartitions(pool, { table: 'hook_log', unit: 'day', ahead: 0, retentionDays: 1 });
    await p.ensure(['2026-11-01']);
    await pool.query(`INSERT INTO hook_log VALUES ('2026-11-01 10:00:00+00')`);
    const failing = p.maintain(new Date('2026-11-05T00:00:00Z'), async (client) => {
      await client.query(`CREATE TABLE hook_side_effect (x int)`);
      throw new Error('aggregate failed');
    });
    await expect(failing).rejects.toThrow('aggregate failed');
    expect(await partitions('hook_log')).toContain('hook_log_p20261101');
    expect((await pool.query(`SELECT count(*)::int AS n FROM hook_log`)).rows[0].n).toBe(1);
    expect((await pool.query(`SELECT to_regclass('hook_side_effect') AS t`)).rows[0].t).toBeNull();
  });

  it('monthly: keys, names and month ranges in UTC, across a year end', async () => {
    await pool.query(`CREATE TABLE monthly_log (at timestamptz NOT NULL) PARTITION BY RANGE (at)`);
    const p = new TimePartitions(pool, { table: 'monthly_log', unit: 'month', ahead: 1, retentionDays: 400 });
    expect(p.keyOf(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12');
    const run = await p.maintain(new Date('2026-12-31T23:00:00Z'));
    expect(run.created).toEqual(['monthly_log_p202612', 'monthly_log_p202701']);
    expect((await p.list()).map((x) => x.end)).toEqual([new Date('2027-01-01T00:00:00Z'), new Date('2027-02-01T00:00:00Z')]);
  });
});

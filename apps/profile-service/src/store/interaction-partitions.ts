import type { Pool } from 'pg';

const DAY_MS = 86_400_000;

/** 'YYYY-MM' of a time, in UTC: the month whose partition holds it. */
export const monthOf = (t: Date): string => t.toISOString().slice(0, 7);

/** The partition of a month: interactions_pYYYYMM. */
export const partitionOf = (month: string): string => `interactions_p${month.replace('-', '')}`;

/** The first instant of the month after `month` (UTC). */
function monthEnd(month: string): Date {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1));
}

/**
 * The monthly partitions of `interactions` (migration 023). A batch asks for
 * the months it writes before its transaction (`ensure`): creating a partition
 * locks the parent table, so it happens rarely and never inside a batch. The
 * maintenance job (`maintain`) creates the current month and the next two ahead
 * and drops every partition that ended before the retention cutoff. Creation
 * is serialised across processes by an advisory lock.
 */
export class InteractionPartitions {
  private readonly known = new Set<string>();

  constructor(
    private readonly pool: Pool,
    readonly retentionDays: number,
  ) {}

  /** Interactions before this are neither stored nor kept. */
  cutoff(now: Date): Date {
    return new Date(now.getTime() - this.retentionDays * DAY_MS);
  }

  /** Makes sure the partitions of `months` exist (the ones this process has not seen yet are created if missing). */
  async ensure(months: Iterable<string>): Promise<void> {
    const missing = [...new Set(months)].filter((m) => !this.known.has(m)).sort();
    if (missing.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('recsys:interactions:partitions'))`);
      for (const month of missing) {
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${partitionOf(month)} PARTITION OF interactions FOR VALUES FROM ('${month}-01 00:00:00+00') TO ('${monthEnd(month).toISOString()}')`,
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    for (const month of missing) this.known.add(month);
  }

  /** The job: this month and the next two exist; partitions wholly before the cutoff are dropped. */
  async maintain(now: Date): Promise<{ created: string[]; dropped: string[] }> {
    const ahead = [0, 1, 2].map((k) => monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1))));
    const existing = await this.list();
    const created = ahead.filter((m) => !existing.includes(m));
    this.known.clear(); // another process may have dropped some: ask the database again
    await this.ensure(ahead);
    const cutoff = this.cutoff(now);
    const dropped = existing.filter((m) => monthEnd(m) <= cutoff);
    for (const month of dropped) await this.pool.query(`DROP TABLE IF EXISTS ${partitionOf(month)}`);
    return { created, dropped };
  }

  /** The months that have a partition, oldest first. */
  async list(): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'interactions'::regclass ORDER BY 1`,
    );
    return rows.map((r) => /^interactions_p(\d{4})(\d{2})$/.exec(r.name)).flatMap((m) => (m ? [`${m[1]}-${m[2]}`] : []));
  }
}

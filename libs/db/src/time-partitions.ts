import type { Pool, PoolClient } from 'pg';
import { withTransaction } from './transaction';

const DAY_MS = 86_400_000;

/** How long one partition spans: a UTC calendar month or day. */
export type PartitionUnit = 'month' | 'day';

export interface TimePartitionsOptions {
  /** The partitioned table (PARTITION BY RANGE over a timestamptz column). */
  table: string;
  unit: PartitionUnit;
  /** Partitions kept ready after the current one (the maintenance job creates them). */
  ahead: number;
  /** Partitions that ended before now − retentionDays are dropped whole. */
  retentionDays: number;
}

/** A partition and its range: [start, end); start null = open (MINVALUE). */
export interface PartitionInfo {
  name: string;
  start: Date | null;
  end: Date;
}

/**
 * Run inside the dropping transaction, just before a partition is dropped:
 * what must outlive its rows (daily aggregates) is written here, so rows are
 * either still in the partition or in what was made of them, never in both or neither.
 */
export type BeforeDrop = (client: PoolClient, partition: PartitionInfo) => Promise<void>;

/**
 * The time partitions of one table (declarative range partitioning), named
 * `<table>_pYYYYMM` (months) or `<table>_pYYYYMMDD` (days), UTC.
 *
 * Writers call `ensure` with the keys their batch needs before writing
 * (creating a partition locks the parent table, so it is done rarely, outside
 * the writing transaction, and remembered); the maintenance job (`maintain`)
 * creates the current partition and `ahead` more and drops each partition
 * whose range ended before the retention cutoff — including ones not named by
 * this scheme (a table converted by a migration keeps its old rows as one
 * partition, dropped when its range has passed). Creation is serialised across
 * processes by an advisory lock.
 */
export class TimePartitions {
  private readonly known = new Set<string>();

  constructor(
    private readonly pool: Pool,
    readonly options: TimePartitionsOptions,
  ) {}

  /** Rows before this are neither stored nor kept. */
  cutoff(now: Date): Date {
    return new Date(now.getTime() - this.options.retentionDays * DAY_MS);
  }

  /** The key of the partition holding `t`: 'YYYY-MM' or 'YYYY-MM-DD'. */
  keyOf(t: Date): string {
    return t.toISOString().slice(0, this.options.unit === 'month' ? 7 : 10);
  }

  /** The partition table of a key. */
  nameOf(key: string): string {
    return `${this.options.table}_p${key.replace(/-/g, '')}`;
  }

  /**
   * Makes sure the partitions of `keys` exist (the ones this process has not seen yet are created if missing).
   * A key whose range an existing partition already covers (a converted table's old rows) gets none.
   * Returns the partitions it created.
   */
  async ensure(keys: Iterable<string>): Promise<string[]> {
    const missing = [...new Set(keys)].filter((k) => !this.known.has(k)).sort();
    if (missing.length === 0) return [];
    const created = await withTransaction(this.pool, async (client) => {
      await this.lock(client);
      const existing = await this.list(client);
      const made: string[] = [];
      for (const key of missing) {
        const [start, end] = this.rangeOf(key);
        if (existing.some((p) => (p.start === null || p.start <= start) && p.end >= end)) continue;
        await client.query(
          `CREATE TABLE ${this.nameOf(key)} PARTITION OF ${this.options.table} FOR VALUES FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`,
        );
        made.push(this.nameOf(key));
      }
      return made;
    });
    for (const key of missing) this.known.add(key);
    return created;
  }

  /** The job: the current partition and `ahead` more exist; partitions that ended before the cutoff are dropped (after `beforeDrop`). Returns partition names. */
  async maintain(now: Date, beforeDrop?: BeforeDrop): Promise<{ created: string[]; dropped: string[] }> {
    const keys = Array.from({ length: this.options.ahead + 1 }, (_, k) => this.keyOf(this.step(now, k)));
    this.known.clear(); // another process may have dropped some: ask the database again
    const created = await this.ensure(keys);
    const cutoff = this.cutoff(now);
    const dropped: string[] = [];
    for (const partition of await this.list()) {
      if (partition.end > cutoff) continue;
      await withTransaction(this.pool, async (client) => {
        // Taken first, so a concurrent maintainer waits here and then finds the partition gone.
        await this.lock(client);
        const still = await client.query(`SELECT 1 FROM pg_class WHERE relname = $1 AND relkind IN ('r', 'p')`, [partition.name]);
        if (still.rowCount === 0) return;
        await beforeDrop?.(client, partition);
        await client.query(`DROP TABLE ${partition.name}`);
        dropped.push(partition.name);
      });
    }
    return { created, dropped };
  }

  /** Every partition of the table with the end of its range, oldest first. */
  async list(db: Pool | PoolClient = this.pool): Promise<PartitionInfo[]> {
    const { rows } = await db.query<PartitionInfo>(
      `SELECT c.relname AS name,
              substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \\(''([^'']+)''\\)')::timestamptz AS start,
              substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([^'']+)''\\)')::timestamptz AS end
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass
        ORDER BY 3`,
      [this.options.table],
    );
    return rows;
  }

  /** The start of the unit `k` units after the one holding `t`. */
  private step(t: Date, k: number): Date {
    return this.options.unit === 'month'
      ? new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + k, 1))
      : new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + k));
  }

  private rangeOf(key: string): [Date, Date] {
    const start = new Date(`${this.options.unit === 'month' ? `${key}-01` : key}T00:00:00Z`);
    return [start, this.step(start, 1)];
  }

  /** Serialises creating and dropping this table's partitions across processes (for the transaction). */
  private async lock(client: PoolClient): Promise<void> {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`recsys:${this.options.table}:partitions`]);
  }
}

import { Pool, type PoolClient } from 'pg';
import { lifecycleSql } from '../lifecycle';
import { currentLastVisit, SETTLE_DERIVED } from './derived-sql';
import { TimePartitions, withTransaction } from '@recsys/db';
import { CLEAR_PENDING, LOCK_PENDING } from './pending-sql';
import type { ProfileDatabase, ProfileStoreOptions } from './profile-database';
import { forgetInactiveVisitors } from './profile-retention';
import { WebsiteProfiles } from './website-profiles';
import { UPSERT_WEBSITES, type WebsiteRecord } from './websites';

export type { ProfileStoreOptions } from './profile-database';

/**
 * Entry point to profile data. There is deliberately no method that reads or
 * writes profiles without a website: callers get a `WebsiteProfiles` bound to
 * one website id (`forWebsite`) and every statement it runs carries that id.
 * The only cross-website operations are the maintenance ones below, which
 * still work one website at a time.
 */
export class ProfileStore implements ProfileDatabase {
  /** website id → reference price and when it was computed (see WebsiteProfiles). */
  readonly referencePrices = new Map<string, { median: number | null; at: number }>();
  /** The interaction log's monthly partitions (migration 023): the current month and two ahead. */
  readonly interactions: TimePartitions;

  constructor(
    private readonly pool: Pool,
    readonly options: ProfileStoreOptions,
  ) {
    this.interactions = new TimePartitions(pool, { table: 'interactions', unit: 'month', ahead: 2, retentionDays: options.interactionRetentionDays });
  }

  forWebsite(websiteId: string): WebsiteProfiles {
    return new WebsiteProfiles(this, websiteId);
  }

  /** Runs `fn` in one transaction on one connection; rolls back on any error. */
  transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, fn);
  }

  /** One statement outside a transaction; `name` makes it a prepared statement (parsed and planned once per connection). */
  query<R extends object>(sql: string, params: unknown[], name?: string): Promise<R[]> {
    return this.pool.query<R & Record<string, unknown>>({ text: sql, values: params, name }).then((r) => r.rows as R[]);
  }

  /** UpsertWebsites: creates missing websites, updates changed names and domains, leaves matching rows unwritten. */
  async upsertWebsites(websites: WebsiteRecord[]): Promise<{ created: number; updated: number; unchanged: number }> {
    const rows = await this.query<{ created: boolean }>(UPSERT_WEBSITES, [
      websites.map((w) => w.websiteId),
      websites.map((w) => w.name),
      websites.map((w) => w.domain),
    ]);
    const created = rows.filter((r) => r.created).length;
    return { created, updated: rows.length - created, unchanged: websites.length - rows.length };
  }

  /**
   * The periodic job: re-evaluates the stored lifecycle_stage of every
   * profile against `now` (reads evaluate it themselves; the column is for
   * SQL users, the trainer and indexes), and forgets event ids older than the
   * retention period. One website at a time, each its own statement.
   */
  async refreshLifecycles(now: Date): Promise<{ websites: number; profilesChanged: number; eventIdsPurged: number; profilesForgotten: number }> {
    const { lifecycle, eventIdRetentionDays, profileRetentionDays } = this.options;
    const forgetBefore = new Date(now.getTime() - profileRetentionDays * 86_400_000);
    let profilesForgotten = 0;
    const lastVisit = currentLastVisit('p');
    const stage = lifecycleSql('$2', '$3', '$4', '$5', 'p.first_visit', lastVisit).expr;
    const websites = await this.query<{ website_id: string }>('SELECT website_id FROM website ORDER BY website_id', []);
    const cutoff = new Date(now.getTime() - eventIdRetentionDays * 86_400_000);
    let profilesChanged = 0;
    let eventIdsPurged = 0;
    for (const { website_id } of websites) {
      const updated = await this.pool.query(
        // SKIP LOCKED: rows a batch holds are being rewritten with a fresh stage anyway, and waiting on
        // them while holding others (in scan order, not the batches' sorted order) could deadlock a batch.
        `UPDATE user_profiles AS u SET lifecycle_stage = due.stage
         FROM (SELECT p.user_id, ${stage} AS stage FROM user_profiles p WHERE p.website_id = $1 AND p.lifecycle_stage IS DISTINCT FROM ${stage}
               FOR UPDATE SKIP LOCKED) AS due
         WHERE u.website_id = $1 AND u.user_id = due.user_id`,
        [website_id, now.toISOString(), lifecycle.newDays, lifecycle.atRiskDays, lifecycle.churnedDays],
      );
      profilesChanged += updated.rowCount ?? 0;
      const purged = await this.pool.query('DELETE FROM profile_event_ids WHERE website_id = $1 AND received_at < $2', [website_id, cutoff.toISOString()]);
      eventIdsPurged += purged.rowCount ?? 0;
      profilesForgotten += await forgetInactiveVisitors(this.pool, website_id, forgetBefore);
    }
    return { websites: websites.length, profilesChanged, eventIdsPurged, profilesForgotten };
  }

  /**
   * The settle job: writes back the derived fields of stale profiles
   * (derived-sql.ts), one website at a time, in chunks of `chunk` profiles,
   * each chunk its own transaction of two statements: lock the stale rows
   * (SKIP LOCKED: a batch holding one is about to make it stale again; it is
   * settled next time), then recompute and mark them settled. The second
   * statement's snapshot is taken once the locks are held, so it sees every
   * batch committed on those profiles and no batch can commit on them before
   * it does: the version it marks settled is the one it computed.
   */
  async settleDerived(now: Date, chunk = 500): Promise<{ profilesSettled: number }> {
    const websites = await this.query<{ website_id: string }>('SELECT website_id FROM website ORDER BY website_id', []);
    let profilesSettled = 0;
    for (const { website_id } of websites) {
      const site = this.forWebsite(website_id);
      // Bounded per run, so a website under constant traffic cannot keep the job from the next one.
      for (let round = 0; round < 100; round++) {
        const reference = await site.referencePrice(now);
        const settled = await this.transaction(async (tx) => {
          const { rows } = await tx.query<{ user_id: string }>({ name: 'profiles-settle-lock', text: LOCK_PENDING, values: [website_id, chunk] });
          if (rows.length > 0) {
            const users = rows.map((r) => r.user_id);
            await tx.query({ name: 'profiles-settle', text: SETTLE_DERIVED, values: [website_id, users, reference] });
            await tx.query({ name: 'profiles-settle-clear', text: CLEAR_PENDING, values: [website_id, users] });
          }
          return rows.length;
        });
        profilesSettled += settled;
        if (settled < chunk) break;
      }
    }
    return { profilesSettled };
  }
}

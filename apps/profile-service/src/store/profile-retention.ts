import type { Pool } from 'pg';
import { withTransaction } from '@recsys/db';
import { currentLastVisit } from './derived-sql';

/**
 * The per-visitor tables a forgotten visitor leaves nothing in. Not here:
 * `profile_event_ids` (purged by age, EVENT_ID_RETENTION_DAYS) and
 * `interactions` (the item signals' log, dropped by month at
 * INTERACTION_RETENTION_DAYS): both have their own, shorter or equal, bound.
 */
const VISITOR_TABLES = ['profile_sessions', 'profile_affinities', 'profile_prices', 'profile_orders', 'profile_pending'] as const;

/**
 * Forgets one website's visitors last seen before `cutoff`: their profile and
 * every per-visitor row, `chunk` visitors per transaction. SKIP LOCKED: a
 * visitor a batch is writing is being seen right now. Returns how many
 * profiles were deleted.
 */
export async function forgetInactiveVisitors(pool: Pool, websiteId: string, cutoff: Date, chunk = 1000): Promise<number> {
  let forgotten = 0;
  for (;;) {
    const n = await withTransaction(pool, async (tx) => {
      const gone = await tx.query<{ user_id: string }>(
        `SELECT p.user_id FROM user_profiles p WHERE p.website_id = $1 AND ${currentLastVisit('p')} < $2 LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [websiteId, cutoff.toISOString(), chunk],
      );
      const ids = gone.rows.map((r) => r.user_id);
      if (ids.length === 0) return 0;
      for (const table of VISITOR_TABLES) await tx.query(`DELETE FROM ${table} WHERE website_id = $1 AND user_id = ANY($2::text[])`, [websiteId, ids]);
      await tx.query('DELETE FROM user_profiles WHERE website_id = $1 AND user_id = ANY($2::text[])', [websiteId, ids]);
      return ids.length;
    });
    forgotten += n;
    if (n < chunk) return forgotten;
  }
}

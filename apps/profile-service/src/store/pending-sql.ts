/*
 * The profiles a batch left pending (profile_pending, migration 019) and the
 * statements that settle them: ListProfiles catching last_visit up before it
 * sorts by it, and the settle job taking and clearing chunks. The derived
 * fields themselves are derived-sql.ts's.
 */

/** Pending profiles with their rows (`up`), for the two statements below. */
const PENDING_PROFILES = `profile_pending pp JOIN user_profiles up ON up.website_id = pp.website_id AND up.user_id = pp.user_id`;

/**
 * ListProfiles orders and filters by last_visit, which lags last_seen_at until
 * a profile is settled: before reading, the listed website's pending profiles
 * get last_visit = last_seen_at ($1 website). SKIP LOCKED: a row locked by a
 * batch holds changes this read cannot see anyway; sorted, like the batches.
 */
export const CATCH_UP_LAST_VISIT = `UPDATE user_profiles AS p SET last_visit = p.last_seen_at
  FROM (SELECT up.user_id FROM ${PENDING_PROFILES}
         WHERE pp.website_id = $1 AND up.last_seen_at > up.last_visit
         ORDER BY up.user_id FOR UPDATE OF up SKIP LOCKED) d
  WHERE p.website_id = $1 AND p.user_id = d.user_id`;

/** The settle job's chunk ($1 website, $2 size): pending profiles, locked (SKIP LOCKED: a batch holds it). */
export const LOCK_PENDING = `SELECT up.user_id FROM ${PENDING_PROFILES}
   WHERE pp.website_id = $1 ORDER BY up.user_id LIMIT $2 FOR UPDATE OF up SKIP LOCKED`;

/** After settling them ($1 website, $2 user ids, still locked): no longer pending. */
export const CLEAR_PENDING = `DELETE FROM profile_pending WHERE website_id = $1 AND user_id = ANY($2::text[])`;

/*
 * The locks profile-service's writes take: the website (every write
 * transaction) and one user's profile row (erasure). A TrackEvents batch locks
 * its users' rows through its sorted upsert (ingest-sql.ts) instead.
 */

/** The same lock for one user, when erasing (no row is created). */
export const LOCK_PROFILE = `SELECT 1 FROM user_profiles WHERE website_id = $1 AND user_id = $2 FOR UPDATE`;

export const WEBSITE_EXISTS = `SELECT 1 FROM website WHERE website_id = $1 AND deleted_at IS NULL`;

/**
 * The website check of a write transaction. The bookkeeping tables have no
 * foreign key (migration 017): this one lock stands in for their per-row
 * checks, so a concurrent DELETE of the website waits for the batch and its
 * trigger then removes the batch's rows as well.
 */
export const LOCK_WEBSITE = `${WEBSITE_EXISTS} FOR KEY SHARE`;

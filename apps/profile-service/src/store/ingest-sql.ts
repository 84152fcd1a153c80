import { FAVOURITE_WEIGHTS, kindWeightSql } from '@recsys/features';

/*
 * The set-based statements of one TrackEvents batch (see WebsiteProfiles.track).
 * Events travel as parallel arrays, so one round trip handles any number of
 * them; new facts are combined with stored ones with order-independent math
 * (sums, LEAST/GREATEST, "latest wins" with a deterministic tie-break), so the
 * result does not depend on arrival order or on how events are batched.
 */

/** The events as rows: $2..$14 → e(u, s, t, k, d, top, sd, item, cat, brand, price, rev, ord). */
const EVENT_ARRAYS = `$2::text[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[], $7::int[], $8::int[],
  $9::text[], $10::text[], $11::text[], $12::numeric[], $13::numeric[], $14::text[]`;
const EVENT_COLUMNS = 'u, s, t, k, d, top, sd, item, cat, brand, price, rev, ord';

const PAGE = `('page_view', 'product_view')`;
const WEIGHTED = `('product_view', 'item_view', 'add_to_cart', 'purchase')`;
const PRODUCT_VIEWS = `('product_view', 'item_view')`;

/**
 * Dedupe ($1 website, $2 event ids, $3 their users, $4 now): only ids never
 * seen come back. Inserted in id order, so two batches sharing ids wait on
 * each other in one direction only.
 */
export const INSERT_EVENT_IDS = `INSERT INTO profile_event_ids (website_id, event_id, user_id, received_at)
  SELECT $1, x.id, x.u, $4 FROM unnest($2::text[], $3::text[]) AS x(id, u) ORDER BY x.id
  ON CONFLICT (website_id, event_id) DO NOTHING RETURNING event_id`;

/**
 * From the fresh events ($1 website, $2..$14) in one statement: the
 * per-session facts, the favourites' weights (PRODUCT_VIEW 1, ADD_TO_CART 3,
 * PURCHASE 5), the price observations, the new order ids and the users'
 * profile_pending entries. Runs after
 * UPSERT_PROFILES, so the batch holds its users' row locks and every row
 * written here (all keyed by user) is contended by no other batch.
 */
export const RECORD_BOOKKEEPING = `WITH ev AS MATERIALIZED (
    SELECT * FROM unnest(${EVENT_ARRAYS}) AS e(${EVENT_COLUMNS})
  ), sessions AS (
    INSERT INTO profile_sessions AS ps
      (website_id, user_id, session_id, first_at, last_at, page_views, other_events, device, device_at)
    SELECT $1, u, s, min(t), max(t),
      count(*) FILTER (WHERE k IN ${PAGE}), count(*) FILTER (WHERE k NOT IN ${PAGE}),
      (array_agg(d ORDER BY t DESC, d DESC) FILTER (WHERE d IS NOT NULL))[1], max(t) FILTER (WHERE d IS NOT NULL)
    FROM ev GROUP BY u, s ORDER BY u, s
    ON CONFLICT (website_id, user_id, session_id) DO UPDATE SET
      first_at = LEAST(ps.first_at, EXCLUDED.first_at),
      last_at = GREATEST(ps.last_at, EXCLUDED.last_at),
      page_views = ps.page_views + EXCLUDED.page_views,
      other_events = ps.other_events + EXCLUDED.other_events,
      device = CASE WHEN EXCLUDED.device_at IS NOT NULL AND (ps.device_at IS NULL
        OR (EXCLUDED.device_at, EXCLUDED.device) > (ps.device_at, ps.device)) THEN EXCLUDED.device ELSE ps.device END,
      device_at = GREATEST(ps.device_at, EXCLUDED.device_at)
  ), affinities AS (
    INSERT INTO profile_affinities AS pa (website_id, user_id, kind, value, weight, last_at)
    SELECT $1, u, kv.kind, kv.value, sum(w.weight), max(t)
    FROM ev
    CROSS JOIN LATERAL (SELECT ${kindWeightSql('k', FAVOURITE_WEIGHTS)} AS weight) w
    CROSS JOIN LATERAL (VALUES ('category', cat), ('product', item), ('brand', brand)) AS kv(kind, value)
    WHERE w.weight IS NOT NULL AND kv.value IS NOT NULL
    GROUP BY u, kv.kind, kv.value ORDER BY 2, 3, 4
    ON CONFLICT (website_id, user_id, kind, value) DO UPDATE SET
      weight = pa.weight + EXCLUDED.weight, last_at = GREATEST(pa.last_at, EXCLUDED.last_at)
  ), prices AS (
    INSERT INTO profile_prices AS pp (website_id, user_id, price, observations)
    SELECT $1, u, price, count(*) FROM ev
    WHERE price IS NOT NULL AND k IN ${WEIGHTED}
    GROUP BY u, price ORDER BY u, price
    ON CONFLICT (website_id, user_id, price) DO UPDATE SET observations = pp.observations + EXCLUDED.observations
  ), pending AS (
    -- After the upsert, so with the rows locked: the settle job deletes entries under the same locks.
    INSERT INTO profile_pending (website_id, user_id)
    SELECT DISTINCT $1::uuid, u FROM ev ORDER BY 2
    ON CONFLICT DO NOTHING
  ), new_orders AS (
    INSERT INTO profile_orders (website_id, user_id, order_id)
    SELECT DISTINCT $1::uuid, u, ord FROM ev WHERE k = 'purchase' AND ord IS NOT NULL ORDER BY 2, 3
    ON CONFLICT DO NOTHING RETURNING user_id
  )
  -- total_purchases counts distinct order ids: the upsert added the purchases without one, this the new ids.
  UPDATE user_profiles AS p SET total_purchases = COALESCE(p.total_purchases, 0) + oc.n
  FROM (SELECT user_id, count(*)::int AS n FROM new_orders GROUP BY user_id) oc
  WHERE p.website_id = $1 AND p.user_id = oc.user_id`;

/** What the upsert adds to an existing row `p`; EXCLUDED is the batch's aggregate. */
const NEW = {
  carts: 'p.add_to_cart_count + EXCLUDED.add_to_cart_count',
  productViews: 'p.product_view_count + EXCLUDED.product_view_count',
  topSum: 'p.time_on_page_sum + EXCLUDED.time_on_page_sum',
  topN: 'p.time_on_page_count + EXCLUDED.time_on_page_count',
  sdSum: 'p.scroll_depth_sum + EXCLUDED.scroll_depth_sum',
  sdN: 'p.scroll_depth_count + EXCLUDED.scroll_depth_count',
  first: 'LEAST(p.first_visit, EXCLUDED.first_visit)',
  // last_visit lags last_seen_at until the profile is settled (migration 019): the newest of the three.
  last: 'GREATEST(p.last_seen_at, p.last_visit, EXCLUDED.last_visit)',
};

/**
 * Serializes updates of the same profile and adds the batch to it: one
 * sorted `INSERT … ON CONFLICT DO UPDATE` ($1 website, $2..$14 the fresh
 * events, $15 now, $16..$18 lifecycle thresholds in days) that creates new
 * profiles and adds the batch's per-user aggregate to existing ones:
 * additive counters, first/last visit, the means from their sums, the
 * funnel and the stored lifecycle stage; and bumps derived_version, marking
 * the fields derived from the bookkeeping stale (derived-sql.ts). It moves
 * last_seen_at, not the indexed last_visit, and bumps no indexed column, so
 * the row update can be HOT (migration 019); RECORD_BOOKKEEPING then lists
 * the users in profile_pending for the settle job.
 *
 * A batch holds its profiles' row locks from here to commit, so a
 * concurrent batch for the same user waits here, before it writes anything
 * else. Row locks live in the rows, not in the shared lock table: any number
 * of users per batch works (advisory locks, one per user, failed with "out
 * of shared memory" at 30,000 in one transaction). Sorted by user: no
 * deadlock cycles between batches.
 * `lifecycle(first, last)` is the SQL CASE of lifecycle.ts.
 */
export const upsertProfiles = (lifecycle: (first: string, last: string) => string) => `INSERT INTO user_profiles AS p (
    website_id, user_id, created_at, updated_at, total_pageviews, total_events, total_purchases, total_revenue,
    product_view_count, add_to_cart_count, time_on_page_sum, time_on_page_count, scroll_depth_sum, scroll_depth_count,
    first_visit, last_visit, last_seen_at, avg_time_on_page, avg_scroll_depth, funnel_position, lifecycle_stage,
    favorite_categories, favorite_products, preferred_brands, derived_version)
  SELECT $1, a.u, $15, $15, a.pageviews, a.events, a.unnamed_orders, a.revenue,
    a.product_views, a.carts, a.top_sum, a.top_n, a.sd_sum, a.sd_n,
    a.first_t, a.last_t, a.last_t, CASE WHEN a.top_n > 0 THEN round(a.top_sum::numeric / a.top_n) END,
    CASE WHEN a.sd_n > 0 THEN round(a.sd_sum::numeric / a.sd_n) END,
    -- For an existing row, 'retention' here means "the batch has a purchase" (see the update below).
    CASE WHEN a.purchases > 0 THEN 'retention' WHEN a.carts > 0 THEN 'decision'
      WHEN a.product_views > 0 THEN 'consideration' ELSE 'awareness' END,
    ${lifecycle('a.first_t', 'a.last_t')}, '[]', '[]', '[]', 1
  FROM (
    SELECT u, count(*) FILTER (WHERE k IN ${PAGE}) AS pageviews, count(*) AS events,
      count(*) FILTER (WHERE k = 'purchase') AS purchases,
      count(*) FILTER (WHERE k = 'purchase' AND ord IS NULL) AS unnamed_orders, COALESCE(sum(rev), 0) AS revenue,
      count(*) FILTER (WHERE k IN ${PRODUCT_VIEWS}) AS product_views, count(*) FILTER (WHERE k = 'add_to_cart') AS carts,
      COALESCE(sum(top), 0) AS top_sum, count(top) AS top_n, COALESCE(sum(sd), 0) AS sd_sum, count(sd) AS sd_n,
      min(t) AS first_t, max(t) AS last_t
    FROM unnest(${EVENT_ARRAYS}) AS e(${EVENT_COLUMNS}) GROUP BY u ORDER BY u) a
  ON CONFLICT (website_id, user_id) DO UPDATE SET
    total_pageviews = COALESCE(p.total_pageviews, 0) + EXCLUDED.total_pageviews,
    total_events = COALESCE(p.total_events, 0) + EXCLUDED.total_events,
    total_purchases = COALESCE(p.total_purchases, 0) + EXCLUDED.total_purchases,
    total_revenue = COALESCE(p.total_revenue, 0) + EXCLUDED.total_revenue,
    product_view_count = ${NEW.productViews},
    add_to_cart_count = ${NEW.carts},
    time_on_page_sum = ${NEW.topSum},
    time_on_page_count = ${NEW.topN},
    scroll_depth_sum = ${NEW.sdSum},
    scroll_depth_count = ${NEW.sdN},
    first_visit = ${NEW.first},
    -- Not last_visit: it is indexed, and an update that changes no indexed column can be HOT (migration 019).
    last_seen_at = ${NEW.last},
    avg_time_on_page = CASE WHEN ${NEW.topN} > 0 THEN round((${NEW.topSum})::numeric / (${NEW.topN})) END,
    avg_scroll_depth = CASE WHEN ${NEW.sdN} > 0 THEN round((${NEW.sdSum})::numeric / (${NEW.sdN})) END,
    -- total_purchases >= 1 after the batch iff it was before or the batch has a purchase (with or without order id).
    funnel_position = CASE WHEN COALESCE(p.total_purchases, 0) > 0 OR EXCLUDED.funnel_position = 'retention' THEN 'retention'
      WHEN ${NEW.carts} > 0 THEN 'decision' WHEN ${NEW.productViews} > 0 THEN 'consideration' ELSE 'awareness' END,
    lifecycle_stage = ${lifecycle(NEW.first, NEW.last)},
    derived_version = p.derived_version + 1,
    updated_at = $15`;

/**
 * The interaction log (migration 023): one row per accepted event about an item
 * ($1 website; $2..$13 the rows), in the batch's transaction. The rows' months
 * have partitions already (TimePartitions.ensure, before the batch). ON
 * CONFLICT: an event replayed after its id was forgotten (EVENT_ID_RETENTION_DAYS)
 * is accepted again, as the contract says, but is already in the log; without
 * it the batch failed with INTERNAL.
 */
export const INSERT_INTERACTIONS = `INSERT INTO interactions (website_id, occurred_at, event_id, user_id, session_id, item_id, kind, device, category, price, revenue, order_id, brand)
  SELECT $1, x.t, x.id, x.u, x.s, x.item, x.k, x.d, x.cat, x.price, x.rev, x.ord, x.brand
    FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::numeric[], $11::numeric[], $12::text[], $13::text[])
      AS x(t, id, u, s, item, k, d, cat, price, rev, ord, brand)
  ON CONFLICT DO NOTHING`;

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
const WEIGHTED = `('product_view', 'add_to_cart', 'purchase')`;

/**
 * Serializes updates of the same profile by locking its row, creating it
 * when new ($1 website, $2 users, $3 now), in one sorted pass (no deadlock
 * cycles). A batch holds its profiles' row locks from here to commit, so a
 * concurrent batch for the same user waits here, before it writes anything,
 * and each later statement sees everything committed before it. Row locks
 * live in the rows, not in the shared lock table: any number of users per
 * batch works. (Advisory locks, one per user, draw on the shared lock table,
 * max_locks_per_transaction x max_connections = 6,400 slots by default plus
 * some slack: 10,000 in one transaction passed here, 30,000 failed with "out
 * of shared memory", so a few concurrent 10,000-user batches would fail.)
 * The no-op update is a HOT update (no indexed column changes).
 */
export const LOCK_PROFILES = `INSERT INTO user_profiles AS p (website_id, user_id, created_at, updated_at)
  SELECT $1, u, $3, $3 FROM unnest($2::text[]) AS u ORDER BY u
  ON CONFLICT (website_id, user_id) DO UPDATE SET updated_at = p.updated_at`;

/** The same lock for one user, when erasing (no row is created). */
export const LOCK_PROFILE = `SELECT 1 FROM user_profiles WHERE website_id = $1 AND user_id = $2 FOR UPDATE`;

export const WEBSITE_EXISTS = `SELECT 1 FROM website WHERE website_id = $1 AND deleted_at IS NULL`;

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
 * PURCHASE 5) and the price observations.
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
    CROSS JOIN LATERAL (SELECT CASE k WHEN 'product_view' THEN 1 WHEN 'add_to_cart' THEN 3 WHEN 'purchase' THEN 5 END AS weight) w
    CROSS JOIN LATERAL (VALUES ('category', cat), ('product', item), ('brand', brand)) AS kv(kind, value)
    WHERE w.weight IS NOT NULL AND kv.value IS NOT NULL
    GROUP BY u, kv.kind, kv.value ORDER BY 2, 3, 4
    ON CONFLICT (website_id, user_id, kind, value) DO UPDATE SET
      weight = pa.weight + EXCLUDED.weight, last_at = GREATEST(pa.last_at, EXCLUDED.last_at)
  )
  INSERT INTO profile_prices AS pp (website_id, user_id, price, observations)
  SELECT $1, u, price, count(*) FROM ev
  WHERE price IS NOT NULL AND k IN ('product_view', 'add_to_cart', 'purchase')
  GROUP BY u, price ORDER BY u, price
  ON CONFLICT (website_id, user_id, price) DO UPDATE SET observations = pp.observations + EXCLUDED.observations`;

/**
 * The website's reference price for price sensitivity (profile.proto): the
 * median catalog price, or while the catalog has no prices, the median of
 * every priced event recorded on the website.
 */
export const REFERENCE_PRICE = `SELECT COALESCE(
    (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY price) FROM catalog_items WHERE website_id = $1 AND price IS NOT NULL),
    (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY pp.price)
       FROM profile_prices pp, generate_series(1, pp.observations) WHERE pp.website_id = $1)) AS median`;

/** What the profile update adds to a row; `p` is the row before, `a` the batch's aggregate, `oc` its new orders. */
const NEW = {
  purchases: 'COALESCE(p.total_purchases, 0) + a.unnamed_orders + COALESCE(oc.n, 0)',
  carts: 'p.add_to_cart_count + a.carts',
  productViews: 'p.product_view_count + a.product_views',
  topSum: 'p.time_on_page_sum + a.top_sum',
  topN: 'p.time_on_page_count + a.top_n',
  sdSum: 'p.scroll_depth_sum + a.sd_sum',
  sdN: 'p.scroll_depth_count + a.sd_n',
  first: 'LEAST(p.first_visit, a.first_t)',
  last: 'GREATEST(p.last_visit, a.last_t)',
};

/**
 * The last statement of a batch, one write per profile: the new order ids,
 * the additive counters, and everything derived from the bookkeeping. $1 website, $2..$14 the fresh events, $15 now,
 * $16 reference price (or NULL), $17..$19 lifecycle thresholds in days.
 * `lifecycle(first, last)` is the SQL CASE of lifecycle.ts.
 */
export const updateProfiles = (lifecycle: (first: string, last: string) => string) => `WITH new_orders AS (
    INSERT INTO profile_orders (website_id, user_id, order_id)
    SELECT DISTINCT $1::uuid, u, ord FROM unnest(${EVENT_ARRAYS}) AS e(${EVENT_COLUMNS})
    WHERE k = 'purchase' AND ord IS NOT NULL ORDER BY 2, 3
    ON CONFLICT DO NOTHING RETURNING user_id
  ), oc AS (SELECT user_id, count(*)::int AS n FROM new_orders GROUP BY user_id),
  agg AS (
    SELECT u, count(*) FILTER (WHERE k IN ${PAGE}) AS pageviews, count(*) AS events,
      count(*) FILTER (WHERE k = 'purchase' AND ord IS NULL) AS unnamed_orders, COALESCE(sum(rev), 0) AS revenue,
      count(*) FILTER (WHERE k = 'product_view') AS product_views, count(*) FILTER (WHERE k = 'add_to_cart') AS carts,
      COALESCE(sum(top), 0) AS top_sum, count(top) AS top_n, COALESCE(sum(sd), 0) AS sd_sum, count(sd) AS sd_n,
      min(t) AS first_t, max(t) AS last_t,
      bool_or(k IN ${WEIGHTED} AND num_nonnulls(item, cat, brand) > 0) AS weighted,
      array_agg(DISTINCT cat) FILTER (WHERE k IN ${WEIGHTED} AND cat IS NOT NULL) AS cats,
      array_agg(DISTINCT item) FILTER (WHERE k IN ${WEIGHTED} AND item IS NOT NULL) AS items,
      array_agg(DISTINCT brand) FILTER (WHERE k IN ${WEIGHTED} AND brand IS NOT NULL) AS brands
    FROM unnest(${EVENT_ARRAYS}) AS e(${EVENT_COLUMNS}) GROUP BY u
  )
  UPDATE user_profiles AS p SET
    total_pageviews = COALESCE(p.total_pageviews, 0) + a.pageviews,
    total_events = COALESCE(p.total_events, 0) + a.events,
    total_purchases = ${NEW.purchases},
    total_revenue = COALESCE(p.total_revenue, 0) + a.revenue,
    product_view_count = ${NEW.productViews},
    add_to_cart_count = ${NEW.carts},
    time_on_page_sum = ${NEW.topSum},
    time_on_page_count = ${NEW.topN},
    scroll_depth_sum = ${NEW.sdSum},
    scroll_depth_count = ${NEW.sdN},
    first_visit = ${NEW.first},
    last_visit = ${NEW.last},
    session_count = s.n,
    avg_session_duration = s.duration,
    bounce_rate = s.bounce,
    device_preference = dev.device,
    -- Favourites only change when the batch brought weighted events (their subquery is skipped otherwise).
    favorite_categories = CASE WHEN a.weighted THEN fav.categories ELSE COALESCE(p.favorite_categories, '[]') END,
    favorite_products = CASE WHEN a.weighted THEN fav.products ELSE COALESCE(p.favorite_products, '[]') END,
    preferred_brands = CASE WHEN a.weighted THEN fav.brands ELSE COALESCE(p.preferred_brands, '[]') END,
    price_sensitivity = CASE WHEN pr.n IS NULL OR pr.n < 3 OR $16::float8 IS NULL OR $16::float8 <= 0 THEN NULL
      WHEN pr.median / $16::float8 < 0.8 THEN 'high' WHEN pr.median / $16::float8 > 1.25 THEN 'low' ELSE 'medium' END,
    avg_time_on_page = CASE WHEN ${NEW.topN} > 0 THEN round((${NEW.topSum})::numeric / (${NEW.topN})) END,
    avg_scroll_depth = CASE WHEN ${NEW.sdN} > 0 THEN round((${NEW.sdSum})::numeric / (${NEW.sdN})) END,
    funnel_position = CASE WHEN ${NEW.purchases} > 0 THEN 'retention' WHEN ${NEW.carts} > 0 THEN 'decision'
      WHEN ${NEW.productViews} > 0 THEN 'consideration' ELSE 'awareness' END,
    lifecycle_stage = ${lifecycle(NEW.first, NEW.last)},
    updated_at = $15
  FROM agg a
  LEFT JOIN oc ON oc.user_id = a.u
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS n, round(avg(extract(epoch FROM last_at - first_at)))::int AS duration,
      round(avg(CASE WHEN page_views = 1 AND other_events = 0 THEN 1 ELSE 0 END), 4) AS bounce
    FROM profile_sessions WHERE website_id = $1 AND user_id = a.u) s
  LEFT JOIN LATERAL (
    SELECT device FROM profile_sessions WHERE website_id = $1 AND user_id = a.u AND device IS NOT NULL
    GROUP BY device ORDER BY count(*) DESC, max(last_at) DESC LIMIT 1) dev ON true
  -- Top-k without re-ranking everything: weights and last times only grow, so an entry that was not in
  -- the previous top-k and got nothing new cannot overtake one that was. The new top-k is therefore
  -- among the previous lists plus what this batch touched: only those rows are read and ranked.
  CROSS JOIN LATERAL (
    SELECT COALESCE(jsonb_agg(value ORDER BY rn) FILTER (WHERE kind = 'category' AND rn <= 10), '[]') AS categories,
      COALESCE(jsonb_agg(value ORDER BY rn) FILTER (WHERE kind = 'product' AND rn <= 20), '[]') AS products,
      COALESCE(jsonb_agg(value ORDER BY rn) FILTER (WHERE kind = 'brand' AND rn <= 10), '[]') AS brands
    FROM (SELECT pa.kind, pa.value, row_number() OVER (PARTITION BY pa.kind ORDER BY pa.weight DESC, pa.last_at DESC, pa.value) AS rn
          FROM (SELECT 'category' AS kind, v FROM unnest(a.cats) AS v
                UNION SELECT 'product', v FROM unnest(a.items) AS v
                UNION SELECT 'brand', v FROM unnest(a.brands) AS v
                UNION SELECT x.kind, x.v FROM user_profiles up CROSS JOIN LATERAL (
                    SELECT 'category' AS kind, jsonb_array_elements_text(up.favorite_categories) AS v
                    UNION ALL SELECT 'product', jsonb_array_elements_text(up.favorite_products)
                    UNION ALL SELECT 'brand', jsonb_array_elements_text(up.preferred_brands)) x
                  WHERE up.website_id = $1 AND up.user_id = a.u) AS candidates
          JOIN profile_affinities pa
            ON pa.website_id = $1 AND pa.user_id = a.u AND pa.kind = candidates.kind AND pa.value = candidates.v
          WHERE a.weighted) ranked) fav
  -- The user's median price: percentile_cont(0.5) over the observations with their multiplicity,
  -- from cumulative counts (the two middle observations, averaged) rather than by expanding them.
  CROSS JOIN LATERAL (
    SELECT max(total) AS n,
      (min(price) FILTER (WHERE cum > floor((total - 1) / 2.0)) + min(price) FILTER (WHERE cum > ceil((total - 1) / 2.0)))::float8 / 2 AS median
    FROM (SELECT price, sum(observations) OVER (ORDER BY price) AS cum, sum(observations) OVER () AS total
          FROM profile_prices WHERE website_id = $1 AND user_id = a.u) o) pr
  WHERE p.website_id = $1 AND p.user_id = a.u`;

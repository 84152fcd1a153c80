/*
 * The set-based statements of one TrackEvents batch (see WebsiteProfiles.track).
 * Every statement takes the website ($1) and the accepted events as parallel
 * arrays ($2..$14), so one round trip handles any number of events, and
 * combines new facts with stored ones with order-independent math (sums,
 * LEAST/GREATEST, "latest wins" with a deterministic tie-break): the result
 * does not depend on arrival order or on how events are split into batches.
 */

/** The accepted events as rows: e(u, s, t, k, d, top, sd, item, cat, brand, price, rev, ord). */
const EVENTS = `unnest($2::text[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[], $7::int[], $8::int[],
  $9::text[], $10::text[], $11::text[], $12::numeric[], $13::numeric[], $14::text[])
  AS e(u, s, t, k, d, top, sd, item, cat, brand, price, rev, ord)`;

const PAGE = `('page_view', 'product_view')`;

/**
 * Serializes updates of the same profile: transaction-scoped advisory locks
 * on (website, user), taken in one sorted order so two batches never wait on
 * each other in a cycle. The two-key form keeps them apart from the
 * single-key locks other code takes (migrator, registry).
 */
export const LOCK_USERS = `SELECT count(pg_advisory_xact_lock(1886547558, k))
  FROM (SELECT DISTINCT hashtext($1::text || '/' || u) AS k FROM unnest($2::text[]) AS u ORDER BY k OFFSET 0) s`;

export const WEBSITE_EXISTS = `SELECT 1 FROM website WHERE website_id = $1 AND deleted_at IS NULL`;

/** Dedupe: the ids that were new are returned; the rest were accepted before. */
export const INSERT_EVENT_IDS = `INSERT INTO profile_event_ids (website_id, event_id, user_id, received_at)
  SELECT $1, e.id, e.u, $4 FROM unnest($2::text[], $3::text[]) AS e(id, u) ORDER BY e.id
  ON CONFLICT (website_id, event_id) DO NOTHING RETURNING event_id`;

export const UPSERT_SESSIONS = `INSERT INTO profile_sessions AS ps
    (website_id, user_id, session_id, first_at, last_at, page_views, other_events, device, device_at)
  SELECT $1, u, s, min(t), max(t),
    count(*) FILTER (WHERE k IN ${PAGE}), count(*) FILTER (WHERE k NOT IN ${PAGE}),
    (array_agg(d ORDER BY t DESC, d DESC) FILTER (WHERE d IS NOT NULL))[1], max(t) FILTER (WHERE d IS NOT NULL)
  FROM ${EVENTS} GROUP BY u, s ORDER BY u, s
  ON CONFLICT (website_id, user_id, session_id) DO UPDATE SET
    first_at = LEAST(ps.first_at, EXCLUDED.first_at),
    last_at = GREATEST(ps.last_at, EXCLUDED.last_at),
    page_views = ps.page_views + EXCLUDED.page_views,
    other_events = ps.other_events + EXCLUDED.other_events,
    device = CASE WHEN EXCLUDED.device_at IS NOT NULL AND (ps.device_at IS NULL
      OR (EXCLUDED.device_at, EXCLUDED.device) > (ps.device_at, ps.device)) THEN EXCLUDED.device ELSE ps.device END,
    device_at = GREATEST(ps.device_at, EXCLUDED.device_at)`;

/** Interaction weights (profile.proto favorite_categories): PRODUCT_VIEW 1, ADD_TO_CART 3, PURCHASE 5. */
export const UPSERT_AFFINITIES = `INSERT INTO profile_affinities AS pa (website_id, user_id, kind, value, weight, last_at)
  SELECT $1, u, kv.kind, kv.value, sum(w.weight), max(t)
  FROM ${EVENTS}
  CROSS JOIN LATERAL (SELECT CASE k WHEN 'product_view' THEN 1 WHEN 'add_to_cart' THEN 3 WHEN 'purchase' THEN 5 END AS weight) w
  CROSS JOIN LATERAL (VALUES ('category', cat), ('product', item), ('brand', brand)) AS kv(kind, value)
  WHERE w.weight IS NOT NULL AND kv.value IS NOT NULL
  GROUP BY u, kv.kind, kv.value ORDER BY 2, 3, 4
  ON CONFLICT (website_id, user_id, kind, value) DO UPDATE SET
    weight = pa.weight + EXCLUDED.weight, last_at = GREATEST(pa.last_at, EXCLUDED.last_at)`;

export const UPSERT_PRICES = `INSERT INTO profile_prices AS pp (website_id, user_id, price, observations)
  SELECT $1, u, price, count(*) FROM ${EVENTS}
  WHERE price IS NOT NULL AND k IN ('product_view', 'add_to_cart', 'purchase')
  GROUP BY u, price ORDER BY u, price
  ON CONFLICT (website_id, user_id, price) DO UPDATE SET observations = pp.observations + EXCLUDED.observations`;

/**
 * New order ids and the additive counters in one statement: the orders CTE
 * returns only ids not seen before, so total_purchases grows by distinct
 * orders plus purchases without an order id. $15 = now.
 */
export const UPSERT_COUNTERS = `WITH new_orders AS (
    INSERT INTO profile_orders (website_id, user_id, order_id)
    SELECT DISTINCT $1::uuid, u, ord FROM ${EVENTS} WHERE k = 'purchase' AND ord IS NOT NULL ORDER BY 2, 3
    ON CONFLICT DO NOTHING RETURNING user_id
  ), order_counts AS (SELECT user_id, count(*)::int AS n FROM new_orders GROUP BY user_id),
  agg AS (
    SELECT u, count(*) FILTER (WHERE k IN ${PAGE}) AS pageviews, count(*) AS events,
      count(*) FILTER (WHERE k = 'purchase' AND ord IS NULL) AS unnamed_orders, COALESCE(sum(rev), 0) AS revenue,
      count(*) FILTER (WHERE k = 'product_view') AS product_views, count(*) FILTER (WHERE k = 'add_to_cart') AS carts,
      COALESCE(sum(top), 0) AS top_sum, count(top) AS top_n, COALESCE(sum(sd), 0) AS sd_sum, count(sd) AS sd_n,
      min(t) AS first_t, max(t) AS last_t
    FROM ${EVENTS} GROUP BY u
  )
  INSERT INTO user_profiles AS p (website_id, user_id, total_pageviews, total_events, total_purchases, total_revenue,
    product_view_count, add_to_cart_count, time_on_page_sum, time_on_page_count, scroll_depth_sum, scroll_depth_count,
    first_visit, last_visit, created_at, updated_at)
  SELECT $1, a.u, a.pageviews, a.events, a.unnamed_orders + COALESCE(o.n, 0), a.revenue, a.product_views, a.carts,
    a.top_sum, a.top_n, a.sd_sum, a.sd_n, a.first_t, a.last_t, $15, $15
  FROM agg a LEFT JOIN order_counts o ON o.user_id = a.u ORDER BY a.u
  ON CONFLICT (website_id, user_id) DO UPDATE SET
    total_pageviews = COALESCE(p.total_pageviews, 0) + EXCLUDED.total_pageviews,
    total_events = COALESCE(p.total_events, 0) + EXCLUDED.total_events,
    total_purchases = COALESCE(p.total_purchases, 0) + EXCLUDED.total_purchases,
    total_revenue = COALESCE(p.total_revenue, 0) + EXCLUDED.total_revenue,
    product_view_count = p.product_view_count + EXCLUDED.product_view_count,
    add_to_cart_count = p.add_to_cart_count + EXCLUDED.add_to_cart_count,
    time_on_page_sum = p.time_on_page_sum + EXCLUDED.time_on_page_sum,
    time_on_page_count = p.time_on_page_count + EXCLUDED.time_on_page_count,
    scroll_depth_sum = p.scroll_depth_sum + EXCLUDED.scroll_depth_sum,
    scroll_depth_count = p.scroll_depth_count + EXCLUDED.scroll_depth_count,
    first_visit = LEAST(p.first_visit, EXCLUDED.first_visit),
    last_visit = GREATEST(p.last_visit, EXCLUDED.last_visit),
    updated_at = EXCLUDED.updated_at`;

/**
 * The website's reference price for price sensitivity (profile.proto): the
 * median catalog price, or while the catalog has no prices, the median of
 * every priced event recorded on the website.
 */
export const REFERENCE_PRICE = `SELECT COALESCE(
    (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY price) FROM catalog_items WHERE website_id = $1 AND price IS NOT NULL),
    (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY pp.price)
       FROM profile_prices pp, generate_series(1, pp.observations) WHERE pp.website_id = $1)) AS median`;

/**
 * Recomputes what is derived from the bookkeeping, for the batch's users:
 * $1 website, $2 users, $3 reference price (or NULL), $4 now, $5..$7 the
 * lifecycle thresholds in days. `lifecycle` is the SQL CASE of lifecycle.ts.
 */
export const refreshDerived = (lifecycle: string) => `UPDATE user_profiles AS p SET
    session_count = s.n,
    avg_session_duration = s.duration,
    bounce_rate = s.bounce,
    device_preference = dev.device,
    favorite_categories = fav.categories,
    favorite_products = fav.products,
    preferred_brands = fav.brands,
    price_sensitivity = CASE WHEN pr.n IS NULL OR pr.n < 3 OR $3::float8 IS NULL OR $3::float8 <= 0 THEN NULL
      WHEN pr.median / $3::float8 < 0.8 THEN 'high' WHEN pr.median / $3::float8 > 1.25 THEN 'low' ELSE 'medium' END,
    avg_time_on_page = CASE WHEN p.time_on_page_count > 0 THEN round(p.time_on_page_sum::numeric / p.time_on_page_count) END,
    avg_scroll_depth = CASE WHEN p.scroll_depth_count > 0 THEN round(p.scroll_depth_sum::numeric / p.scroll_depth_count) END,
    funnel_position = CASE WHEN COALESCE(p.total_purchases, 0) > 0 THEN 'retention' WHEN p.add_to_cart_count > 0 THEN 'decision'
      WHEN p.product_view_count > 0 THEN 'consideration' ELSE 'awareness' END,
    lifecycle_stage = ${lifecycle},
    updated_at = $4
  FROM unnest($2::text[]) AS a(user_id)
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS n, round(avg(extract(epoch FROM last_at - first_at)))::int AS duration,
      round(avg(CASE WHEN page_views = 1 AND other_events = 0 THEN 1 ELSE 0 END), 4) AS bounce
    FROM profile_sessions WHERE website_id = $1 AND user_id = a.user_id) s
  LEFT JOIN LATERAL (
    SELECT device FROM profile_sessions WHERE website_id = $1 AND user_id = a.user_id AND device IS NOT NULL
    GROUP BY device ORDER BY count(*) DESC, max(last_at) DESC LIMIT 1) dev ON true
  CROSS JOIN LATERAL (
    SELECT COALESCE(jsonb_agg(value ORDER BY rn) FILTER (WHERE kind = 'category' AND rn <= 10), '[]') AS categories,
      COALESCE(jsonb_agg(value ORDER BY rn) FILTER (WHERE kind = 'product' AND rn <= 20), '[]') AS products,
      COALESCE(jsonb_agg(value ORDER BY rn) FILTER (WHERE kind = 'brand' AND rn <= 10), '[]') AS brands
    FROM (SELECT kind, value, row_number() OVER (PARTITION BY kind ORDER BY weight DESC, last_at DESC, value) AS rn
          FROM profile_affinities WHERE website_id = $1 AND user_id = a.user_id) ranked) fav
  CROSS JOIN LATERAL (
    SELECT (SELECT sum(observations) FROM profile_prices WHERE website_id = $1 AND user_id = a.user_id) AS n,
      (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY pp.price)
         FROM profile_prices pp, generate_series(1, pp.observations) WHERE pp.website_id = $1 AND pp.user_id = a.user_id) AS median) pr
  WHERE p.website_id = $1 AND p.user_id = a.user_id`;

import { kindWeightSql, SIGNAL_WEIGHTS } from '@recsys/features';

/*
 * Item signals from the interaction log (migration 023), for one website, all
 * retained history, each interaction decayed by 0.5^(age / half-life) relative
 * to the computation time, weighted by SIGNAL_WEIGHTS (@recsys/features:
 * product view 1, item view 0.5, add to cart 3, purchase 5).
 */

/** Weight of an interaction of kind `k`. */
const WEIGHT = kindWeightSql('k', SIGNAL_WEIGHTS);
/** Decay of an interaction at the time `t` relative to `now`, with a half-life of `days` (SQL expressions). */
export const decayAt = (t: string, now: string, days: string) =>
  `power(0.5, greatest(0, extract(epoch FROM (${now}::timestamptz - ${t}))) / (${days}::float8 * 86400))`;
/** Decay of an interaction at the time `t` ($2 now, $3 half-life in days). */
const decay = (t: string) => decayAt(t, '$2', '$3');

/**
 * $1 website, $2 now, $3 half-life (days), $4 how many items: the most popular
 * first; with the undecayed weights of the last day and week (trending).
 */
export const ITEM_POPULARITY = `SELECT item_id, sum(${WEIGHT} * d) AS popularity,
       coalesce(sum(d) FILTER (WHERE k IN ('product_view', 'item_view')), 0) AS views,
       coalesce(sum(d) FILTER (WHERE k = 'add_to_cart'), 0) AS carts,
       coalesce(sum(d) FILTER (WHERE k = 'purchase'), 0) AS purchases,
       coalesce(sum(${WEIGHT}) FILTER (WHERE t > $2::timestamptz - interval '1 day'), 0) AS popularity_1d,
       coalesce(sum(${WEIGHT}) FILTER (WHERE t > $2::timestamptz - interval '7 days'), 0) AS popularity_7d
  FROM (SELECT item_id, kind AS k, occurred_at AS t, ${decay('occurred_at')} AS d FROM interactions WHERE website_id = $1 AND occurred_at <= $2) x
 GROUP BY item_id ORDER BY popularity DESC, item_id LIMIT $4`;

/**
 * Bought together ($1 website, $2 now, $3 half-life, $4 the items to answer
 * for, $5 per item): pairs of distinct items purchased in the same order
 * (order_id; without one, the session), each order weighing the decay of the
 * later of the two purchases. Orders of more than 50 distinct items (bulk
 * buys) are left out: they say little and cost a square.
 */
export const ITEM_BOUGHT_TOGETHER = `WITH lines AS (
    SELECT coalesce(order_id, session_id::text) AS basket, item_id, max(occurred_at) AS t
      FROM interactions WHERE website_id = $1 AND occurred_at <= $2 AND kind = 'purchase'
     GROUP BY 1, 2
  ), baskets AS (
    SELECT array_agg(item_id ORDER BY item_id) AS items, array_agg(t ORDER BY item_id) AS times
      FROM lines GROUP BY basket HAVING count(*) BETWEEN 2 AND 50
  ), pairs AS (
    SELECT a.item, b.item AS neighbour, sum(${decay('greatest(a.t, b.t)')}) AS weight
      FROM baskets o
      CROSS JOIN LATERAL unnest(o.items, o.times) AS a(item, t)
      CROSS JOIN LATERAL unnest(o.items, o.times) AS b(item, t)
     WHERE a.item <> b.item AND a.item = ANY($4::text[])
     GROUP BY 1, 2
  )
  SELECT item, neighbour, weight FROM (
    SELECT item, neighbour, weight, row_number() OVER (PARTITION BY item ORDER BY weight DESC, neighbour) AS r FROM pairs
  ) ranked WHERE r <= $5 ORDER BY item, r`;

/**
 * Segment popularity ($1 website, $2 now, $3 half-life, $4 the items to answer
 * for, $5 items per segment): each interaction counts, weighted and decayed
 * as popularity, for its device's segment and for the visitor's stored
 * lifecycle stage (user_profiles, profile-service's own table). The $5 most
 * popular items of each segment.
 */
export const ITEM_SEGMENT_POPULARITY = segmentPopularity('i.occurred_at <= $2 AND i.item_id = ANY($4::text[])');

/** Segment popularity over the interactions `where` selects (alias i), decayed to $2; $5 items per segment. */
export function segmentPopularity(where: string): string {
  return `SELECT segment, item_id, p FROM (
    SELECT s.segment, x.item_id, sum(${WEIGHT} * x.d) AS p,
           row_number() OVER (PARTITION BY s.segment ORDER BY sum(${WEIGHT} * x.d) DESC, x.item_id) AS r
      FROM (SELECT i.item_id, i.kind AS k, i.device, u.lifecycle_stage, ${decay('i.occurred_at')} AS d
              FROM interactions i
              LEFT JOIN user_profiles u ON u.website_id = i.website_id AND u.user_id = i.user_id
             WHERE i.website_id = $1 AND ${where}) x
     CROSS JOIN LATERAL (VALUES ('device:' || x.device), ('lifecycle:' || x.lifecycle_stage)) AS s(segment)
     WHERE s.segment IS NOT NULL
     GROUP BY 1, 2
  ) ranked WHERE r <= $5 ORDER BY segment, r`;
}

/**
 * Co-visitation ($1 website, $2 now, $3 half-life, $4 the items to answer for,
 * $5 neighbours per item, $6 pair budget): pairs of distinct items the same
 * visitor interacted with ("visitors who viewed this also viewed"), each
 * visitor weighing the decay of the later of the two interactions; a
 * visitor's 30 latest distinct items only, so one heavy visitor cannot cost a
 * square of their history. The work is the number of pairs, so it is bounded:
 * visitors are taken most recent first while their pairs (n·(n − 1) each) fit
 * in $6 — older visitors, whose pairs weigh least after decay, are the ones
 * left out on a large log. Items are numbered (by id, so ties still go by id)
 * before pairing: pairs of integers hash and sort far cheaper than of text.
 * The strongest $5 per item.
 */
export const ITEM_CO_VISITATION = `WITH latest AS (
    SELECT user_id, item_id, max(occurred_at) AS t FROM interactions WHERE website_id = $1 AND occurred_at <= $2 GROUP BY user_id, item_id
  ), recent AS (
    SELECT user_id, item_id, ${decay('t')} AS d
      FROM (SELECT user_id, item_id, t, row_number() OVER (PARTITION BY user_id ORDER BY t DESC, item_id) AS n FROM latest) r
     WHERE n <= 30
  ), items AS (
    SELECT item_id, (row_number() OVER (ORDER BY item_id))::int AS k FROM (SELECT DISTINCT item_id FROM recent) x
  ), visitors AS (
    SELECT r.user_id, array_agg(i.k) AS ks, array_agg(r.d) AS ds, count(*) AS c, max(r.d) AS last
      FROM recent r JOIN items i USING (item_id) GROUP BY r.user_id HAVING count(*) > 1
  ), budgeted AS (
    SELECT ks, ds FROM (
      SELECT ks, ds, sum(c * (c - 1)) OVER (ORDER BY last DESC, user_id ROWS UNBOUNDED PRECEDING) AS used FROM visitors
    ) v WHERE used <= $6
  ), pairs AS (
    -- The decay only grows with time: the later interaction's decay is the larger one.
    SELECT a.k AS a, b.k AS b, sum(greatest(a.d, b.d)) AS weight
      FROM budgeted v
      CROSS JOIN LATERAL unnest(v.ks, v.ds) AS a(k, d)
      CROSS JOIN LATERAL unnest(v.ks, v.ds) AS b(k, d)
     WHERE a.k <> b.k AND a.k IN (SELECT k FROM items WHERE item_id = ANY($4::text[]))
     GROUP BY 1, 2
  ), ranked AS (
    SELECT a, b, weight, row_number() OVER (PARTITION BY a ORDER BY weight DESC, b) AS r FROM pairs
  )
  SELECT ia.item_id AS item, ib.item_id AS neighbour, weight
    FROM ranked JOIN items ia ON ia.k = ranked.a JOIN items ib ON ib.k = ranked.b
   WHERE r <= $5 ORDER BY ia.item_id, r`;

/** How long after an item the next one still counts as its next item. */
export const NEXT_ITEM_WINDOW = `interval '1 hour'`;

/**
 * Next items ($1 website, $2 now, $3 half-life, $4 the items to answer for, $5
 * per item): what a visitor interacted with next, within an hour, after each
 * item (a different item), each transition weighing its decay. The strongest
 * $5 per item.
 */
export const ITEM_NEXT_ITEMS = nextItems('occurred_at <= $2', 'item_id = ANY($4::text[])');

/** Next-item steps among the interactions `rows` selects whose steps pass `steps` (over item_id, next_at), decayed to $2; $5 per item. */
export function nextItems(rows: string, steps: string): string {
  return `WITH steps AS (
    SELECT item_id, occurred_at,
           lead(item_id) OVER w AS next_item, lead(occurred_at) OVER w AS next_at
      FROM interactions WHERE website_id = $1 AND ${rows}
    WINDOW w AS (PARTITION BY user_id ORDER BY occurred_at, event_id)
  ), pairs AS (
    SELECT item_id AS item, next_item AS neighbour, sum(${decay('next_at')}) AS weight
      FROM steps
     WHERE next_item IS NOT NULL AND next_item <> item_id AND next_at - occurred_at <= ${NEXT_ITEM_WINDOW} AND ${steps}
     GROUP BY 1, 2
  )
  SELECT item, neighbour, weight FROM (
    SELECT item, neighbour, weight, row_number() OVER (PARTITION BY item ORDER BY weight DESC, neighbour) AS r FROM pairs
  ) ranked WHERE r <= $5 ORDER BY item, r`;
}

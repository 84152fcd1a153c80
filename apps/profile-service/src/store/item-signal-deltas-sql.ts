import { kindWeightSql, SIGNAL_WEIGHTS } from '@recsys/features';
import { decayAt, NEXT_ITEM_WINDOW, nextItems, segmentPopularity } from './item-signals-sql';

/*
 * What the interaction log gained since a full computation (item-signals-sql.ts),
 * for one website: the statements of an item-signal delta. A full computation
 * covers the interactions that occurred up to its cut-off B; a delta covers
 * those after B up to now, so it reads a few minutes of traffic through the
 * primary key (website_id, occurred_at) however long the history is, and is
 * recomputed whole each time (late events whose time is after B are caught by
 * the next delta). Every statement: $1 website, $2 now, $3 half-life (days),
 * $4 B; decay relative to now, as in the full statements.
 *
 * The pair statements (co-visitation, bought together) need each visitor's or
 * order's other items, but reading them from all history would cost what the
 * full computation costs: they look back PAIR_LOOKBACK before B only. Pairs
 * with items touched earlier than that join at the next full computation.
 */

/** How far before the cut-off a delta looks for the other item of a pair: at least a next-item step. */
export const PAIR_LOOKBACK = NEXT_ITEM_WINDOW;

const WEIGHT = kindWeightSql('k', SIGNAL_WEIGHTS);
const decay = (t: string) => decayAt(t, '$2', '$3');

/**
 * Per item: the decayed popularity, views, carts and purchases of the
 * interactions after B ($4); popularity_1d / _7d what each trending window
 * gained (those interactions, undecayed) minus what left it between B and
 * now. `n` counts the rows read, and only grows while anything changes: a
 * delta with the same `n` as the last found nothing new.
 */
export const DELTA_POPULARITY = `SELECT item_id,
       coalesce(sum(${WEIGHT} * ${decay('t')}) FILTER (WHERE t > $4), 0) AS popularity,
       coalesce(sum(${decay('t')}) FILTER (WHERE t > $4 AND k IN ('product_view', 'item_view')), 0) AS views,
       coalesce(sum(${decay('t')}) FILTER (WHERE t > $4 AND k = 'add_to_cart'), 0) AS carts,
       coalesce(sum(${decay('t')}) FILTER (WHERE t > $4 AND k = 'purchase'), 0) AS purchases,
       coalesce(sum(${WEIGHT}) FILTER (WHERE t > $4), 0)
         - coalesce(sum(${WEIGHT}) FILTER (WHERE t > $4::timestamptz - interval '1 day' AND t <= $2::timestamptz - interval '1 day'), 0) AS popularity_1d,
       coalesce(sum(${WEIGHT}) FILTER (WHERE t > $4), 0)
         - coalesce(sum(${WEIGHT}) FILTER (WHERE t > $4::timestamptz - interval '7 days' AND t <= $2::timestamptz - interval '7 days'), 0) AS popularity_7d,
       count(*)::int AS n
  FROM (SELECT item_id, kind AS k, occurred_at AS t FROM interactions
         WHERE website_id = $1 AND (
               (occurred_at > $4 AND occurred_at <= $2)
            OR (occurred_at > $4::timestamptz - interval '1 day' AND occurred_at <= $2::timestamptz - interval '1 day')
            OR (occurred_at > $4::timestamptz - interval '7 days' AND occurred_at <= $2::timestamptz - interval '7 days'))) x
 GROUP BY item_id`;

/**
 * The change in pair weights ($5 per item) for the groups (`key`: a visitor,
 * an order) with an interaction after B. A group adds, for two of its items,
 * the decay of the later one's latest interaction; the full computation
 * already counted the pair with their latest interactions up to B. So each
 * pair with an item touched after B adds now's weight minus B's (none when
 * either item was not the group's yet). `keep` limits a group's items as the
 * full statement does.
 */
function pairDelta(key: string, where: string, keep: string): string {
  return `WITH grouped AS (
    SELECT ${key} AS g, item_id, occurred_at AS t FROM interactions
     WHERE website_id = $1 AND occurred_at > $4::timestamptz - ${PAIR_LOOKBACK} AND occurred_at <= $2 ${where}
  ), touched AS (
    SELECT DISTINCT g FROM grouped WHERE t > $4
  ), latest AS (
    SELECT g, item_id, max(t) AS t, max(t) FILTER (WHERE t <= $4) AS before FROM grouped JOIN touched USING (g) GROUP BY g, item_id
  ), kept AS (
    SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY g ORDER BY t DESC, item_id) AS n, count(*) OVER (PARTITION BY g) AS size FROM latest
    ) r WHERE ${keep}
  ), pairs AS (
    SELECT a.item_id AS item, b.item_id AS neighbour,
           sum(greatest(${decay('a.t')}, ${decay('b.t')})
             - CASE WHEN a.before IS NULL OR b.before IS NULL THEN 0 ELSE greatest(${decay('a.before')}, ${decay('b.before')}) END) AS weight
      FROM kept a JOIN kept b ON a.g = b.g AND a.item_id <> b.item_id
     WHERE a.t > $4 OR b.t > $4
     GROUP BY 1, 2
  )
  SELECT item, neighbour, weight FROM (
    SELECT item, neighbour, weight, row_number() OVER (PARTITION BY item ORDER BY weight DESC, neighbour) AS r FROM pairs WHERE weight > 0
  ) ranked WHERE r <= $5 ORDER BY item, r`;
}

/** Co-visitation's change: a visitor's 30 latest distinct items, as ITEM_CO_VISITATION. */
export const DELTA_CO_VISITATION = pairDelta('user_id', '', 'n <= 30');

/** Bought together's change: an order (else the session) of 2..50 distinct purchased items, as ITEM_BOUGHT_TOGETHER. */
export const DELTA_BOUGHT_TOGETHER = pairDelta('coalesce(order_id, session_id::text)', `AND kind = 'purchase'`, 'size BETWEEN 2 AND 50');

/**
 * Next items' change ($5 per item): the steps whose later interaction is
 * after B. The full computation counted every step up to B, and a step spans
 * at most an hour, so this is exact.
 */
export const DELTA_NEXT_ITEMS = nextItems(`occurred_at > $4::timestamptz - ${PAIR_LOOKBACK} AND occurred_at <= $2`, 'next_at > $4');

/** Segment popularity's change: the interactions after B, per segment as ITEM_SEGMENT_POPULARITY ($5 per segment). */
export const DELTA_SEGMENT_POPULARITY = segmentPopularity('i.occurred_at > $4 AND i.occurred_at <= $2');

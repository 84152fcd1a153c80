// The interaction log the scale benchmarks (bench:signals, bench:train) write
// through SQL, as Umami's tables would be: 10 million events through
// TrackEvents would take the bench minutes before it measured anything.
import type { PoolClient, Client } from 'pg';

/**
 * `interactions` rows for one website: visitors of 20 interactions, in
 * sessions of 5 two minutes apart, each visitor starting somewhere in the last
 * 365 days; items `item-0..items-1` drawn Zipf-like; 85 % product views, 10 %
 * adds to cart, 5 % purchases (the session is the order); a device per visitor
 * and the item's category (`category-<n mod 20>`) on every event. The months
 * it spans get their partitions first, named as profile-service names them.
 */
export async function writeInteractionLog(c: Client | PoolClient, website: string, interactions: number, items: number): Promise<void> {
  await c.query(`DO $$
    DECLARE m date := date_trunc('month', now() - interval '366 days')::date;
    BEGIN
      WHILE m <= date_trunc('month', now())::date LOOP
        EXECUTE format('CREATE TABLE IF NOT EXISTS interactions_p%s PARTITION OF interactions FOR VALUES FROM (%L) TO (%L)',
                       to_char(m, 'YYYYMM'), m, (m + interval '1 month')::date);
        m := (m + interval '1 month')::date;
      END LOOP;
    END $$`);
  await c.query(
    `INSERT INTO interactions (website_id, occurred_at, event_id, user_id, session_id, item_id, kind, device, category, order_id)
     SELECT $1, v.start + (g % 20) * interval '2 minutes', 'e-' || g, 'visitor-' || (g / 20), md5('s' || (g / 5))::uuid,
            'item-' || i.n, CASE WHEN k.r < 0.85 THEN 'product_view' WHEN k.r < 0.95 THEN 'add_to_cart' ELSE 'purchase' END,
            (ARRAY['mobile', 'desktop', 'tablet'])[1 + (g / 20) % 3],
            'category-' || (i.n % 20), CASE WHEN k.r >= 0.95 THEN 'order-' || (g / 5) END
       FROM generate_series(0, $2 - 1) g
      -- Referencing g makes these per row: an uncorrelated LATERAL subquery runs once for the whole insert.
      CROSS JOIN LATERAL (SELECT random() + 0 * g AS r) k
      CROSS JOIN LATERAL (SELECT least($3 - 1, floor($3 * power(random() + 0 * g, 2.5)))::int AS n) i
      CROSS JOIN LATERAL (SELECT now() - interval '365 days' + (abs(hashint4(g / 20)) % (364 * 86400)) * interval '1 second' AS start) v`,
    [website, interactions, items],
  );
  await c.query('ANALYZE interactions');
}

/*
 * The profile fields derived from the bookkeeping tables (migration 010):
 * session count, mean session duration, bounce rate, device preference,
 * favourites (top-k) and price sensitivity. TrackEvents does not compute
 * them (it bumps `derived_version`, migration 011, and lists the profile in
 * `profile_pending`, migration 019); they are computed here,
 * exactly, from the bookkeeping a statement's snapshot sees:
 * - by GetProfile / ListProfiles for the stale profiles they return, so a
 *   read after a successful TrackEvents reflects it;
 * - by the settle job (ProfileStore.settleDerived), which writes them back.
 */

/** Joins to add after `FROM user_profiles <alias>`; `ref` is the reference price placeholder (float8 or NULL). */
export function derivedJoins(alias: string, ref: string, onlyStale = true): string {
  const who = `website_id = ${alias}.website_id AND user_id = ${alias}.user_id`;
  // A qual on the outer row alone is a one-time filter: settled rows skip the subqueries.
  const gate = onlyStale ? `AND ${alias}.derived_version <> ${alias}.derived_settled` : '';
  const top = (kind: string, k: number) => `COALESCE((SELECT jsonb_agg(value ORDER BY weight DESC, last_at DESC, value)
      FROM (SELECT value, weight, last_at FROM profile_affinities WHERE ${who} AND kind = '${kind}' ${gate}
            ORDER BY weight DESC, last_at DESC, value LIMIT ${k}) t), '[]')`;
  return `
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS session_count, round(avg(extract(epoch FROM last_at - first_at)))::int AS avg_session_duration,
      round(avg(CASE WHEN page_views = 1 AND other_events = 0 THEN 1 ELSE 0 END), 4) AS bounce_rate
    FROM profile_sessions WHERE ${who} ${gate}) d_s
  LEFT JOIN LATERAL (
    SELECT device FROM profile_sessions WHERE ${who} AND device IS NOT NULL ${gate}
    GROUP BY device ORDER BY count(*) DESC, max(last_at) DESC LIMIT 1) d_dev ON true
  CROSS JOIN LATERAL (
    SELECT ${top('category', 10)} AS categories, ${top('product', 20)} AS products, ${top('brand', 10)} AS brands) d_fav
  -- Not gated: price sensitivity compares the user's median with the website's reference, which moves
  -- with other users' events, so it is evaluated on every read (a settled profile's stored value would
  -- depend on when it was settled, i.e. on how its events were split into batches).
  -- The user's median price: percentile_cont(0.5) over the observations with their multiplicity,
  -- from cumulative counts (the two middle observations, averaged) rather than by expanding them.
  CROSS JOIN LATERAL (
    SELECT max(total) AS n,
      (min(price) FILTER (WHERE cum > floor((total - 1) / 2.0)) + min(price) FILTER (WHERE cum > ceil((total - 1) / 2.0)))::float8 / 2 AS median
    FROM (SELECT price, sum(observations) OVER (ORDER BY price) AS cum, sum(observations) OVER () AS total
          FROM profile_prices WHERE ${who}) o) d_pr
  CROSS JOIN LATERAL (SELECT CASE WHEN d_pr.n IS NULL OR d_pr.n < 3 OR ${ref}::float8 IS NULL OR ${ref}::float8 <= 0 THEN NULL
      WHEN d_pr.median / ${ref}::float8 < 0.8 THEN 'high' WHEN d_pr.median / ${ref}::float8 > 1.25 THEN 'low'
      ELSE 'medium' END AS price_sensitivity) d_ps`;
}

/** The derived columns and the expressions computing them (over `derivedJoins`). */
export const DERIVED: Record<string, string> = {
  session_count: 'd_s.session_count',
  avg_session_duration: 'd_s.avg_session_duration',
  bounce_rate: 'd_s.bounce_rate',
  device_preference: 'd_dev.device',
  favorite_categories: 'd_fav.categories',
  favorite_products: 'd_fav.products',
  preferred_brands: 'd_fav.brands',
  price_sensitivity: 'd_ps.price_sensitivity',
};

/** The newest event time: last_visit lags last_seen_at until the profile is settled (migration 019). */
export const currentLastVisit = (alias: string) => `GREATEST(${alias}.last_visit, ${alias}.last_seen_at)`;

/** `columns` (a comma list) as a SELECT list over `alias`, derived ones recomputed when the row is stale. */
export function currentColumns(alias: string, columns: string): string {
  return columns
    .split(',')
    .map((c) => c.trim())
    .map((c) =>
      c === 'price_sensitivity'
        ? `${DERIVED[c]} AS ${c}`
        : c in DERIVED
        ? `CASE WHEN ${alias}.derived_version <> ${alias}.derived_settled THEN ${DERIVED[c]} ELSE ${alias}.${c} END AS ${c}`
        : c === 'last_visit'
          ? `${currentLastVisit(alias)} AS last_visit`
          : `${alias}.${c}`,
    )
    .join(', ');
}

/**
 * The settle job's write ($1 website, $2 user ids it holds locked, $3 reference price):
 * derived columns recomputed and marked settled at the version they reflect,
 * last_visit caught up with last_seen_at.
 */
export const SETTLE_DERIVED = `UPDATE user_profiles AS p SET
    ${Object.entries(DERIVED)
      .map(([c, e]) => `${c} = ${e}`)
      .join(',\n    ')},
    last_visit = ${currentLastVisit('p')},
    derived_settled = p.derived_version
  FROM user_profiles AS q ${derivedJoins('q', '$3', false)}
  WHERE q.website_id = $1 AND q.user_id = ANY($2::text[]) AND p.website_id = q.website_id AND p.user_id = q.user_id`;

/**
 * The website's reference price for price sensitivity (profile.proto): the
 * median price of every priced event recorded on the website, with
 * multiplicity — profile-service's own data (the catalog is ranking-service's).
 */
export const REFERENCE_PRICE = `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY pp.price) AS median
    FROM profile_prices pp, generate_series(1, pp.observations) WHERE pp.website_id = $1`;

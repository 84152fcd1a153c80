/* The website rows profile-service writes when Recsys has a database of its own (UpsertWebsites). */

export interface WebsiteRecord {
  websiteId: string;
  name: string;
  domain: string | null;
}

/**
 * Creates missing websites and updates changed names and domains, in one
 * statement. A row that already matches is not written (the WHERE of the
 * update), so run against Umami's own database it changes nothing; Umami's
 * other columns keep their defaults or values. `xmax = 0` tells an insert
 * from an update (PostgreSQL's documented way to tell them apart in RETURNING).
 */
export const UPSERT_WEBSITES = `INSERT INTO website AS w (website_id, name, domain)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) ORDER BY 1
  ON CONFLICT (website_id) DO UPDATE SET name = EXCLUDED.name, domain = EXCLUDED.domain, updated_at = now()
  WHERE (w.name, w.domain) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.domain)
  RETURNING (xmax = 0) AS created`;

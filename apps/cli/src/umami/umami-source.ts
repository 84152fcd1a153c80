import { Client } from 'pg';
import type { UmamiRow } from './umami-mapping';

/** Where an import stands for one website: the last event read, in (created_at, event_id) order. */
export interface Watermark {
  createdAt: string;
  eventId: string;
}

export const START: Watermark = { createdAt: '-infinity', eventId: '00000000-0000-0000-0000-000000000000' };

/** A website as Umami records it. */
export interface UmamiWebsite {
  websiteId: string;
  name: string;
  domain: string;
}

/** WooCommerce-style columns a tracker may have added to website_event, read when present. */
const EXTRA_COLUMNS = [
  'product_id', 'item_id', 'category', 'product_category', 'brand', 'product_brand', 'price', 'product_price',
  'cart_value', 'order_id', 'revenue', 'order_total', 'scroll_depth', 'time_on_page',
];

const AFTER = `(we.created_at, we.event_id) > ($2::timestamptz, $3::uuid)`;

/**
 * Reads an Umami database (2.x, 3.0, 3.1), read-only: website_event joined
 * with its session and event_data, one website at a time, in
 * (created_at, event_id) order. Adapts to the columns the schema has
 * (visit_id, distinct_id, event_data's v2.0 or later column names, extra
 * columns). `schema`: the PostgreSQL schema Umami's tables are in (default:
 * the connection's search path).
 */
export class UmamiSource {
  private constructor(
    private readonly client: Client,
    private readonly selectSql: string,
    /** Umami >= 2.1 names event_data's columns data_key / string_value / number_value (2.0: event_key …). */
    private readonly currentNames: boolean,
  ) {}

  static async open(url: string, schema?: string): Promise<UmamiSource> {
    const client = new Client({ connectionString: url, application_name: 'recsys umami import' });
    client.on('error', () => undefined);
    await client.connect();
    try {
      // Nothing here writes; a read-only session makes sure of it.
      await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
      if (schema) await client.query(`SELECT set_config('search_path', $1, false)`, [`"${schema.replace(/"/g, '""')}"`]);
      const { rows } = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name IN ('website', 'website_event', 'session', 'event_data')`,
      );
      const has = (table: string, column: string) => rows.some((r) => r.table_name === table && r.column_name === column);
      for (const table of ['website', 'website_event', 'session', 'event_data']) {
        if (!rows.some((r) => r.table_name === table)) throw new Error(`the source database has no Umami table "${table}"${schema ? ` in schema ${schema}` : ''}`);
      }
      const [key, str, num, date, type] = has('event_data', 'data_key')
        ? ['data_key', 'string_value', 'number_value', 'date_value', 'data_type']
        : ['event_key', 'event_string_value', 'event_numeric_value', 'event_date_value', 'event_data_type'];
      // Each datum as [key, data type, text]: numbers from number_value without Umami's padding
      // (string_value holds toFixed(4): 4124 -> "4124.0000"), dates in ISO form.
      const datum = `jsonb_build_array(ed.${key}, ed.${type}, CASE
          WHEN ed.${type} = 2 AND ed.${num} IS NOT NULL THEN trim_scale(ed.${num})::text
          WHEN ed.${type} = 4 AND ed.${date} IS NOT NULL THEN to_char(ed.${date} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
          ELSE ed.${str} END)`;
      const extras = EXTRA_COLUMNS.filter((c) => has('website_event', c));
      const extraData = extras.map((c) => `CASE WHEN we.${c} IS NOT NULL THEN jsonb_build_array(jsonb_build_array('${c}', 1, we.${c}::text)) ELSE '[]' END`);
      const selectSql = `SELECT we.event_id::text, we.session_id::text,
          ${has('website_event', 'visit_id') ? 'we.visit_id' : 'we.session_id'}::text AS visit_id,
          ${has('session', 'distinct_id') ? 's.distinct_id' : 'NULL'}::text AS distinct_id,
          we.created_at, to_char(we.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_text,
          we.url_path, we.url_query, we.referrer_domain, we.referrer_path, we.event_type, we.event_name, s.device,
          COALESCE((SELECT jsonb_agg(${datum} ORDER BY ed.${key}) FROM event_data ed WHERE ed.website_event_id = we.event_id), '[]')
            ${extraData.map((e) => `|| ${e}`).join(' ')} AS data
        FROM website_event we LEFT JOIN session s ON s.session_id = we.session_id`;
      return new UmamiSource(client, selectSql, key === 'data_key');
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** Websites Umami has not deleted that have events (link and pixel events carry no such website id). */
  async websites(): Promise<UmamiWebsite[]> {
    const { rows } = await this.client.query<UmamiWebsite>(
      `SELECT w.website_id::text AS "websiteId", w.name, COALESCE(w.domain, '') AS domain FROM website w
       WHERE w.deleted_at IS NULL AND EXISTS (SELECT 1 FROM website_event we WHERE we.website_id = w.website_id)
       ORDER BY 1`,
    );
    return rows;
  }

  /** The currency of most of a website's revenue events (Umami's convention), upper case; null when none. */
  async mostCommonCurrency(websiteId: string): Promise<string | null> {
    // Umami 2.0 predates the revenue convention.
    if (!this.currentNames) return null;
    const { rows } = await this.client.query<{ currency: string }>(
      `SELECT upper(c.string_value) AS currency FROM event_data c
       JOIN event_data r ON r.website_event_id = c.website_event_id AND r.data_key = 'revenue' AND r.number_value > 0
       WHERE c.website_id = $1 AND c.data_key = 'currency' AND c.string_value <> ''
       GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
      [websiteId],
    );
    return rows[0]?.currency ?? null;
  }

  /** Events after the watermark and before `until` (what this run will read). */
  async countAfter(websiteId: string, after: Watermark, until: Date): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM website_event we WHERE we.website_id = $1 AND ${AFTER} AND we.created_at < $4`,
      [websiteId, after.createdAt, after.eventId, until.toISOString()],
    );
    return Number(rows[0].n);
  }

  /** The next events after the watermark and before `until`. */
  async page(websiteId: string, after: Watermark, until: Date, limit: number): Promise<UmamiRow[]> {
    const { rows } = await this.client.query<UmamiRow>(
      `${this.selectSql} WHERE we.website_id = $1 AND ${AFTER} AND we.created_at < $4 ORDER BY we.created_at, we.event_id LIMIT $5`,
      [websiteId, after.createdAt, after.eventId, until.toISOString(), limit],
    );
    return rows;
  }

  /** Events per UTC day from `from` up to and including the watermark (what late-event checks compare). */
  async countsPerDay(websiteId: string, from: Date, upTo: Watermark): Promise<Record<string, number>> {
    const { rows } = await this.client.query<{ day: string; n: string }>(
      `SELECT to_char(we.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n FROM website_event we
       WHERE we.website_id = $1 AND we.created_at >= $2 AND (we.created_at, we.event_id) <= ($3::timestamptz, $4::uuid)
       GROUP BY 1`,
      [websiteId, from.toISOString(), upTo.createdAt, upTo.eventId],
    );
    return Object.fromEntries(rows.map((r) => [r.day, Number(r.n)]));
  }

  /** One UTC day's events up to the watermark, after `after`, in order (re-read when late events arrived in it). */
  async dayPage(websiteId: string, day: string, after: Watermark, upTo: Watermark, limit: number): Promise<UmamiRow[]> {
    const { rows } = await this.client.query<UmamiRow>(
      `${this.selectSql} WHERE we.website_id = $1 AND ${AFTER}
         AND we.created_at >= ($4::date AT TIME ZONE 'UTC') AND we.created_at < (($4::date + 1) AT TIME ZONE 'UTC')
         AND (we.created_at, we.event_id) <= ($5::timestamptz, $6::uuid)
       ORDER BY we.created_at, we.event_id LIMIT $7`,
      [websiteId, after.createdAt, after.eventId, day, upTo.createdAt, upTo.eventId, limit],
    );
    return rows;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

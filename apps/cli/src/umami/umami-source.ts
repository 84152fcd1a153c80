import { Client } from 'pg';
import type { UmamiRow } from './umami-mapping';

/** Where an import stands for one website: the last event read, in (created_at, event_id) order. */
export interface Watermark {
  createdAt: string;
  eventId: string;
}

export const START: Watermark = { createdAt: '-infinity', eventId: '00000000-0000-0000-0000-000000000000' };

/** WooCommerce-style columns a tracker may have added to website_event, read when present. */
const EXTRA_COLUMNS = [
  'product_id', 'item_id', 'category', 'product_category', 'brand', 'product_brand', 'price', 'product_price',
  'cart_value', 'order_id', 'revenue', 'order_total', 'scroll_depth', 'time_on_page',
];

/**
 * Reads an Umami (v2) database, read-only: website_event joined with its
 * session and event_data, one website at a time, in (created_at, event_id)
 * order after a watermark. Adapts to the columns the schema has (visit_id,
 * distinct_id, event_data's v2.0 or later column names, extra columns).
 */
export class UmamiSource {
  private constructor(
    private readonly client: Client,
    private readonly pageSql: string,
  ) {}

  static async open(url: string): Promise<UmamiSource> {
    const client = new Client({ connectionString: url, application_name: 'recsys umami import' });
    client.on('error', () => undefined);
    await client.connect();
    try {
      // Nothing here writes; a read-only session makes sure of it.
      await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
      const { rows } = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name IN ('website_event', 'session', 'event_data')`,
      );
      const has = (table: string, column: string) => rows.some((r) => r.table_name === table && r.column_name === column);
      for (const table of ['website_event', 'session', 'event_data']) {
        if (!rows.some((r) => r.table_name === table)) throw new Error(`the source database has no Umami table "${table}"`);
      }
      const [key, str, num, date, eventRef] = has('event_data', 'data_key')
        ? ['data_key', 'string_value', 'number_value', 'date_value', 'website_event_id']
        : ['event_key', 'event_string_value', 'event_numeric_value', 'event_date_value', 'website_event_id'];
      const extras = EXTRA_COLUMNS.filter((c) => has('website_event', c));
      const extraJson = extras.length ? `jsonb_build_object(${extras.map((c) => `'${c}', we.${c}::text`).join(', ')})` : `'{}'::jsonb`;
      const pageSql = `SELECT we.event_id::text, we.session_id::text,
          ${has('website_event', 'visit_id') ? 'we.visit_id' : 'we.session_id'}::text AS visit_id,
          ${has('session', 'distinct_id') ? 's.distinct_id' : 'NULL'}::text AS distinct_id,
          we.created_at, to_char(we.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_text,
          we.url_path, we.url_query, we.referrer_domain, we.referrer_path, we.event_type, we.event_name, s.device,
          COALESCE((SELECT jsonb_object_agg(ed.${key}, COALESCE(ed.${str}, ed.${num}::text, ed.${date}::text))
                    FROM event_data ed WHERE ed.${eventRef} = we.event_id), '{}'::jsonb) || jsonb_strip_nulls(${extraJson}) AS data
        FROM website_event we LEFT JOIN session s ON s.session_id = we.session_id
        WHERE we.website_id = $1 AND (we.created_at, we.event_id) > ($2::timestamptz, $3::uuid) AND we.created_at < $4
        ORDER BY we.created_at, we.event_id LIMIT $5`;
      return new UmamiSource(client, pageSql);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** Websites with events, or the ones asked for. */
  async websites(): Promise<string[]> {
    const { rows } = await this.client.query<{ website_id: string }>('SELECT DISTINCT website_id::text FROM website_event ORDER BY 1');
    return rows.map((r) => r.website_id);
  }

  /** Events after the watermark and before `until` (what this run will read). */
  async countAfter(websiteId: string, after: Watermark, until: Date): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM website_event
       WHERE website_id = $1 AND (created_at, event_id) > ($2::timestamptz, $3::uuid) AND created_at < $4`,
      [websiteId, after.createdAt, after.eventId, until.toISOString()],
    );
    return Number(rows[0].n);
  }

  async page(websiteId: string, after: Watermark, until: Date, limit: number): Promise<UmamiRow[]> {
    const { rows } = await this.client.query<UmamiRow>(this.pageSql, [websiteId, after.createdAt, after.eventId, until.toISOString(), limit]);
    return rows;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

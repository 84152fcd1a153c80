import { randomUUID } from 'node:crypto';

type Query = (text: string, params?: unknown[]) => Promise<unknown>;
type Value = string | number | boolean | Value[] | { [key: string]: Value };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Writes events into an Umami-shaped database the way Umami itself does
 * (src/lib/data.ts, saveEvent.ts, saveRevenue.ts at v2.20–v3.1): event data
 * flattened with "."-joined keys; a number in number_value *and* in
 * string_value as toFixed(4); booleans as 'true'/'false'; ISO dates in
 * date_value; arrays as JSON text (data type 5); and a `revenue` row when the
 * data has revenue > 0 and a currency.
 */
export class UmamiWriter {
  constructor(private readonly q: Query) {}

  website(websiteId: string, name: string, domain: string) {
    return this.q('INSERT INTO website (website_id, name, domain) VALUES ($1, $2, $3)', [websiteId, name, domain]);
  }

  session(sessionId: string, websiteId: string, device: string, distinctId: string | null = null) {
    return this.q('INSERT INTO session (session_id, website_id, device, distinct_id) VALUES ($1, $2, $3, $4)', [sessionId, websiteId, device, distinctId]);
  }

  async event(e: { website: string; session: string; visit: string; at: Date; type?: number; name?: string; path?: string; data?: Record<string, Value> }): Promise<string> {
    const id = randomUUID();
    await this.q(
      `INSERT INTO website_event (event_id, website_id, session_id, visit_id, created_at, url_path, event_type, event_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, e.website, e.session, e.visit, e.at, e.path ?? '/', e.type ?? 1, e.name ?? null],
    );
    for (const [key, value] of flatten(e.data ?? {})) {
      const type = typeof value === 'number' ? 2 : typeof value === 'boolean' ? 3 : typeof value === 'string' && ISO_DATE.test(value) ? 4 : Array.isArray(value) ? 5 : 1;
      const text = type === 2 ? (value as number).toFixed(4) : type === 3 ? String(value) : type === 5 ? JSON.stringify(value) : String(value);
      await this.q(
        `INSERT INTO event_data (event_data_id, website_id, website_event_id, data_key, string_value, number_value, date_value, data_type, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [randomUUID(), e.website, id, key, text, type === 2 ? value : null, type === 4 ? value : null, type, e.at],
      );
    }
    const { revenue, currency } = e.data ?? {};
    if (typeof revenue === 'number' && revenue > 0 && currency) {
      await this.q(
        `INSERT INTO revenue (revenue_id, website_id, session_id, event_id, event_name, currency, revenue, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [randomUUID(), e.website, e.session, id, e.name ?? '', currency, revenue, e.at],
      );
    }
    return id;
  }
}

function flatten(data: Record<string, Value>, parent = ''): [string, Value][] {
  return Object.entries(data).flatMap(([k, v]): [string, Value][] => {
    const key = parent ? `${parent}.${k}` : k;
    return v && typeof v === 'object' && !Array.isArray(v) ? flatten(v, key) : [[key, v]];
  });
}

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { LoggedRecommendation } from './logged-recommendation';

/** The log's columns, in the order both writers (COPY and INSERT) give them. */
const LOG_COLUMNS =
  'id, recommendation_id, website_id, session_id, user_id, recommendation_type, item_id, score, rank, context, strategy, model_version, personalization_factors, shown, shown_at, clicked, clicked_at, converted, converted_at, revenue';

/**
 * Stores a batch of answers in one transaction, after locking the rows of their
 * websites in `website` FOR KEY SHARE: the log has no foreign key (migration
 * 024), so this is what keeps a website deleted meanwhile from keeping rows
 * (its deletion waits for the batch, then its trigger removes them; answers of
 * a website already gone are not stored). Returns the rows stored.
 *
 * `retry` = the batch holds answers whose earlier write failed: it may have
 * committed, so the rows go through the idempotent INSERT (insertLogRows);
 * otherwise through COPY (copyLogRows), which cannot skip existing rows.
 */
export async function storeLogBatch(pool: Pool, answers: readonly LoggedRecommendation[], retry: boolean): Promise<number> {
  const client = await pool.connect();
  let failed: unknown;
  // A checked-out client has no pool listener: a lost connection would be an unhandled 'error' event.
  // The statement in flight (the COPY stream included) fails with it anyway.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    const websites = [...new Set(answers.map((a) => a.websiteId))];
    const { rows } = await client.query<{ website_id: string }>('SELECT website_id FROM website WHERE website_id = ANY($1::uuid[]) FOR KEY SHARE', [websites]);
    const live = new Set(rows.map((r) => r.website_id));
    const kept = live.size === websites.length ? answers : answers.filter((a) => live.has(a.websiteId));
    if (kept.length > 0) {
      if (retry) await insertLogRows(client, kept);
      else await copyLogRows(client, kept);
    }
    await client.query('COMMIT');
    return kept.reduce((n, a) => n + a.items.length, 0);
  } catch (err) {
    failed = err;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', ignore);
    // A connection whose write failed midway is not reused.
    client.release(failed instanceof Error ? failed : undefined);
  }
}

/**
 * The rows of answers never written before, with COPY (text format). The
 * cheapest way PostgreSQL stores rows — no SQL to plan, no JSON to expand,
 * rows inserted in blocks: 12.4 µs of PostgreSQL CPU per row against 23.6 µs
 * for the same rows through insertLogRows (500-row batches into the same
 * table, docs/ranking.md "The log at scale").
 */
async function copyLogRows(client: PoolClient, answers: readonly LoggedRecommendation[]): Promise<void> {
  const stream = client.query(copyFrom(`COPY recommendations (${LOG_COLUMNS}) FROM STDIN`));
  let failed: Error | undefined;
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', (err) => reject((failed = err)));
  });
  // Handled here as well: when a write throws first, `done` is never awaited, and an unhandled rejection ends the process.
  done.catch(() => undefined);
  // Once the stream failed (the connection was lost between chunks) it has no connection: writing to it
  // would throw later, inside the stream, out of reach of this function's caller.
  const send = (data: string, last: boolean) => {
    if (failed) throw failed;
    if (last) stream.end(data);
    else stream.write(data);
  };
  let chunk = '';
  let rows = 0;
  for (const a of answers) {
    // What the answer's rows share, encoded once (ids are validated UUIDs: nothing to escape).
    const shared = `${a.recommendationId}\t${a.websiteId}\t${a.sessionId}\t${text(a.userId)}\t${text(a.recommendationType)}`;
    const context = text(JSON.stringify(a.context));
    const modelVersion = text(a.modelVersion);
    const shownAt = a.shownAt.toISOString();
    for (const i of a.items) {
      chunk += `${i.id}\t${shared}\t${text(i.itemId)}\t${Number.isFinite(i.score) ? i.score : '\\N'}\t${i.rank}\t${context}\t${text(i.strategy)}\t${modelVersion}\t${text(
        JSON.stringify(i.personalizationFactors),
      )}\tt\t${shownAt}\t${i.clickedAt ? 't' : 'f'}\t${time(i.clickedAt)}\t${i.convertedAt ? 't' : 'f'}\t${time(i.convertedAt)}\t${text(i.revenue)}\n`;
      rows++;
    }
    if (rows >= ENCODE_CHUNK) {
      send(chunk, false);
      chunk = '';
      rows = 0;
      // Between chunks, let requests run: a batch is thousands of rows.
      await yieldToEventLoop();
    }
  }
  send(chunk, true);
  await done;
}

/** A text value in COPY's text format: \N for null; backslash, tab, newline and carriage return escaped. */
function text(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : v;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

const time = (t: Date | null): string => (t ? t.toISOString() : '\\N');

/**
 * The rows of a batch in one INSERT: one row per shown item, made here from
 * the answer's shared fields and the item's own.
 *
 * Idempotent: a write whose commit was acknowledged is never repeated, but one
 * whose acknowledgement was lost (the connection dropped after COMMIT) is, with
 * the same row ids. A row that is already there is kept, and only takes an
 * outcome it lacks from the retry (an outcome recorded while the rows waited to
 * be written again), so retrying a batch that committed is a success.
 *
 * One INSERT … SELECT over `json_to_recordset`: one JSON.stringify (native
 * code) instead of a dozen pg text arrays escaped element by element in
 * JavaScript, which was the longest event-loop stall of a busy service. The
 * shared fields go once per answer and each item's own columns are expanded
 * by a lateral json_to_recordset — a third of the JSON to build and for
 * PostgreSQL to parse. Contexts are sent once per batch, by index.
 */
async function insertLogRows(client: PoolClient, answers: readonly LoggedRecommendation[]): Promise<void> {
  await client.query(
    `INSERT INTO recommendations (${LOG_COLUMNS})
     SELECT i.id, a.recommendation_id, a.website_id, a.session_id, a.user_id, a.rtype, i.item_id, i.score, i.rank, ($2::jsonb) -> a.ctx, i.strategy,
            a.model_version, i.factors, true, a.shown_at, i.clicked_at IS NOT NULL, i.clicked_at, i.converted_at IS NOT NULL, i.converted_at, i.revenue
       FROM json_to_recordset($1::json)
         AS a(recommendation_id uuid, website_id uuid, session_id uuid, user_id text, rtype text, ctx int, model_version text, shown_at timestamptz, items json)
      CROSS JOIN LATERAL json_to_recordset(a.items)
         AS i(id uuid, item_id text, score float8, rank int, strategy text, factors jsonb, clicked_at timestamptz, converted_at timestamptz, revenue numeric)
     ON CONFLICT (id, shown_at) DO UPDATE SET
       clicked = recommendations.clicked IS TRUE OR EXCLUDED.clicked, clicked_at = COALESCE(recommendations.clicked_at, EXCLUDED.clicked_at),
       converted = recommendations.converted IS TRUE OR EXCLUDED.converted,
       converted_at = COALESCE(recommendations.converted_at, EXCLUDED.converted_at),
       revenue = CASE WHEN recommendations.converted IS TRUE THEN recommendations.revenue ELSE EXCLUDED.revenue END
     WHERE (EXCLUDED.clicked AND recommendations.clicked IS NOT TRUE) OR (EXCLUDED.converted AND recommendations.converted IS NOT TRUE)`,
    await encodeBatch(answers),
  );
}

/** Items encoded between two yields to the event loop (each chunk ≈ 0.1–0.3 ms). */
const ENCODE_CHUNK = 100;

/** The batch as `[answersJson, contextsJson]`; a context shared by several answers is sent once and referred to by index (`ctx`). */
async function encodeBatch(answers: readonly LoggedRecommendation[]): Promise<[string, string]> {
  const contexts: Record<string, unknown>[] = [];
  const index = new Map<Record<string, unknown>, number>();
  const parts: string[] = [];
  let chunk: object[] = [];
  let chunkItems = 0;
  const close = () => {
    // Each chunk is a JSON array; strip its brackets to join them into one.
    if (chunk.length > 0) parts.push(JSON.stringify(chunk).slice(1, -1));
    chunk = [];
    chunkItems = 0;
  };
  for (const a of answers) {
    if (chunkItems >= ENCODE_CHUNK) {
      close();
      await yieldToEventLoop();
    }
    let ctx = index.get(a.context);
    if (ctx === undefined) {
      ctx = contexts.length;
      contexts.push(a.context);
      index.set(a.context, ctx);
    }
    chunk.push({
      recommendation_id: a.recommendationId,
      website_id: a.websiteId,
      session_id: a.sessionId,
      user_id: a.userId,
      rtype: a.recommendationType,
      ctx,
      model_version: a.modelVersion,
      shown_at: a.shownAt,
      items: a.items.map((i) => ({
        id: i.id,
        item_id: i.itemId,
        score: i.score,
        rank: i.rank,
        strategy: i.strategy,
        factors: i.personalizationFactors,
        clicked_at: i.clickedAt,
        converted_at: i.convertedAt,
        revenue: i.revenue,
      })),
    });
    chunkItems += a.items.length;
  }
  close();
  return [`[${parts.join(',')}]`, JSON.stringify(contexts)];
}

import type { Pool } from 'pg';
import type { LoggedRecommendation } from './logged-recommendation';

/**
 * Writes a batch of answers to `recommendations` in one statement: one row per
 * shown item, made here from the answer's shared fields and the item's own.
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
export async function writeLogBatch(pool: Pool, answers: readonly LoggedRecommendation[]): Promise<void> {
  await pool.query(
    `INSERT INTO recommendations (id, recommendation_id, website_id, session_id, user_id, recommendation_type, item_id, score, rank, context, strategy,
                                  model_version, personalization_factors, shown, shown_at, clicked, clicked_at, converted, converted_at, revenue)
     SELECT i.id, a.recommendation_id, a.website_id, a.session_id, a.user_id, a.rtype, i.item_id, i.score, i.rank, ($2::jsonb) -> a.ctx, i.strategy,
            a.model_version, i.factors, true, a.shown_at, i.clicked_at IS NOT NULL, i.clicked_at, i.converted_at IS NOT NULL, i.converted_at, i.revenue
       FROM json_to_recordset($1::json)
         AS a(recommendation_id uuid, website_id uuid, session_id uuid, user_id text, rtype text, ctx int, model_version text, shown_at timestamptz, items json)
      CROSS JOIN LATERAL json_to_recordset(a.items)
         AS i(id uuid, item_id text, score float8, rank int, strategy text, factors jsonb, clicked_at timestamptz, converted_at timestamptz, revenue numeric)
     ON CONFLICT (id) DO UPDATE SET
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
      await new Promise<void>((resolve) => setImmediate(resolve));
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

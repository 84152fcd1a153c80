import { buildDataset, type CatalogItem, type Dataset, type Interaction, type LoggedAnswer } from '@recsys/training';
import { Client } from 'pg';
import type { CliContext } from '../cli-context';
import { DataError, UsageError, UUID } from '../command-action';
import { progressLine } from '../progress-line';

/** Logged answers read per training run: the latest answers with a click or a conversion. */
export const MAX_LOGGED_ANSWERS = 50_000;

export interface WebsiteHistory {
  log: Interaction[];
  catalog: Map<string, CatalogItem>;
  answers: LoggedAnswer[];
}

/** The flags `recsys train` and `recsys dataset export` share, as commander gives them. */
export interface DatasetFlags {
  website: string;
  halfLifeDays: string;
  databaseUrl?: string;
}

/**
 * The shared flags checked (a UsageError naming the flag) and resolved: the
 * website, the database to read (--database-url, else DATABASE_URL), the
 * half-life, and `step`, which prints a progress line with the seconds since.
 */
export function datasetSource(c: CliContext, flags: DatasetFlags): { website: string; url: string; halfLifeDays: number; step: (line: string) => void } {
  if (!UUID.test(flags.website)) throw new UsageError(`--website: expected a UUID, got ${JSON.stringify(flags.website)}`);
  const url = flags.databaseUrl ?? c.databaseUrl;
  if (!url) throw new UsageError('no database to read: set DATABASE_URL or pass --database-url');
  const halfLifeDays = Number(flags.halfLifeDays);
  if (!(halfLifeDays >= 1)) throw new UsageError(`--half-life-days: expected a number >= 1, got ${JSON.stringify(flags.halfLifeDays)}`);
  const started = Date.now();
  const step = (line: string) => c.err.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
  return { website: flags.website, url, halfLifeDays, step };
}

/** Fewer interactions than this: nothing worth learning or exporting. */
export const MIN_INTERACTIONS = 100;

/**
 * The dataset `recsys train` learns from and `recsys dataset export` writes:
 * the website's history read (readWebsiteHistory), split by time
 * (validationStart), built (@recsys/training's buildDataset). DataError when
 * there is too little to learn from.
 */
export async function loadDataset(
  c: CliContext,
  url: string,
  website: string,
  halfLifeDays: number,
  step: (line: string) => void,
  activeTrainedUntil?: Date,
): Promise<WebsiteHistory & { data: Dataset; validationFrom: number }> {
  step(`reading the interaction log of ${website}`);
  const history = await readWebsiteHistory(url, website);
  const { log, catalog, answers } = history;
  if (log.length < MIN_INTERACTIONS) throw new DataError(`${log.length} interactions: too few to learn from (at least ${MIN_INTERACTIONS})`);
  const validationFrom = validationStart(log, activeTrainedUntil);
  step(`building the dataset from ${log.length} interactions, ${answers.length} clicked answers, ${catalog.size} catalog items`);
  const bar = progressLine(c, 'replaying the log');
  const data = buildDataset(log, catalog, { halfLifeDays, validationFrom }, answers, (done, total) => bar.update(done, total, 'interactions'));
  bar.end();
  if (data.train.groupSizes.length === 0 || data.validation.groupSizes.length === 0) {
    throw new DataError('no returning visitors in one of the splits: nothing to learn or to validate with');
  }
  return { ...history, data, validationFrom };
}

/**
 * Where validation starts: the last fifth of the interactions by time; when
 * the active model was trained on part of that, only what came after its
 * training data (if that is at least 5 % of the log), so that neither model is
 * judged on sessions it learned from.
 */
export function validationStart(log: readonly { at: number }[], activeTrainedUntil: Date | undefined): number {
  const fifth = log[Math.floor(log.length * 0.8)]!.at;
  const end = activeTrainedUntil?.getTime();
  if (end === undefined || end < fifth) return fifth;
  const first = log.findIndex((x) => x.at > end);
  return first >= 0 && log.length - first >= log.length * 0.05 ? end + 1 : fifth;
}

/**
 * A website's interaction log (profile-service's table), catalog and logged
 * answers (ranking-service's), read in a read-only session: an offline job may
 * read the services' tables, never write them (tools/architecture's
 * OFFLINE_READS names this file).
 */
export async function readWebsiteHistory(url: string, website: string): Promise<WebsiteHistory> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
    return { log: await readInteractions(db, website), catalog: await readCatalog(db, website), answers: await readAnswers(db, website) };
  } finally {
    await db.end();
  }
}

async function readInteractions(db: Client, website: string): Promise<Interaction[]> {
  const log: Interaction[] = [];
  // Pages by (occurred_at, event_id): a million rows never sit in one result.
  let after: [string, string] | undefined;
  for (;;) {
    const page = await db.query<{ user_id: string; session_id: string; item_id: string; kind: Interaction['kind']; category: string | null; brand: string | null; order_id: string | null; at: string; event_id: string; t: string }>(
      `SELECT user_id, session_id, item_id, kind, category, brand, order_id, (extract(epoch FROM occurred_at) * 1000)::float8 AS at, event_id, occurred_at::text AS t
         FROM interactions WHERE website_id = $1 AND ($2::timestamptz IS NULL OR (occurred_at, event_id) > ($2::timestamptz, $3::text))
        ORDER BY occurred_at, event_id LIMIT 100000`,
      [website, after?.[0] ?? null, after?.[1] ?? ''],
    );
    for (const r of page.rows) {
      log.push({ userId: r.user_id, sessionId: r.session_id, itemId: r.item_id, kind: r.kind, at: Number(r.at), category: r.category ?? undefined, brand: r.brand ?? undefined, orderId: r.order_id ?? undefined });
    }
    if (page.rows.length < 100_000) break;
    const last = page.rows[page.rows.length - 1]!;
    after = [last.t, last.event_id];
  }
  return log;
}

async function readCatalog(db: Client, website: string): Promise<Map<string, CatalogItem>> {
  const items = await db.query<{ item_id: string; category: string | null; brand: string | null; price: string | null }>(
    'SELECT item_id, category, brand, price::text FROM catalog_items WHERE website_id = $1',
    [website],
  );
  return new Map(items.rows.map((r) => [r.item_id, { itemId: r.item_id, category: r.category ?? undefined, brand: r.brand ?? undefined, price: r.price === null ? undefined : Number(r.price) }]));
}

/**
 * The latest MAX_LOGGED_ANSWERS answers with a click or a conversion, in the
 * order they were shown: the examples of what Recommend's own rankings led to.
 */
async function readAnswers(db: Client, website: string): Promise<LoggedAnswer[]> {
  const rows = await db.query<{ recommendation_id: string; user_id: string | null; session_id: string; shown: string; item_id: string; clicked: boolean; converted: boolean; context: Record<string, unknown> }>(
    `SELECT r.recommendation_id, r.user_id, r.session_id::text AS session_id, (extract(epoch FROM r.shown_at) * 1000)::float8 AS shown, r.item_id,
            coalesce(r.clicked, false) AS clicked, coalesce(r.converted, false) AS converted, r.context
       FROM recommendations r
      WHERE r.website_id = $1 AND r.recommendation_id IN (
              SELECT DISTINCT recommendation_id FROM (
                SELECT recommendation_id FROM recommendations WHERE website_id = $1 AND (clicked OR converted) ORDER BY shown_at DESC LIMIT $2
              ) latest)
      ORDER BY r.shown_at, r.recommendation_id, r.rank`,
    [website, MAX_LOGGED_ANSWERS],
  );
  const out: LoggedAnswer[] = [];
  for (const r of rows.rows) {
    let a = out[out.length - 1];
    if (a?.recommendationId !== r.recommendation_id) {
      const ctx = r.context ?? {};
      const shownAt = Number(r.shown);
      const time = (key: string) => (typeof ctx[key] === 'string' ? Date.parse(ctx[key] as string) : NaN);
      const ids = (key: string) => (Array.isArray(ctx[key]) ? (ctx[key] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
      a = {
        recommendationId: r.recommendation_id,
        userId: r.user_id ?? undefined,
        ...(typeof ctx.profile_used === 'boolean' ? { profileUsed: ctx.profile_used } : {}),
        sessionId: r.session_id,
        shownAt,
        signalsAt: Number.isFinite(time('item_signals_computed_at')) ? time('item_signals_computed_at') : shownAt,
        time: Number.isFinite(time('time')) ? time('time') : shownAt,
        contextItemId: typeof ctx.item_id === 'string' ? ctx.item_id : undefined,
        recentItemIds: ids('recent_item_ids'),
        cartItemIds: ids('cart_item_ids'),
        items: [],
      };
      out.push(a);
    }
    (a.items as { itemId: string; clicked: boolean; converted: boolean }[]).push({ itemId: r.item_id, clicked: r.clicked, converted: r.converted });
  }
  return out;
}

import type { FunnelPosition, LifecycleStage } from '@recsys/db';
import { NotFoundError } from '@recsys/service-kit';
import type { PoolClient } from 'pg';
import type { NormalizedEvent } from '../events/normalized-event';
import { lifecycleSql } from '../lifecycle';
import type { ListCursor } from '../page-token';
import * as sql from './ingest-sql';
import { LOCK_PROFILE, LOCK_WEBSITE, WEBSITE_EXISTS } from './locks-sql';
import { CATCH_UP_LAST_VISIT } from './pending-sql';
import type { ProfileDatabase } from './profile-database';
import { currentColumns, derivedJoins, REFERENCE_PRICE } from './derived-sql';
import { PROFILE_COLUMNS, type ProfileRow } from './profile-row';

/** The API's columns, the derived ones recomputed for a stale row (derived-sql.ts). */
const CURRENT_COLUMNS = currentColumns('up', PROFILE_COLUMNS);

export interface TrackResult {
  accepted: number;
  duplicates: number;
  profilesUpdated: number;
  /** The time of the earliest event the batch added to the interaction log; undefined when it added none. */
  earliestInteraction?: Date;
}

export interface ListFilter {
  stages: readonly LifecycleStage[];
  funnels: readonly FunnelPosition[];
  after?: ListCursor;
  limit: number;
  now: Date;
}

export interface ErasureResult {
  profileDeleted: boolean;
  eventsDeleted: number;
}

const BOOKKEEPING_TABLES = ['profile_event_ids', 'profile_sessions', 'profile_affinities', 'profile_prices', 'profile_orders', 'interactions'] as const;

/** One website's profiles. Every statement here is scoped by `websiteId` ($1). */
export class WebsiteProfiles {
  constructor(
    private readonly store: ProfileDatabase,
    readonly websiteId: string,
  ) {}

  /**
   * Records a validated batch in one transaction of four statements, whatever
   * its size: website check → event-id dedupe → upsert (lock, create, add the
   * counters to) the profiles of the fresh events → bookkeeping. The fields
   * derived from the bookkeeping are marked stale and computed on read
   * (derived-sql.ts). All or nothing.
   */
  async track(events: readonly NormalizedEvent[], now: Date): Promise<TrackResult> {
    // Ids repeated inside the batch: the first occurrence wins, like a replay.
    const unique = new Map<string, NormalizedEvent>();
    for (const e of events) if (!unique.has(e.eventId)) unique.set(e.eventId, e);
    const candidates = [...unique.values()];
    // Events about an item, within retention, go to the interaction log too; their months need partitions first.
    const cutoff = this.store.interactions.cutoff(now);
    const logged = (e: NormalizedEvent) => e.itemId !== null && e.kind !== 'custom' && e.kind !== 'page_view' && e.occurredAt >= cutoff;
    await this.store.interactions.ensure(candidates.filter(logged).map((e) => this.store.interactions.keyOf(e.occurredAt)));

    return this.store.transaction(async (tx) => {
      await this.requireWebsite(tx);
      const recorded = await tx.query<{ event_id: string }>({
        name: 'profiles-event-ids',
        text: sql.INSERT_EVENT_IDS,
        values: [this.websiteId, candidates.map((e) => e.eventId), candidates.map((e) => e.userId), now.toISOString()],
      });
      const fresh = new Set(recorded.rows.map((r) => r.event_id));
      const accepted = candidates.filter((e) => fresh.has(e.eventId));
      const result = { accepted: accepted.length, duplicates: events.length - accepted.length, profilesUpdated: 0 };
      if (accepted.length === 0) return result;

      const users = new Set(accepted.map((e) => e.userId)).size;
      const arrays = eventArrays(this.websiteId, accepted);
      const { lifecycle } = this.store.options;
      await tx.query({
        name: 'profiles-upsert',
        text: sql.upsertProfiles((first, last) => lifecycleSql('$15', '$16', '$17', '$18', first, last).expr),
        values: [...arrays, now.toISOString(), lifecycle.newDays, lifecycle.atRiskDays, lifecycle.churnedDays],
      });
      await tx.query({ name: 'profiles-bookkeeping', text: sql.RECORD_BOOKKEEPING, values: arrays });
      const interactions = accepted.filter(logged);
      if (interactions.length === 0) return { ...result, profilesUpdated: users };
      await tx.query({ name: 'profiles-interactions', text: sql.INSERT_INTERACTIONS, values: interactionArrays(this.websiteId, interactions) });
      const earliestInteraction = interactions.reduce((t, e) => (e.occurredAt < t ? e.occurredAt : t), interactions[0]!.occurredAt);
      return { ...result, profilesUpdated: users, earliestInteraction };
    });
  }

  /** The profile, or NotFoundError naming whether the website or the profile is unknown. */
  async get(userId: string): Promise<ProfileRow> {
    const reference = await this.referencePrice(this.store.options.clock.now());
    const rows = await this.store.query<{ known: boolean } & ProfileRow>(
      `SELECT w.deleted_at IS NULL AS known, p.* FROM website w
         LEFT JOIN LATERAL (SELECT ${CURRENT_COLUMNS} FROM user_profiles up ${derivedJoins('up', '$3')}
                            WHERE up.website_id = $1 AND up.user_id = $2) p ON true
       WHERE w.website_id = $1`,
      [this.websiteId, userId, reference],
      'profiles-get',
    );
    if (!rows[0]?.known) throw this.unknownWebsite();
    if (rows[0].user_id === null) throw new NotFoundError(`no profile for user_id ${JSON.stringify(userId)} on website ${this.websiteId}`);
    return rows[0];
  }

  /** A page of profiles, newest last_visit first, ties by user_id; lifecycle evaluated at `now`. */
  async list(filter: ListFilter): Promise<(ProfileRow & { cursor_visit: string })[]> {
    await this.requireWebsite();
    const { lifecycle } = this.store.options;
    // The parameters as a one-row relation, so every one has a type even when no stage filter uses it.
    const stage = lifecycleSql('params.now', 'params.new_days', 'params.at_risk_days', 'params.churned_days');
    const stageCond = filter.stages.length ? `(${filter.stages.map((s) => stage[s]).join(' OR ')})` : 'true';
    const reference = await this.referencePrice(filter.now);
    // last_visit orders and filters the page: catch it up with the batches committed so far.
    await this.store.query(CATCH_UP_LAST_VISIT, [this.websiteId], 'profiles-catch-up-last-visit');
    // The page first, then the derived fields of its stale rows only.
    return this.store.query(
      `SELECT ${CURRENT_COLUMNS}, to_char(up.last_visit AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_visit
       FROM (SELECT * FROM user_profiles,
               (SELECT $2::timestamptz, $3::int, $4::int, $5::int) AS params(now, new_days, at_risk_days, churned_days)
             WHERE website_id = $1 AND last_visit IS NOT NULL AND ${stageCond}
               AND (cardinality($6::text[]) = 0 OR funnel_position = ANY($6::text[]))
               AND ($7::timestamptz IS NULL OR last_visit < $7::timestamptz OR (last_visit = $7::timestamptz AND user_id > $8))
             ORDER BY last_visit DESC, user_id ASC LIMIT $9) up ${derivedJoins('up', '$10')}
       ORDER BY up.last_visit DESC, up.user_id ASC`,
      [
        this.websiteId,
        filter.now.toISOString(),
        lifecycle.newDays,
        lifecycle.atRiskDays,
        lifecycle.churnedDays,
        filter.funnels,
        filter.after?.lastVisit ?? null,
        filter.after?.userId ?? '',
        filter.limit,
        reference,
      ],
    );
  }

  /** Erasure: the profile and its bookkeeping rows (its recommendations rows are ranking-service's). */
  erase(userId: string): Promise<ErasureResult> {
    return this.store.transaction(async (tx) => {
      await this.requireWebsite(tx);
      // The same row lock as track(): an erasure never interleaves with a batch for this user.
      await tx.query(LOCK_PROFILE, [this.websiteId, userId]);
      let eventsDeleted = 0;
      for (const table of BOOKKEEPING_TABLES) {
        const res = await tx.query(`DELETE FROM ${table} WHERE website_id = $1 AND user_id = $2`, [this.websiteId, userId]);
        eventsDeleted += res.rowCount ?? 0;
      }
      await tx.query('DELETE FROM profile_pending WHERE website_id = $1 AND user_id = $2', [this.websiteId, userId]);
      const profile = await tx.query('DELETE FROM user_profiles WHERE website_id = $1 AND user_id = $2', [this.websiteId, userId]);
      return { profileDeleted: (profile.rowCount ?? 0) > 0, eventsDeleted };
    });
  }

  /** NotFoundError unless the website exists (and Umami has not deleted it). */
  requireExists(): Promise<void> {
    return this.requireWebsite();
  }

  /** Inside a write transaction `tx`, also locks the website row until commit (locks-sql.ts LOCK_WEBSITE). */
  private async requireWebsite(tx?: PoolClient): Promise<void> {
    const rows = tx ? (await tx.query(LOCK_WEBSITE, [this.websiteId])).rows : await this.store.query(WEBSITE_EXISTS, [this.websiteId]);
    if (rows.length === 0) throw this.unknownWebsite();
  }

  private unknownWebsite() {
    return new NotFoundError(`website ${this.websiteId} does not exist`);
  }

  /**
   * The website's reference price, reused for PRICE_REFERENCE_TTL_MS: it is
   * a median over the catalog or every priced event, too costly per read on
   * a big site, and moves slowly. With a TTL of 0 it is computed for every
   * read that needs it; an unknown reference (no price yet) is not reused.
   */
  async referencePrice(now: Date): Promise<number | null> {
    const cache = this.store.referencePrices;
    const cached = cache.get(this.websiteId);
    if (cached && cached.median !== null && now.getTime() - cached.at < this.store.options.priceReferenceTtlMs) return cached.median;
    const rows = await this.store.query<{ median: number | null }>(REFERENCE_PRICE, [this.websiteId], 'profiles-reference-price');
    const median = rows[0]?.median ?? null;
    cache.set(this.websiteId, { median, at: now.getTime() });
    return median;
  }
}

/** $1..$13 of INSERT_INTERACTIONS. */
function interactionArrays(websiteId: string, events: readonly NormalizedEvent[]): unknown[] {
  const col = <T>(f: (e: NormalizedEvent) => T) => events.map(f);
  return [
    websiteId,
    col((e) => e.occurredAt.toISOString()),
    col((e) => e.eventId),
    col((e) => e.userId),
    col((e) => e.sessionId),
    col((e) => e.itemId),
    col((e) => e.kind),
    col((e) => e.device),
    col((e) => e.category),
    col((e) => e.price),
    col((e) => (e.kind === 'purchase' ? e.revenue : null)),
    col((e) => e.orderId),
    col((e) => e.brand),
  ];
}

/** $1 website, $2..$14 the events as parallel arrays (ingest-sql.ts EVENTS). */
function eventArrays(websiteId: string, events: readonly NormalizedEvent[]): unknown[] {
  const col = <T>(f: (e: NormalizedEvent) => T) => events.map(f);
  return [
    websiteId,
    col((e) => e.userId),
    col((e) => e.sessionId),
    col((e) => e.occurredAt.toISOString()),
    col((e) => e.kind),
    col((e) => e.device),
    col((e) => e.timeOnPageSeconds),
    col((e) => e.scrollDepthPercent),
    col((e) => e.itemId),
    col((e) => e.category),
    col((e) => e.brand),
    col((e) => e.price),
    col((e) => e.revenue),
    col((e) => e.orderId),
  ];
}

import { FallbackReason, type RecommendedItem, type RecommendRequest, type RecommendResponse } from '@recsys/contracts/ranking';
import { TimeOrderedIds } from '@recsys/db';
import { featureValuesOf, type ContextInput, type UserInput } from '@recsys/features';
import type { Logger } from '@recsys/service-kit';
import type { CatalogCache } from '../catalog/catalog-cache';
import type { WebsiteSnapshot } from '../catalog/website-snapshot';
import type { LoggedRecommendation } from '../log/logged-recommendation';
import type { RecommendationLog } from '../log/recommendation-log';
import type { ModelProvider } from '../model/model-provider';
import type { ProfileLookup, ProfileSource } from '../profile/profile-source';
import { callerCandidates, generateCandidates, type Candidate } from './candidates';
import { pickTop } from './diversity';
import { heuristicParts, heuristicScores } from './heuristic';
import type { LoadShedder } from './load-shedder';
import { contributions, scoreWithModel } from './model-scoring';
import { heuristicReasons, modelReasons, sourceReasons } from './reasons';
import { parseRecommendRequest, type RecommendQuery } from './recommend-query';
import { SessionMemory } from './session-memory';

export interface RecommenderOptions {
  defaultMaxItemsPerCategory: number;
  scoringTimeoutMs: number;
}

/**
 * Recommend, end to end: validate → profile (deadline, cache) → candidates →
 * filters → model score or heuristic → diversity → answer → log (buffered).
 * The only awaits on the steady-state path are the profile cache hit (sync),
 * the model's score, and a website's first catalog load.
 */
export class Recommender {
  constructor(
    private readonly catalog: CatalogCache,
    private readonly profiles: ProfileSource,
    private readonly models: ModelProvider,
    private readonly log: RecommendationLog,
    private readonly options: RecommenderOptions,
    private readonly logger: Logger,
    private readonly shedder: LoadShedder,
    private readonly sessions: SessionMemory = new SessionMemory(),
    /** Recommendation ids and log row ids: time-ordered, as index keys of `recommendations` (time-ordered-ids.ts). */
    private readonly ids: TimeOrderedIds = new TimeOrderedIds(),
  ) {}

  /**
   * Refused at once (RESOURCE_EXHAUSTED) when overloaded (load-shedder.ts) rather than answered late.
   * `receivedAt`: when the server received the call (performance.now() ms).
   */
  recommend(request: RecommendRequest, receivedAt = performance.now()): Promise<RecommendResponse> {
    return this.shedder.run(receivedAt, () => this.rank(request));
  }

  private async rank(request: RecommendRequest): Promise<RecommendResponse> {
    const q = parseRecommendRequest(request, new Date());
    if (q.recentItemIds.length === 0) q.recentItemIds = this.sessions.recent(q.websiteId, q.sessionId).filter((id) => id !== q.contextItemId);
    if (q.contextItemId) this.sessions.remember(q.websiteId, q.sessionId, q.contextItemId);
    // Profile and catalog in parallel: neither waits for the other.
    const [snapshot, profile] = await Promise.all([this.catalog.get(q.websiteId), this.profiles.lookup(q.websiteId, q.userId)]);
    const user = profile.user;
    // Each candidate is its own feature row, with this request's user and context.
    const scope = { user, context: contextInput(q, snapshot) };
    const candidates = q.candidates ? callerCandidates(q, snapshot, scope) : generateCandidates(q, snapshot, scope);
    const scoring = await scoreWithModel(this.models, q.websiteId, q.modelName, candidates, this.options.scoringTimeoutMs);
    if (!scoring.ok && scoring.error) this.logger.warn({ err: scoring.error, model: scoring.model?.version, websiteId: q.websiteId }, 'model scoring failed: heuristic fallback');
    const scores = scoring.ok ? scoring.scores : heuristicScores(candidates, user, q.time);

    const capped = pickTop(candidates, scores, q.count, q.maxPerCategory || this.options.defaultMaxItemsPerCategory, categoryOf);
    // Row of each candidate in the matrix, only needed to explain.
    const index = q.explain ? new Map(candidates.map((c, i) => [c, i])) : undefined;
    const items: RecommendedItem[] = [];
    for (let r = 0; r < capped.length; r++) {
      const { item: c, score } = capped[r]!;
      const it: RecommendedItem = {
        itemId: c.itemId,
        score,
        rank: r + 1,
        strategy: scoring.ok ? 'model' : c.source,
        source: c.source,
        reasons: [],
        features: {},
      };
      if (index) {
        await this.explain(it, c, index.get(c)!, user, q, scoring);
        const note = PROFILE_NOTES[profile.outcome];
        if (note) it.reasons.push(note);
        if (snapshot.behaviour.stale) it.reasons.push(STALE_BEHAVIOUR_NOTE);
      }
      items.push(it);
    }
    // Nothing reads the matrix past this point: the next call may reuse it.
    if (scoring.ok) scoring.features.giveBack(scoring.matrix);

    const recommendationId = this.ids.next();
    const response: RecommendResponse = {
      recommendationId,
      items,
      model: scoring.ok ? { name: scoring.model.name, version: scoring.model.version } : undefined,
      strategy: scoring.ok ? 'model' : 'heuristic',
      fallback: !scoring.ok,
      fallbackReason: scoring.ok ? FallbackReason.FALLBACK_REASON_UNSPECIFIED : scoring.reason,
      profileUsed: profile.outcome === 'used',
      itemSignalsComputedAt: snapshot.behaviour.computedAt,
    };
    if (!q.dryRun && items.length > 0) this.log.append(loggedRecommendation(q, response, profile, capped.map((x) => x.item), this.ids));
    return response;
  }

  private async explain(it: RecommendedItem, c: Candidate, row: number, user: UserInput | undefined, q: RecommendQuery, scoring: Awaited<ReturnType<typeof scoreWithModel>>) {
    it.reasons = sourceReasons(c, user);
    if (scoring.ok) {
      it.features = featureValuesOf(scoring.model.featureNames as string[], scoring.matrix, row);
      try {
        it.reasons.push(...modelReasons(await contributions(scoring.model, scoring.matrix, row, it.score)));
      } catch {
        // Explaining is best effort: the answer stands without the contribution lines.
      }
    } else {
      it.reasons.push(...heuristicReasons(heuristicParts(c, user, q.time)));
    }
  }
}

/** What the per-category cap counts by; undefined (not capped) for items the catalog does not know or gives no category. */
const categoryOf = (c: Candidate) => c.entry?.category ?? undefined;

/** Said in the reasons (explain) when the profile could not be used. */
const PROFILE_NOTES: Partial<Record<ProfileLookup['outcome'], string>> = {
  timeout: 'profile-service did not answer in time: ranked without the profile',
  unavailable: 'profile-service unavailable: ranked without the profile',
};

/** Said in the reasons (explain) while profile-service's item signals could not be refreshed. */
const STALE_BEHAVIOUR_NOTE = 'item signals from profile-service could not be refreshed: ranked with the last copy';

function contextInput(q: RecommendQuery, snapshot: WebsiteSnapshot): ContextInput {
  const pageItem = q.contextItemId ? snapshot.items.get(q.contextItemId) : undefined;
  return {
    time: q.time,
    timeZone: q.timeZone,
    device: q.device,
    pageType: q.pageType,
    itemId: q.contextItemId,
    category: q.contextCategory,
    // The snapshot's shared strings (website-snapshot.ts), as the items' are.
    itemCategory: pageItem?.input.category,
    itemBrand: pageItem?.input.brand,
    cartSize: q.cartItemIds.length,
    recentCount: q.recentItemIds.length,
  };
}

/** What goes to `recommendations`: context (where it was shown) and personalization factors (what shaped each item). */
function loggedRecommendation(q: RecommendQuery, res: RecommendResponse, profile: ProfileLookup, shown: Candidate[], ids: TimeOrderedIds): LoggedRecommendation {
  return {
    recommendationId: res.recommendationId,
    websiteId: q.websiteId,
    sessionId: q.sessionId,
    userId: q.userId || null,
    recommendationType: q.kind,
    context: {
      page_type: q.pageType ?? null,
      item_id: q.contextItemId ?? null,
      category: q.contextCategory ?? null,
      device: q.device ?? null,
      page_url: q.pageUrl ?? null,
      time: q.time.toISOString(),
      candidates: q.candidates ? 'caller' : 'generated',
      // What the trainer needs to rebuild the feature rows of this answer (dataset.ts): the other seeds of
      // match.co_visitation, which item signals were served, and whether the profile was (a lookup can time out).
      recent_item_ids: q.recentItemIds,
      cart_item_ids: q.cartItemIds,
      item_signals_computed_at: res.itemSignalsComputedAt?.toISOString() ?? null,
      profile_used: res.profileUsed,
    },
    modelVersion: res.model?.version ?? null,
    shownAt: new Date(),
    items: res.items.map((it, i) => {
      const c = shown[i]!;
      return {
        id: ids.next(),
        itemId: it.itemId,
        score: it.score,
        rank: it.rank,
        strategy: it.strategy,
        personalizationFactors: {
          source: c.source,
          profile: profile.outcome,
          lifecycle_stage: profile.user?.lifecycleStage ?? null,
          fallback_reason: res.fallback ? FallbackReason[res.fallbackReason] : null,
          model_name: res.model?.name ?? null,
          co_visitation: c.coVisitation,
          next_item: c.nextItem,
          segment: c.segment ?? null,
        },
        clickedAt: null,
        convertedAt: null,
        revenue: null,
      };
    }),
  };
}

import { pairSeeds, type ItemBehaviour, type UserInput } from '@recsys/features';
import { coVisitationFrom, type BehaviourState, type CatalogItem, type Interaction } from './behaviour-state';
import { groupOf, LABEL, type Group } from './groups';

/** One Recommend answer of the recommendations log, as the trainer reads it (its rows grouped). */
export interface LoggedAnswer {
  recommendationId: string;
  /** Undefined for an anonymous visitor (no profile: no favourites). */
  userId?: string;
  /**
   * False when serving ranked without the visitor's profile (profile-service
   * slow or down: RecommendResponse.profile_used), so the rows are rebuilt
   * without it too; undefined (older logs): it was used when there was a user.
   */
  profileUsed?: boolean;
  sessionId: string;
  /** When it was answered (shown_at), epoch ms: the profile as of then. */
  shownAt: number;
  /** The item signals it was ranked with (context.item_signals_computed_at), epoch ms; shownAt when the log does not say. */
  signalsAt: number;
  /** The request's time (context.time), epoch ms: time features. */
  time: number;
  contextItemId?: string;
  recentItemIds: readonly string[];
  cartItemIds: readonly string[];
  /** The shown items, by rank. */
  items: readonly { itemId: string; clicked: boolean; converted: boolean }[];
}

/** What serving held when the answer was ranked: each shown item's signals and each possible seed's neighbours. */
interface Captured {
  behaviour: Map<string, ItemBehaviour | undefined>;
  neighbours: Map<string, Map<string, number>>;
}

/**
 * The feature rows of logged answers, rebuilt as serving assembled them:
 * item signals as profile-service computed them at the answer's
 * `signalsAt`, the profile (favourites) as of `shownAt`, and
 * match.co_visitation from the same seeds (the page item, recent items, cart,
 * favourite products: `pairSeeds`) and the same neighbours (co-visited plus
 * bought together). Fed by the dataset's replay: `capture` when the replay
 * has observed everything up to `signalsAt`, `rows` when it has up to
 * `shownAt`. Not rebuilt: co-visitation ranking-service learns from its own
 * log's clicks (it adds to serving's once shown items are clicked), and
 * caller-side features (the log does not keep them).
 */
export class AnswerRows {
  private readonly captured = new Map<string, Captured>();
  /** Per visitor with answers, their interactions in time order (the favourites between signalsAt and shownAt). */
  private readonly byUser = new Map<string, { at: number; itemId: string }[]>();

  constructor(
    log: readonly Interaction[],
    private readonly catalog: ReadonlyMap<string, CatalogItem>,
    answers: readonly LoggedAnswer[],
  ) {
    for (const a of answers) if (a.userId) this.byUser.set(a.userId, []);
    for (const x of log) this.byUser.get(x.userId)?.push({ at: x.at, itemId: x.itemId });
  }

  /** At `answer.signalsAt`, everything up to it observed. */
  capture(state: BehaviourState, answer: LoggedAnswer): void {
    const at = answer.signalsAt;
    const behaviour = new Map(answer.items.map((i) => [i.itemId, state.behaviourAt(i.itemId, at)]));
    // Any item that can be a seed by shownAt: the request's items, and whatever the visitor touched until then.
    const seeds = new Set<string>(pairSeeds(answer.contextItemId, answer.recentItemIds, answer.cartItemIds, undefined));
    for (const x of (answer.userId && this.byUser.get(answer.userId)) || []) {
      if (x.at > answer.shownAt) break;
      seeds.add(x.itemId);
    }
    const neighbours = new Map<string, Map<string, number>>();
    for (const s of seeds) neighbours.set(s, state.neighbours(s, at));
    this.captured.set(answer.recommendationId, { behaviour, neighbours });
  }

  /** At `answer.shownAt`, everything up to it observed: the answer's rows, labelled by `labels`. */
  rows(state: BehaviourState, answer: LoggedAnswer, labels: ReadonlyMap<string, number>): Group {
    const captured = this.captured.get(answer.recommendationId);
    if (!captured) throw new Error(`answer ${answer.recommendationId}: rows before its signals were captured`);
    this.captured.delete(answer.recommendationId);
    const user: UserInput | undefined = answer.userId && answer.profileUsed !== false ? state.userInput(answer.userId) : undefined;
    const seeds = pairSeeds(answer.contextItemId, answer.recentItemIds, answer.cartItemIds, user?.favoriteProducts);
    const co = coVisitationFrom((seed) => captured.neighbours.get(seed), seeds);
    return groupOf(
      answer.recommendationId,
      answer.items.map((i) => i.itemId),
      { catalog: this.catalog, user, time: answer.time, behaviour: (itemId) => captured.behaviour.get(itemId), co, labels },
    );
  }
}

/**
 * What the visitor did with each shown item: a conversion 3, a click 1, and
 * whatever they did with it later in the same session (view 1, cart 2,
 * purchase 3), the strongest counting.
 */
export function answerLabels(answer: LoggedAnswer, sessionLabels: ReadonlyMap<string, { at: number; label: number }[]> | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of answer.items) {
    let label = i.converted ? LABEL.purchase : i.clicked ? LABEL.product_view : 0;
    for (const later of sessionLabels?.get(i.itemId) ?? []) if (later.at > answer.shownAt) label = Math.max(label, later.label);
    out.set(i.itemId, label);
  }
  return out;
}

/**
 * What the recommendation log keeps: one record per Recommend answer — what its
 * shown items share, once, then the items. Rows of `recommendations` are made
 * from it only at the SQL edge (log-batch-sql.ts).
 */
export interface LoggedRecommendation {
  /** The answer's id: RecommendResponse.recommendation_id, the `recommendation_id` column. */
  recommendationId: string;
  websiteId: string;
  sessionId: string;
  userId: string | null;
  /** 'product', 'content' or 'offer'. */
  recommendationType: string;
  /** Where the answer was shown: the `context` column of each of its rows. */
  context: Record<string, unknown>;
  modelVersion: string | null;
  shownAt: Date;
  items: LoggedItem[];
}

/** One shown item of an answer. Its outcome may be set while it waits to be written. */
export interface LoggedItem {
  /**
   * The row's primary key, made when the answer is logged: time-ordered (TimeOrderedIds), so the key
   * index takes appends; and fixed before the first write, so a retried write can tell its own rows.
   */
  id: string;
  itemId: string;
  score: number;
  rank: number;
  strategy: string;
  personalizationFactors: Record<string, unknown>;
  clickedAt: Date | null;
  convertedAt: Date | null;
  revenue: string | null;
}

/** What an outcome is about: an item of one answer, or an item shown in a session up to the outcome. */
export type OutcomeTarget = { kind: 'recommendation'; recommendationId: string } | { kind: 'session'; websiteId: string; sessionId: string };

/** A click or a conversion of a shown item (RecordOutcome, validated). */
export interface ItemOutcome {
  target: OutcomeTarget;
  itemId: string;
  kind: 'click' | 'conversion';
  at: Date;
  /** Conversions only; null when none was given. */
  revenue: string | null;
}

/** Whether `outcome` is about an item of `answer` (for a session: shown at or before the outcome). */
export function isAbout(outcome: ItemOutcome, answer: LoggedRecommendation): boolean {
  const t = outcome.target;
  const sameAnswer =
    t.kind === 'recommendation'
      ? answer.recommendationId === t.recommendationId
      : answer.websiteId === t.websiteId && answer.sessionId === t.sessionId && answer.shownAt <= outcome.at;
  return sameAnswer && answer.items.some((i) => i.itemId === outcome.itemId);
}

/** Sets the outcome on `item` unless it already has one of its kind (the first click and the first conversion win). */
export function applyOutcome(outcome: ItemOutcome, item: LoggedItem): boolean {
  if (outcome.kind === 'click') {
    if (item.clickedAt) return false;
    item.clickedAt = outcome.at;
    return true;
  }
  if (item.convertedAt) return false;
  item.convertedAt = outcome.at;
  item.revenue = outcome.revenue;
  return true;
}

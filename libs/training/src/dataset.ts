import { pairSeeds } from '@recsys/features';
import { seededRandom } from '@recsys/onnx';
import { BehaviourState, coVisitationFrom, type CatalogItem, type Interaction } from './behaviour-state';
import { baselineScores, type BaselineScores } from './evaluate';
import { groupOf, LABEL, toSet, type Group } from './groups';
import type { RankingSet } from './lambdamart';
import { answerLabels, AnswerRows, type LoggedAnswer } from './logged-answers';

/**
 * The features a model trained from the interaction log uses: every one of
 * them computable as of an example's time from the log and the catalog, with
 * the vocabulary's definitions (@recsys/features), so serving assembles the
 * same numbers from profile-service's signals and the profile. Popularity
 * enters as a share of the most popular item's and with its rates, not as
 * decayed sums or the last day's share (item.behaviour_popularity, _views,
 * _carts, _purchases, _trending): those shrink while a shop is quiet and grow
 * with its traffic, so rows from last month and a request today read them on
 * different scales — after a three-week gap without events, as when a
 * held-out period is withheld, a model trained on them fell below the
 * heuristic on one synthetic shop (docs/learning.md).
 */
export const TRAINED_FEATURES = [
  'item.behaviour_popularity_share',
  'item.view_to_cart_rate',
  'item.cart_to_purchase_rate',
  'item.log_price',
  'item.has_price',
  'match.category_favorite',
  'match.category_favorite_rank',
  'match.brand_preferred',
  'match.co_visitation',
  'match.co_visitation_share',
] as const;

export interface DatasetOptions {
  /** ITEM_SIGNAL_HALF_LIFE_DAYS of the profile-service the model will serve with. */
  halfLifeDays: number;
  /** Sessions starting at or after this time are validation examples; before it, training. */
  validationFrom: number;
  /** Generated candidates per example, besides what the visitor did. */
  candidates: number;
  /** Co-visited neighbours per item: profile-service's ITEM_SIGNAL_NEIGHBOURS. */
  neighbours: number;
  /** At most this many examples (sessions) of each split, drawn at random (seeded). */
  maxTrainGroups: number;
  maxValidationGroups: number;
  seed: number;
}

export const DEFAULT_DATASET: Omit<DatasetOptions, 'validationFrom'> = { halfLifeDays: 30, candidates: 100, neighbours: 20, maxTrainGroups: 20_000, maxValidationGroups: 5_000, seed: 1 };

export interface Dataset {
  train: RankingSet;
  validation: RankingSet;
  /** What the model is compared with on the validation rows (evaluate.ts). */
  validationBaselines: BaselineScores;
  featureNames: readonly string[];
  /** The first and last interaction replayed. */
  period: { start: Date; end: Date };
}

/**
 * Examples from the interaction log for a ranking objective. One group per
 * session of a visitor who had interacted before: its rows are what serving
 * would propose at the session's start — co-visited neighbours (20 each) of
 * the visitor's favourite products, then the most popular items, the
 * visitor's earlier items left out, up to `candidates` — each labelled by
 * what the visitor did with it in the session (view 1, cart 2, purchase 3,
 * untouched 0); sessions where none of the proposals was touched give no
 * group. Every feature is computed from the log replayed up to the session's
 * start and no further (BehaviourState): nothing after an example's time
 * reaches its features. NDCG on validation groups compares orderings of the
 * same proposals, not candidate generation.
 *
 * And one group per logged answer (`answers`, from the recommendations log)
 * with a positive label: its shown items, with the features serving assembled
 * for them (AnswerRows), labelled by clicks, conversions and what the visitor
 * did with them later in the session.
 */
export function buildDataset(
  log: readonly Interaction[],
  catalog: ReadonlyMap<string, CatalogItem>,
  options: Partial<DatasetOptions> & { validationFrom: number },
  answers: readonly LoggedAnswer[] = [],
  /** Called as the replay goes, about every 1 % of the log (progress). */
  onProgress?: (replayed: number, total: number) => void,
): Dataset {
  const o = { ...DEFAULT_DATASET, ...options };
  if (log.length === 0) throw new Error('the interaction log is empty: nothing to learn from');
  // Pass 1: each session's first time and what the visitor did in it.
  const sessions = new Map<string, { start: number; labels: Map<string, number> }>();
  for (const x of log) {
    const key = `${x.userId}\u0000${x.sessionId}`;
    const s = sessions.get(key) ?? sessions.set(key, { start: x.at, labels: new Map() }).get(key)!;
    s.labels.set(x.itemId, Math.max(s.labels.get(x.itemId) ?? 0, LABEL[x.kind]));
  }
  // Which sessions become examples, decided before the replay (seeded): computing every session's rows
  // and keeping a sample cost 8× the time at a million interactions. Twice the cap each, since some
  // sessions give no group (a first visit, nothing proposed touched).
  const rnd = seededRandom(o.seed);
  const shuffled = <T>(list: T[]): T[] => {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  };
  const keys = [...sessions.keys()];
  const wanted = new Set([
    ...shuffled(keys.filter((k) => sessions.get(k)!.start < o.validationFrom)).slice(0, 2 * o.maxTrainGroups),
    ...shuffled(keys.filter((k) => sessions.get(k)!.start >= o.validationFrom)).slice(0, 2 * o.maxValidationGroups),
  ]);
  // Logged answers are read at two moments of the replay: their signals' time and their own.
  const answerRows = new AnswerRows(log, catalog, answers);
  const answerSessions = new Map<string, Map<string, { at: number; label: number }[]>>();
  // By session alone: an anonymous answer has no user id, while its session's interactions have one.
  for (const a of answers) answerSessions.set(a.sessionId, new Map());
  for (const x of log) {
    const m = answerSessions.get(x.sessionId);
    if (m) (m.get(x.itemId) ?? m.set(x.itemId, []).get(x.itemId)!).push({ at: x.at, label: LABEL[x.kind] });
  }
  type Probe = { at: number; run: () => void };
  const probes: Probe[] = answers.flatMap((a): Probe[] => [
    { at: Math.min(a.signalsAt, a.shownAt), run: () => answerRows.capture(state, a) },
    {
      at: a.shownAt,
      run: () => {
        const labels = answerLabels(a, answerSessions.get(a.sessionId));
        if ([...labels.values()].some((l) => l > 0)) (a.shownAt >= o.validationFrom ? validation : train).push(answerRows.rows(state, a, labels));
      },
    },
  ]);
  probes.sort((a, b) => a.at - b.at); // stable: an answer's capture stays before its rows
  let next = 0;
  // Pass 2: replay the log; at each wanted session's first interaction, the state is everything before it.
  const state = new BehaviourState(o.halfLifeDays, log[0]!.at, o.neighbours);
  const train: Group[] = [];
  const validation: Group[] = [];
  const started = new Set<string>();
  const every = Math.max(1, Math.floor(log.length / 100));
  for (const [n, x] of log.entries()) {
    if (onProgress && n % every === 0) onProgress(n, log.length);
    // A probe at t sees every interaction up to and including t.
    while (next < probes.length && probes[next]!.at < x.at) probes[next++]!.run();
    const key = `${x.userId}\u0000${x.sessionId}`;
    if (!started.has(key)) {
      started.add(key);
      const group = wanted.has(key) ? example(state, catalog, x.userId, x.at, sessions.get(key)!.labels, o.candidates, key) : undefined;
      if (group) (x.at >= o.validationFrom ? validation : train).push(group);
    }
    state.observe(x);
  }
  while (next < probes.length) probes[next++]!.run();
  onProgress?.(log.length, log.length);
  const featureNames = [...TRAINED_FEATURES];
  const validationGroups = shuffled(validation).slice(0, o.maxValidationGroups);
  return {
    train: toSet(shuffled(train).slice(0, o.maxTrainGroups), featureNames),
    validation: toSet(validationGroups, featureNames),
    validationBaselines: baselineScores(validationGroups),
    featureNames,
    period: { start: new Date(log[0]!.at), end: new Date(log[log.length - 1]!.at) },
  };
}

/** One session's rows as of `at`; undefined for a visitor with no history or a session with nothing new. */
function example(state: BehaviourState, catalog: ReadonlyMap<string, CatalogItem>, userId: string, at: number, labels: ReadonlyMap<string, number>, count: number, key: string): Group | undefined {
  const seen = state.seen(userId);
  if (seen.size === 0) return undefined;
  const fresh = [...labels].filter(([itemId]) => !seen.has(itemId));
  if (fresh.length === 0) return undefined;
  const user = state.userInput(userId);
  const reached = coVisitationFrom((seed) => state.neighbours(seed, at), pairSeeds(undefined, [], [], user?.favoriteProducts));
  const co = new Map([...reached].filter(([id]) => !seen.has(id)));
  const proposed = [...co.keys()].sort((a, b) => co.get(b)!.co - co.get(a)!.co || (a < b ? -1 : 1));
  for (const id of state.popular(count + seen.size)) if (!seen.has(id) && !co.has(id)) proposed.push(id);
  const items = new Set(proposed.slice(0, count));
  // Only what serving would have proposed: the model learns to order serving's candidates. (Adding the
  // session's other items too made them easy to tell apart — unlike any proposal — and a model that
  // learned that ranked taste-blind online: simulated CTR 0.007 against the heuristic's 0.058.)
  if (!fresh.some(([itemId]) => items.has(itemId))) return undefined;
  return groupOf(key, items, { catalog, user, time: at, behaviour: (itemId) => state.behaviourAt(itemId, at), co, labels });
}

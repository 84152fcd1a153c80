import type { UserInput } from '@recsys/features';
import type { Candidate } from './candidates';

const DAY_MS = 86_400_000;

export interface HeuristicParts {
  popularity: number;
  recency: number;
  match: number;
  favoriteCategory: boolean;
  preferredBrand: boolean;
}

/**
 * The fallback scorer: popularity × recency × profile match, normalised to
 * 0..1 within the answer (the contract's promise for non-model scores).
 * - popularity: 1 + ln(1 + 30-day popularity), so items without logged
 *   behaviour still rank (by the other factors);
 * - recency: 0.5 + 0.5·e^(−age/30 days) of published_at, 0.75 when unknown;
 * - match: 1 + ln(1 + co-visitation) + 0.8·next item + 0.6·favourite category
 *   + 0.3·preferred brand + 0.4·segment popular + 0.3·trending.
 */
export function heuristicParts(c: Candidate, user: UserInput | undefined, now: Date): HeuristicParts {
  const e = c.entry;
  const popularity = 1 + Math.log1p(e?.popularity ?? 0);
  const published = e?.row.publishedAt;
  const recency = published ? 0.5 + 0.5 * Math.exp(-Math.max(0, now.getTime() - published.getTime()) / (30 * DAY_MS)) : 0.75;
  const favoriteCategory = Boolean(e?.row.category && user?.favoriteCategories?.includes(e.row.category));
  const preferredBrand = Boolean(e?.row.brand && user?.preferredBrands?.includes(e.row.brand));
  const match =
    1 +
    Math.log1p(c.coVisitation) +
    0.8 * c.nextItem +
    (favoriteCategory ? 0.6 : 0) +
    (preferredBrand ? 0.3 : 0) +
    (c.segment ? 0.4 : 0) +
    0.3 * (e?.trending ?? 0);
  return { popularity, recency, match, favoriteCategory, preferredBrand };
}

export function heuristicScores(candidates: readonly Candidate[], user: UserInput | undefined, now: Date): Float64Array {
  const raw = new Float64Array(candidates.length);
  let max = 0;
  for (let i = 0; i < candidates.length; i++) {
    const p = heuristicParts(candidates[i]!, user, now);
    raw[i] = p.popularity * p.recency * p.match;
    if (raw[i]! > max) max = raw[i]!;
  }
  if (max > 0) for (let i = 0; i < raw.length; i++) raw[i] = raw[i]! / max;
  return raw;
}

import { CO_VISITATION_WEIGHT, type UserInput } from '@recsys/features';
import type { Candidate } from './candidates';

const DAY_MS = 86_400_000;

export interface HeuristicParts {
  /** ln(1 + popularity), the item's popularity before scaling to the answer. */
  popularity: number;
  recency: number;
  /** Summed co-visitation weight with what the visitor had. */
  coVisitation: number;
  /** Next item, favourite category, preferred brand, segment, trending: each a fixed boost. */
  boosts: number;
  favoriteCategory: boolean;
  preferredBrand: boolean;
}

/**
 * One candidate's factors:
 * - popularity: ln(1 + popularity) (both logs, combined);
 * - recency: 0.5 + 0.5·e^(−age/30 days) of published_at, 0.75 when unknown;
 * - boosts: 0.8·next item + 0.6·favourite category + 0.3·preferred brand
 *   + 0.4·segment popular + 0.3·trending.
 */
export function heuristicParts(c: Candidate, user: UserInput | undefined, now: Date): HeuristicParts {
  const e = c.entry;
  const published = e?.row.publishedAt;
  const recency = published ? 0.5 + 0.5 * Math.exp(-Math.max(0, now.getTime() - published.getTime()) / (30 * DAY_MS)) : 0.75;
  const favoriteCategory = Boolean(e?.row.category && user?.favoriteCategories?.includes(e.row.category));
  const preferredBrand = Boolean(e?.row.brand && user?.preferredBrands?.includes(e.row.brand));
  const boosts = 0.8 * c.nextItem + (favoriteCategory ? 0.6 : 0) + (preferredBrand ? 0.3 : 0) + (c.segment ? 0.4 : 0) + 0.3 * (e?.trending ?? 0);
  return { popularity: Math.log1p(e?.popularity ?? 0), recency, coVisitation: c.coVisitation, boosts, favoriteCategory, preferredBrand };
}

/**
 * The fallback scorer, normalised to 0..1 within the answer (the contract's
 * promise for non-model scores):
 * recency × (popularity / answer's max + CO_VISITATION_WEIGHT · co-visitation /
 * answer's max + boosts + 0.01). The 0.01 keeps items without any signal
 * ordered by recency alone rather than all zero.
 */
export function heuristicScores(candidates: readonly Candidate[], user: UserInput | undefined, now: Date): Float64Array {
  const parts = candidates.map((c) => heuristicParts(c, user, now));
  let maxPopularity = 0;
  let maxCo = 0;
  for (const p of parts) {
    if (p.popularity > maxPopularity) maxPopularity = p.popularity;
    if (p.coVisitation > maxCo) maxCo = p.coVisitation;
  }
  const raw = new Float64Array(candidates.length);
  let max = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const popularity = maxPopularity > 0 ? p.popularity / maxPopularity : 0;
    const co = maxCo > 0 ? p.coVisitation / maxCo : 0;
    raw[i] = p.recency * (popularity + CO_VISITATION_WEIGHT * co + p.boosts + 0.01);
    if (raw[i]! > max) max = raw[i]!;
  }
  if (max > 0) for (let i = 0; i < raw.length; i++) raw[i] = raw[i]! / max;
  return raw;
}

import type { UserInput } from '@recsys/features';
import type { Candidate } from './candidates';
import type { HeuristicParts } from './heuristic';

/** Why the candidate was proposed, in words (explain). */
export function sourceReasons(c: Candidate, user: UserInput | undefined): string[] {
  const out: string[] = [];
  const category = c.entry?.row.category;
  switch (c.source) {
    case 'caller':
      out.push('candidate sent by the caller');
      break;
    case 'co_visitation':
      out.push(`viewed together with item ${c.via}`);
      break;
    case 'next_item':
      out.push(`often viewed next after item ${c.via}`);
      break;
    case 'favorites':
      out.push(c.via ? `viewed together with favourite item ${c.via}` : `in favourite category '${category}'`);
      break;
    case 'trending':
      out.push('trending on this website in the last day');
      break;
    case 'popular':
      out.push(c.segment ? `popular with visitors like this one (${c.segment.replace(':', ' ')})` : 'popular on this website');
      break;
  }
  if (c.source !== 'co_visitation' && c.coVisitation > 0 && c.via) out.push(`viewed together with item ${c.via}`);
  if (c.source !== 'favorites' && category && user?.favoriteCategories?.includes(category)) out.push(`in favourite category '${category}'`);
  if (c.entry?.row.brand && user?.preferredBrands?.includes(c.entry.row.brand)) out.push(`preferred brand '${c.entry.row.brand}'`);
  return out;
}

export function heuristicReasons(p: HeuristicParts): string[] {
  return [`heuristic: recency ${p.recency.toFixed(2)} × (popularity ln ${p.popularity.toFixed(2)}, co-visitation ${p.coVisitation.toFixed(2)}, boosts ${p.boosts.toFixed(2)})`];
}

export function modelReasons(top: { name: string; value: number; delta: number }[]): string[] {
  return top.slice(0, 3).map((c) => `${c.name} = ${round(c.value)} raised the score by ${round(c.delta)}`);
}

const round = (v: number) => Number(v.toPrecision(4));

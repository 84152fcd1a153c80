/**
 * How much the strongest co-visitation in an answer weighs against the most
 * popular item in it (both scaled to 0..1 within the answer), in
 * ranking-service's heuristic scorer — and in the trainer's copy of that
 * heuristic, the baseline a trained model must beat. High, so that evidence
 * that an item goes with what this visitor had outranks mere popularity and
 * popularity orders the rest: with 3 the heuristic stayed below plain
 * item-kNN on every synthetic shop of `npm run eval`, with 6–20 it came within
 * a few per cent of it (docs/ranking.md has the table).
 */
export const CO_VISITATION_WEIGHT = 8;

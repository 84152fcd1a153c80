/** The kinds of interaction that concern an item (profile-service's interaction log, `interactions.kind`). */
export type InteractionKind = 'product_view' | 'item_view' | 'add_to_cart' | 'purchase';

/**
 * What one interaction adds to an item's popularity in the item signals
 * (profile-service's GetItemSignals, `item.behaviour_popularity`, and the
 * trainer's replay of them): an item view — seen, not a page — counts half.
 */
export const SIGNAL_WEIGHTS: Readonly<Record<InteractionKind, number>> = Object.freeze({ product_view: 1, item_view: 0.5, add_to_cart: 3, purchase: 5 });

/**
 * What one event adds to a favourite (the profile's favourite_categories /
 * _products / preferred_brands, and the trainer's replay of them).
 */
export const FAVOURITE_WEIGHTS: Readonly<Record<InteractionKind, number>> = Object.freeze({ product_view: 1, item_view: 1, add_to_cart: 3, purchase: 5 });

/** `weights` as an SQL CASE over the kind column `column`; NULL for any other kind. */
export function kindWeightSql(column: string, weights: Readonly<Record<InteractionKind, number>>): string {
  return `CASE ${column} ${Object.entries(weights)
    .map(([kind, w]) => `WHEN '${kind}' THEN ${w}`)
    .join(' ')} END`;
}

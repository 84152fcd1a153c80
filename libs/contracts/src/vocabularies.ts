// The one mapping of each closed vocabulary of the contracts between the
// protobuf enum values and the lowercase names the domain code, the SQL
// columns (004's checks), the features and the CLI use: `LIFECYCLE_STAGE_AT_RISK`
// ↔ `at_risk`. Handwritten beside the generated code because it is part of the
// contract: a name here is the enum's own name without its prefix, checked when
// the module loads, so the two cannot drift.
import { Device as ProfileDevice, EventType, FunnelPosition, LifecycleStage, PriceSensitivity } from './profile';
import { Device as RankingDevice, FallbackReason, ItemType, PageType, RecommendationType } from './ranking';
import { ModelStatus } from './registry';

export class Vocabulary<N extends string, V extends number> {
  private readonly byValue = new Map<number, N>();
  private readonly byName = new Map<string, V>();

  constructor(
    enumObject: Record<string, string | number>,
    /** The enum's value prefix, e.g. `LIFECYCLE_STAGE_`. */
    readonly prefix: string,
    /** Every name except UNSPECIFIED, in the contract's order. */
    readonly names: readonly N[],
  ) {
    for (const name of names) {
      const value = enumObject[prefix + name.toUpperCase()];
      if (typeof value !== 'number') throw new Error(`${prefix}${name.toUpperCase()} is not a value of the contract's enum`);
      this.byValue.set(value, name);
      this.byName.set(name, value as V);
    }
  }

  /** The name of an enum value; undefined for UNSPECIFIED and for numbers the contract does not define. */
  nameOf(value: number): N | undefined {
    return this.byValue.get(value);
  }

  /** The enum value of a name; UNSPECIFIED (0) for undefined, null or an unknown name. */
  valueOf(name: string | null | undefined): V {
    return ((name && this.byName.get(name)) ?? 0) as V;
  }

  /** Whether `name` is one of the vocabulary's names (user input from the CLI, rows from SQL). */
  has(name: string): name is N {
    return this.byName.has(name);
  }
}

export const LIFECYCLE_STAGES = new Vocabulary<'new' | 'active' | 'at_risk' | 'churned', LifecycleStage>(LifecycleStage, 'LIFECYCLE_STAGE_', [
  'new',
  'active',
  'at_risk',
  'churned',
]);
export const FUNNEL_POSITIONS = new Vocabulary<'awareness' | 'consideration' | 'decision' | 'retention', FunnelPosition>(FunnelPosition, 'FUNNEL_POSITION_', [
  'awareness',
  'consideration',
  'decision',
  'retention',
]);
export const PRICE_SENSITIVITIES = new Vocabulary<'low' | 'medium' | 'high', PriceSensitivity>(PriceSensitivity, 'PRICE_SENSITIVITY_', ['low', 'medium', 'high']);
/** Device in both profile.v1 and ranking.v1 (the same numbers: vocabularies.spec.ts checks it). */
export const DEVICES = new Vocabulary<'mobile' | 'tablet' | 'desktop', ProfileDevice & RankingDevice>(ProfileDevice, 'DEVICE_', ['mobile', 'tablet', 'desktop']);
export const EVENT_TYPES = new Vocabulary<'page_view' | 'product_view' | 'add_to_cart' | 'purchase' | 'custom', EventType>(EventType, 'EVENT_TYPE_', [
  'page_view',
  'product_view',
  'add_to_cart',
  'purchase',
  'custom',
]);
/** RecommendationType (what a request asks for) and ItemType (what an item is) share their names and numbers. */
export const RECOMMENDATION_TYPES = new Vocabulary<'product' | 'content' | 'offer', RecommendationType>(RecommendationType, 'RECOMMENDATION_TYPE_', [
  'product',
  'content',
  'offer',
]);
export const ITEM_TYPES = new Vocabulary<'product' | 'content' | 'offer', ItemType>(ItemType, 'ITEM_TYPE_', ['product', 'content', 'offer']);
export const PAGE_TYPES = new Vocabulary<
  'home' | 'category' | 'product' | 'search' | 'cart' | 'checkout' | 'order_confirmation' | 'article' | 'account' | 'other',
  PageType
>(PageType, 'PAGE_TYPE_', ['home', 'category', 'product', 'search', 'cart', 'checkout', 'order_confirmation', 'article', 'account', 'other']);
export const MODEL_STATUSES = new Vocabulary<'training' | 'validating' | 'production' | 'archived', ModelStatus>(ModelStatus, 'MODEL_STATUS_', [
  'training',
  'validating',
  'production',
  'archived',
]);
export const FALLBACK_REASONS = new Vocabulary<'no_active_model' | 'model_not_ready' | 'model_error' | 'model_timeout', FallbackReason>(
  FallbackReason,
  'FALLBACK_REASON_',
  ['no_active_model', 'model_not_ready', 'model_error', 'model_timeout'],
);

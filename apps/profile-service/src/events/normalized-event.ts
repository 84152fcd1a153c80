/**
 * The kinds of event, as used in SQL: EventType without the prefix, except
 * that a PRODUCT_VIEW that is not a page view (Event.page_view = false) is
 * `item_view` — it weighs and funnels like a product view but is not counted
 * among page views.
 */
export type EventKind = 'page_view' | 'product_view' | 'item_view' | 'add_to_cart' | 'purchase' | 'custom';
export type DeviceName = 'mobile' | 'tablet' | 'desktop';

/**
 * One validated event, reduced to what aggregation needs. Optional facts are
 * null, never empty strings, so SQL can test IS NULL.
 */
export interface NormalizedEvent {
  eventId: string;
  userId: string;
  /** Lowercase UUID. */
  sessionId: string;
  occurredAt: Date;
  kind: EventKind;
  device: DeviceName | null;
  timeOnPageSeconds: number | null;
  scrollDepthPercent: number | null;
  itemId: string | null;
  category: string | null;
  brand: string | null;
  /** Exact decimal strings. */
  price: string | null;
  revenue: string | null;
  orderId: string | null;
}

/**
 * An Umami event's data as Umami stores it (event_data: one row per key, the
 * key path of nested objects joined with "."), read back into values by their
 * data type: 1 string, 2 number (number_value: an id 4124 stays "4124", not
 * string_value's "4124.0000"), 3 boolean, 4 date, 5 array (JSON text).
 */
export const DATA_TYPE = { string: 1, number: 2, boolean: 3, date: 4, array: 5 } as const;

/** One event_data row: key, data type, and its value as text (numbers in plain decimal, dates ISO). */
export type UmamiDatum = [key: string, dataType: number, value: string | null];

/** One line of a GA4-style `items` array (or `products`, `line_items`). */
export interface LineItem {
  itemId: string;
  category: string;
  brand: string;
  price: string;
  quantity: number;
}

const ARRAY_KEYS = ['items', 'products', 'line_items', 'order.items', 'cart.items', 'ecommerce.items'];
const ITEM_ID_KEYS = ['item_id', 'product_id', 'id', 'sku', 'productId', 'itemId'];
const ITEM_CATEGORY_KEYS = ['item_category', 'category', 'product_category'];
const ITEM_BRAND_KEYS = ['item_brand', 'brand', 'product_brand'];

export class UmamiFacts {
  private readonly values = new Map<string, { type: number; value: string }>();

  constructor(data: readonly UmamiDatum[]) {
    for (const [key, type, value] of data) {
      if (value !== null && value.trim() !== '') this.values.set(key, { type, value: value.trim() });
    }
  }

  /** The first present value among `keys` (top-level names and nested paths alike), or ''. */
  pick(...keys: string[]): string {
    for (const k of keys) {
      const v = this.values.get(k);
      if (v && v.type !== DATA_TYPE.array) return v.value;
    }
    return '';
  }

  /** Whether `key` holds a number (Umami data type 2), as Umami's revenue convention requires. */
  isNumber(key: string): boolean {
    return this.values.get(key)?.type === DATA_TYPE.number;
  }

  /** The lines of the first array of line items the event carries (empty when none parses). */
  lineItems(): LineItem[] {
    for (const key of ARRAY_KEYS) {
      const raw = this.values.get(key);
      if (!raw) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.value);
      } catch {
        continue; // Umami cuts string_value at 500 characters: a long array may not parse.
      }
      if (!Array.isArray(parsed)) continue;
      const lines = parsed.flatMap((entry): LineItem[] => {
        if (!entry || typeof entry !== 'object') return [];
        const o = entry as Record<string, unknown>;
        const text = (keys: string[]) => {
          for (const k of keys) {
            const v = o[k];
            if ((typeof v === 'string' && v.trim()) || (typeof v === 'number' && Number.isFinite(v))) return String(v).trim();
          }
          return '';
        };
        const itemId = text(ITEM_ID_KEYS);
        if (!itemId) return [];
        const quantity = Number(text(['quantity', 'qty']) || '1');
        return [{ itemId, category: text(ITEM_CATEGORY_KEYS), brand: text(ITEM_BRAND_KEYS), price: text(['price', 'item_price']), quantity: Number.isFinite(quantity) && quantity > 0 ? quantity : 1 }];
      });
      if (lines.length > 0) return lines;
    }
    return [];
  }
}

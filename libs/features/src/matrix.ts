import type { FeatureRowInput } from './inputs';
import { CANDIDATE_FEATURE, FEATURES_BY_NAME, type FeatureDefinition } from './vocabulary';

/** Names a model may not declare: neither in the vocabulary nor a well-formed `candidate.<key>`. */
export function unknownFeatureNames(names: readonly string[]): string[] {
  return names.filter((n) => !FEATURES_BY_NAME.has(n) && !CANDIDATE_FEATURE.test(n));
}

export class UnknownFeatureError extends Error {
  constructor(readonly names: string[]) {
    super(`unknown feature names: ${names.join(', ')}`);
    this.name = 'UnknownFeatureError';
  }
}

/**
 * One compiled column: how to get a finite number for it from a row. `shared`
 * columns (user.*, context.*) depend only on the row's user and context, which
 * every row of one request shares: they are computed once per request.
 */
export type ColumnExtractor = ((row: FeatureRowInput) => number) & { shared?: boolean; itemOnly?: boolean };

function columnFor(name: string): ColumnExtractor {
  const def: FeatureDefinition | undefined = FEATURES_BY_NAME.get(name);
  if (def) {
    const { compute, defaultValue } = def;
    const extract: ColumnExtractor = (row) => {
      const v = compute(row);
      return v === undefined || !Number.isFinite(v) ? defaultValue : v;
    };
    extract.shared = name.startsWith('user.') || name.startsWith('context.');
    // item.* features read only the item (item.age_days also reads the request time).
    extract.itemOnly = name.startsWith('item.') && name !== 'item.age_days';
    return extract;
  }
  const key = CANDIDATE_FEATURE.exec(name)?.[1];
  if (key === undefined) throw new UnknownFeatureError([name]);
  // A candidate.* feature the model declares but a candidate lacks is 0 (the contract says so).
  return (row) => {
    const v = row.candidate?.[key];
    return v === undefined || !Number.isFinite(v) ? 0 : v;
  };
}

/**
 * Compiles the model's declared feature names once (at model load) into column
 * extractors; throws UnknownFeatureError naming every unknown name.
 */
export function compileFeatureColumns(featureNames: readonly string[]): ColumnExtractor[] {
  const unknown = unknownFeatureNames(featureNames);
  if (unknown.length > 0) throw new UnknownFeatureError(unknown);
  return featureNames.map(columnFor);
}

/**
 * The `[rows.length, featureNames.length]` row-major float32 matrix, columns in
 * exactly the order of `featureNames` (the model's declared order). Every value
 * is finite: missing inputs take the documented defaults. Float32 overflow
 * (|v| > 3.4e38) is clamped so Infinity never reaches a model.
 */
export function assembleFeatureMatrix(
  featureNames: readonly string[] | readonly ColumnExtractor[],
  rows: readonly FeatureRowInput[],
): Float32Array {
  const columns = (typeof featureNames[0] === 'string' ? compileFeatureColumns(featureNames as string[]) : featureNames) as ColumnExtractor[];
  const width = columns.length;
  const out = new Float32Array(rows.length * width);
  const perRow: number[] = [];
  const sharedCols: number[] = [];
  const itemCols: number[] = [];
  columns.forEach((c, i) => (c.shared ? sharedCols : c.itemOnly ? itemCols : perRow).push(i));
  const itemCache = itemCacheOf(columns);
  // A template row holds the shared columns; recomputed only when the user or context object changes.
  const template = new Float32Array(width);
  let user: unknown = null;
  let context: unknown = null;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (r === 0 || row.user !== user || row.context !== context) {
      user = row.user;
      context = row.context;
      for (const c of sharedCols) template[c] = clamp(columns[c]!(row));
    }
    const base = r * width;
    if (sharedCols.length > 0) out.set(template, base);
    for (let k = 0; k < perRow.length; k++) {
      const c = perRow[k]!;
      out[base + c] = clamp(columns[c]!(row));
    }
    if (itemCols.length > 0) {
      // Catalog items' item.* values are the same for every request until the catalog snapshot
      // is rebuilt (a new ItemInput object): computed once per item and column set.
      let values = row.item.inCatalog ? itemCache.get(row.item) : undefined;
      if (!values) {
        values = new Float32Array(itemCols.length);
        for (let k = 0; k < itemCols.length; k++) values[k] = clamp(columns[itemCols[k]!]!(row));
        if (row.item.inCatalog) itemCache.set(row.item, values);
      }
      for (let k = 0; k < itemCols.length; k++) out[base + itemCols[k]!] = values[k]!;
    }
  }
  return out;
}

const itemCaches = new WeakMap<readonly ColumnExtractor[], WeakMap<object, Float32Array>>();
function itemCacheOf(columns: readonly ColumnExtractor[]): WeakMap<object, Float32Array> {
  let cache = itemCaches.get(columns);
  if (!cache) itemCaches.set(columns, (cache = new WeakMap()));
  return cache;
}

const clamp = (v: number) => (v > 3.4e38 ? 3.4e38 : v < -3.4e38 ? -3.4e38 : v);

/** The values of one row by name (for `explain` answers and debugging). */
export function featureValuesOf(featureNames: readonly string[], matrix: Float32Array, row: number): Record<string, number> {
  const out: Record<string, number> = {};
  const width = featureNames.length;
  for (let c = 0; c < width; c++) out[featureNames[c]!] = matrix[row * width + c]!;
  return out;
}

// The serving assembler: compiled per model, caching per request and per catalog
// item what the definitions' declared inputs allow. The plain definitions it must
// agree with cell for cell are plain-matrix.ts (what training uses).
import type { FeatureRowInput, ItemTable } from './inputs';
import { CANDIDATE_FEATURE, FEATURES_BY_NAME, type FeatureInput } from './vocabulary';

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
 * When a column's value can change, from its definition's declared inputs:
 * `shared` columns read only the user and the context, which every row of one
 * request shares; `item` columns only the catalog item (the same for every
 * request until the catalog snapshot is rebuilt: cached per item); `row`
 * columns anything else — the item with the user or the context (item.age_days
 * reads the request time), pair signals, caller numbers.
 */
type ColumnKind = 'shared' | 'item' | 'row';

export function columnKindOf(inputs: readonly FeatureInput[]): ColumnKind {
  if (inputs.includes('pair') || inputs.includes('candidate')) return 'row';
  if (!inputs.includes('item')) return 'shared';
  return inputs.length === 1 ? 'item' : 'row';
}

interface Column {
  compute: (row: FeatureRowInput) => number | undefined;
  defaultValue: number;
  kind: ColumnKind;
}

function columnFor(name: string): Column {
  const def = FEATURES_BY_NAME.get(name);
  if (def) return { compute: def.compute, defaultValue: def.defaultValue, kind: columnKindOf(def.inputs) };
  const key = CANDIDATE_FEATURE.exec(name)?.[1];
  if (key === undefined) throw new UnknownFeatureError([name]);
  // A candidate.* feature the model declares but a candidate lacks is 0 (the contract says so).
  return { compute: (row) => row.candidate?.[key], defaultValue: 0, kind: 'row' };
}

/** Missing or non-finite → the column's default; float32 overflow clamped, so Infinity never reaches a model. */
function finite(v: number | undefined, defaultValue: number): number {
  if (v === undefined || v !== v || v === Infinity || v === -Infinity) return defaultValue;
  return v > 3.4e38 ? 3.4e38 : v < -3.4e38 ? -3.4e38 : v;
}

type AssembleFn = (rows: readonly FeatureRowInput[], out: Float32Array, cache: ItemValueCache, template: Float32Array) => void;

/** Writes one row's item.* values into `into` from index `at` (the compiled column list's item columns, in order). */
type ItemValuesFn = (row: FeatureRowInput, into: Float32Array, at: number) => void;

/** Slots per page of cached item.* values: pages are allocated when first used, so a large catalog costs what is scored. */
const PAGE_SLOTS = 256;

/**
 * The item.* values of one assembler for one item table: each item's values
 * next to its neighbours' (one read of a few adjacent cache lines per row,
 * instead of a hash-table probe, a typed-array object and its separate backing
 * store per item: on a busy 2-core machine most of assembly's time was cache
 * misses). Tables are weakly held: a replaced snapshot's values go with it.
 */
class ItemValueCache {
  private readonly byTable = new WeakMap<ItemTable, { pages: (Float32Array | undefined)[]; filled: Uint8Array }>();
  private lastTable: ItemTable | undefined;
  private last: { pages: (Float32Array | undefined)[]; filled: Uint8Array } | undefined;
  /** Values of an item without a table: computed for each row, used at once. */
  private readonly scratch: Float32Array;
  /** Where the values of the item last asked for are: `values[at]` … `values[at + width - 1]`. */
  values: Float32Array;
  at = 0;

  constructor(
    private readonly width: number,
    private readonly compute: ItemValuesFn,
  ) {
    this.scratch = new Float32Array(width);
    this.values = this.scratch;
  }

  /** Points `values`/`at` at the row's item.* values, computing them on first use. */
  locate(row: FeatureRowInput): void {
    const { table, slot } = row.item;
    // A slot that is not a whole number inside the table would index garbage (NaN): computed per row instead.
    if (table === undefined || slot === undefined || slot >>> 0 !== slot || slot >= table.size || !row.item.inCatalog) {
      this.values = this.scratch;
      this.at = 0;
      this.compute(row, this.scratch, 0);
      return;
    }
    if (table !== this.lastTable) {
      let entry = this.byTable.get(table);
      if (!entry) this.byTable.set(table, (entry = { pages: [], filled: new Uint8Array(table.size) }));
      this.lastTable = table;
      this.last = entry;
    }
    const { pages, filled } = this.last!;
    const page = (slot / PAGE_SLOTS) | 0;
    const values = pages[page] ?? (pages[page] = new Float32Array(PAGE_SLOTS * this.width));
    this.values = values;
    this.at = (slot - page * PAGE_SLOTS) * this.width;
    if (filled[slot] === 0) {
      this.compute(row, values, this.at);
      filled[slot] = 1;
    }
  }
}

/**
 * Writes the assembly for one column list as straight-line code: one call site
 * per column, so each site sees a single compute function and V8 can inline it
 * (the generic loop, one call site for every column, was the largest piece of
 * Recommend's own CPU time). Three functions, so that the per-row loop stays
 * small and V8's inlining budget goes to the per-row columns: shared columns
 * are computed into a template row once per request (copied into each row),
 * item columns once per catalog item and snapshot (ItemValueCache). Only
 * column indices go into the source; the functions and defaults are passed
 * in, never stringified.
 */
function compileAssembleFn(columns: readonly Column[]): { assemble: AssembleFn; itemValuesInto: ItemValuesFn; itemWidth: number } {
  const width = columns.length;
  const idx = (kind: ColumnKind) => columns.flatMap((c, i) => (c.kind === kind ? [i] : []));
  const [shared, item, perRow] = [idx('shared'), idx('item'), idx('row')];
  const value = (i: number) => `finite(f${i}(row), d${i})`;
  const src = [
    ...columns.map((_, i) => `const f${i} = F[${i}], d${i} = D[${i}];`),
    'function sharedInto(row, template) {',
    ...shared.map((i) => `  template[${i}] = ${value(i)};`),
    '}',
    'function itemValuesInto(row, iv, at) {',
    ...item.map((i, k) => `  iv[at + ${k}] = ${value(i)};`),
    '}',
    'function assemble(rows, out, cache, template) {',
    '  let user = null, context = null;',
    '  for (let r = 0; r < rows.length; r++) {',
    '    const row = rows[r];',
    '    if (r === 0 || row.user !== user || row.context !== context) {',
    '      user = row.user; context = row.context;',
    '      sharedInto(row, template);',
    '    }',
    `    const b = r * ${width};`,
    // Shared values, and placeholders the next lines overwrite.
    '    out.set(template, b);',
    ...(item.length > 0
      ? ['    cache.locate(row);', '    const iv = cache.values, at = cache.at;', ...item.map((i, k) => `    out[b + ${i}] = iv[at + ${k}];`)]
      : []),
    ...perRow.map((i) => `    out[b + ${i}] = ${value(i)};`),
    '  }',
    '}',
    'return { assemble, itemValuesInto };',
  ].join('\n');
  const fns = new Function('F', 'D', 'finite', src)(
    columns.map((c) => c.compute),
    columns.map((c) => c.defaultValue),
    finite,
  ) as { assemble: AssembleFn; itemValuesInto: ItemValuesFn };
  return { ...fns, itemWidth: item.length };
}

/** Free matrices kept per assembler for reuse (concurrent calls each take their own). */
const MAX_FREE_MATRICES = 4;

/**
 * A model's feature names compiled once (at its first call): assembles the
 * `[rows, width]` row-major float32 matrix in exactly the declared order.
 * Catalog items' item.* values are computed once per item and item table (a
 * rebuilt snapshot has a new table). Matrices can be borrowed and returned so
 * a busy service does not allocate (and zero) one per call.
 */
export class CompiledFeatures {
  readonly width: number;
  private readonly assembleFn: AssembleFn;
  private readonly itemCache: ItemValueCache;
  private readonly free: Float32Array<ArrayBuffer>[] = [];
  private readonly template: Float32Array;

  constructor(readonly featureNames: readonly string[]) {
    const unknown = unknownFeatureNames(featureNames);
    if (unknown.length > 0) throw new UnknownFeatureError(unknown);
    this.width = featureNames.length;
    this.template = new Float32Array(this.width);
    const compiled = compileAssembleFn(featureNames.map(columnFor));
    this.assembleFn = compiled.assemble;
    this.itemCache = new ItemValueCache(compiled.itemWidth, compiled.itemValuesInto);
  }

  /**
   * Fills `out` (default: a new matrix) with one row per input. Every value is
   * finite: missing inputs take the documented defaults.
   */
  assemble(rows: readonly FeatureRowInput[], out: Float32Array<ArrayBuffer> = new Float32Array(rows.length * this.width)): Float32Array<ArrayBuffer> {
    if (out.length !== rows.length * this.width) throw new RangeError(`matrix of ${out.length} values for ${rows.length} rows of ${this.width}`);
    // One template per assembler: assembling is synchronous, so no two calls ever share it.
    this.assembleFn(rows, out, this.itemCache, this.template);
    return out;
  }

  /** A matrix for `rows` rows, reused when one of that size was released; contents undefined until assembled. */
  borrow(rows: number): Float32Array<ArrayBuffer> {
    const n = rows * this.width;
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i]!.length === n) return this.free.splice(i, 1)[0]!;
    }
    return new Float32Array(n);
  }

  /** Gives a borrowed matrix back; the caller must not read or write it afterwards. */
  giveBack(matrix: Float32Array<ArrayBuffer>): void {
    // An empty answer's matrix: nothing to reuse, and it must not push out one that is.
    if (matrix.length === 0) return;
    if (this.free.length >= MAX_FREE_MATRICES) this.free.shift();
    this.free.push(matrix);
  }
}

/** Compiles feature names; throws UnknownFeatureError naming every unknown name. */
export function compileFeatureColumns(featureNames: readonly string[]): CompiledFeatures {
  return new CompiledFeatures(featureNames);
}

/**
 * The `[rows.length, featureNames.length]` row-major float32 matrix, columns in
 * exactly the order of `featureNames` (the model's declared order). Every value
 * is finite: missing inputs take the documented defaults. Float32 overflow
 * (|v| > 3.4e38) is clamped so Infinity never reaches a model.
 */
export function assembleFeatureMatrix(features: readonly string[] | CompiledFeatures, rows: readonly FeatureRowInput[]): Float32Array<ArrayBuffer> {
  return (features instanceof CompiledFeatures ? features : new CompiledFeatures(features)).assemble(rows);
}

/** The values of one row by name (for `explain` answers and debugging). */
export function featureValuesOf(featureNames: readonly string[], matrix: Float32Array, row: number): Record<string, number> {
  const out: Record<string, number> = {};
  const width = featureNames.length;
  for (let c = 0; c < width; c++) out[featureNames[c]!] = matrix[row * width + c]!;
  return out;
}

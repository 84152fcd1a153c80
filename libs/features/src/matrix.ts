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

/** One compiled column: how to get a finite number for it from a row. */
export type ColumnExtractor = (row: FeatureRowInput) => number;

function columnFor(name: string): ColumnExtractor {
  const def: FeatureDefinition | undefined = FEATURES_BY_NAME.get(name);
  if (def) {
    const { compute, defaultValue } = def;
    return (row) => {
      const v = compute(row);
      return v === undefined || !Number.isFinite(v) ? defaultValue : v;
    };
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
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const base = r * width;
    for (let c = 0; c < width; c++) {
      const v = columns[c]!(row);
      out[base + c] = v > 3.4e38 ? 3.4e38 : v < -3.4e38 ? -3.4e38 : v;
    }
  }
  return out;
}

/** The values of one row by name (for `explain` answers and debugging). */
export function featureValuesOf(featureNames: readonly string[], matrix: Float32Array, row: number): Record<string, number> {
  const out: Record<string, number> = {};
  const width = featureNames.length;
  for (let c = 0; c < width; c++) out[featureNames[c]!] = matrix[row * width + c]!;
  return out;
}

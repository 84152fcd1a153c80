import type { FeatureRowInput } from './inputs';
import { CANDIDATE_FEATURE, FEATURES_BY_NAME } from './vocabulary';
import { UnknownFeatureError } from './matrix';

/**
 * One feature of one row straight from its definition, as the model sees it:
 * a missing or non-finite value is the documented default, float32 overflow is
 * clamped, the result is rounded to float32. No caching, no generated code:
 * what training computes, and the reference the serving assembler (matrix.ts)
 * must equal cell for cell (features.spec.ts checks it over random rows).
 */
export function plainFeatureValue(name: string, row: FeatureRowInput): number {
  const def = FEATURES_BY_NAME.get(name);
  let value: number | undefined;
  let defaultValue = 0;
  if (def) {
    value = def.compute(row);
    defaultValue = def.defaultValue;
  } else {
    const key = CANDIDATE_FEATURE.exec(name)?.[1];
    if (key === undefined) throw new UnknownFeatureError([name]);
    value = row.candidate?.[key];
  }
  if (value === undefined || Number.isNaN(value) || value === Infinity || value === -Infinity) return Math.fround(defaultValue);
  return Math.fround(value > 3.4e38 ? 3.4e38 : value < -3.4e38 ? -3.4e38 : value);
}

/** The `[rows, names]` matrix of plainFeatureValue, row-major (a model's input). */
export function plainMatrix(names: readonly string[], rows: readonly FeatureRowInput[]): Float32Array {
  const unknown = names.filter((n) => !FEATURES_BY_NAME.has(n) && !CANDIDATE_FEATURE.test(n));
  if (unknown.length > 0) throw new UnknownFeatureError(unknown);
  const out = new Float32Array(rows.length * names.length);
  rows.forEach((row, r) => names.forEach((name, c) => (out[r * names.length + c] = plainFeatureValue(name, row))));
  return out;
}

/**
 * Logistic regression fitted by Newton's method (iteratively reweighted least
 * squares) on standardised features with an L2 penalty, the weights returned
 * on the raw scale, so the model is sigmoid(x·w + b) on the features as served
 * (an ONNX linear model with sigmoid, @recsys/onnx buildLinearModel). Newton
 * rather than gradient descent: a few dozen exact steps, no learning rate to
 * tune, the maximum-likelihood weights when the data allow them.
 */
export interface LogisticOptions {
  /** Most Newton steps; it stops earlier once no weight moves by more than 1e-8. */
  iterations: number;
  /** L2 penalty on the standardised weights (not on the bias), per example. */
  l2: number;
}

export const DEFAULT_LOGISTIC: LogisticOptions = { iterations: 50, l2: 1e-4 };

export interface LogisticModel {
  weights: number[];
  bias: number;
  options: LogisticOptions;
}

export function trainLogistic(x: Float32Array, width: number, labels: ArrayLike<number>, options: Partial<LogisticOptions> = {}): LogisticModel {
  const o = { ...DEFAULT_LOGISTIC, ...options };
  const rows = labels.length;
  const n = width + 1; // the standardised features, then the bias
  const mu = new Float64Array(width);
  const sd = new Float64Array(width);
  for (let r = 0; r < rows; r++) for (let f = 0; f < width; f++) mu[f] += x[r * width + f]! / rows;
  for (let r = 0; r < rows; r++) for (let f = 0; f < width; f++) sd[f] += (x[r * width + f]! - mu[f]!) ** 2 / rows;
  for (let f = 0; f < width; f++) sd[f] = Math.sqrt(sd[f]!) || 1; // a constant feature: left as is
  const z = new Float64Array(n);
  z[width] = 1;
  const beta = new Float64Array(n);
  for (let it = 0; it < o.iterations; it++) {
    const grad = new Float64Array(n);
    const hess = new Float64Array(n * n);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let f = 0; f < width; f++) {
        z[f] = (x[r * width + f]! - mu[f]!) / sd[f]!;
        s += beta[f]! * z[f]!;
      }
      s += beta[width]!;
      const p = 1 / (1 + Math.exp(-s));
      const err = p - (labels[r]! > 0 ? 1 : 0);
      const w = Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a < n; a++) {
        grad[a] += err * z[a]!;
        for (let b = 0; b <= a; b++) hess[a * n + b] += w * z[a]! * z[b]!;
      }
    }
    for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) hess[b * n + a] = hess[a * n + b]!;
    for (let f = 0; f < width; f++) {
      grad[f] += o.l2 * rows * beta[f]!;
      hess[f * n + f] += o.l2 * rows;
    }
    const step = solve(hess, grad, n);
    let moved = 0;
    for (let a = 0; a < n; a++) {
      beta[a] -= step[a]!;
      moved = Math.max(moved, Math.abs(step[a]!));
    }
    if (moved < 1e-8) break;
  }
  // Back to the raw scale: w·(x − μ)/σ + b = (w/σ)·x + (b − Σ w μ/σ).
  const weights = Array.from(beta.subarray(0, width), (v, f) => v / sd[f]!);
  const bias = beta[width]! - weights.reduce((s, v, f) => s + v * mu[f]!, 0);
  return { weights, bias, options: o };
}

/** Solves A·s = g (A symmetric positive definite, n × n, row-major) by Gaussian elimination with partial pivoting. */
function solve(a: Float64Array, g: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const v = Float64Array.from(g);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[pivot * n + c]!)) pivot = r;
    if (pivot !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[pivot * n + k]] = [m[pivot * n + k]!, m[c * n + k]!];
      [v[c], v[pivot]] = [v[pivot]!, v[c]!];
    }
    const d = m[c * n + c]! || 1e-12;
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c]! / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k]!;
      v[r] -= f * v[c]!;
    }
  }
  const s = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let t = v[r]!;
    for (let k = r + 1; k < n; k++) t -= m[r * n + k]! * s[k]!;
    s[r] = t / (m[r * n + r]! || 1e-12);
  }
  return s;
}

import type { TreeNode } from '@recsys/onnx';

/**
 * A feature matrix binned once for tree learning: each feature's values cut
 * at up to `maxBins - 1` quantile thresholds, every row's value replaced by
 * its bin. Split search then sums gradients per bin (a histogram) instead of
 * sorting rows at every node — what LightGBM and XGBoost's `hist` do.
 */
export interface BinnedMatrix {
  rows: number;
  width: number;
  /** bins[f * rows + r]: the bin of row r's feature f. */
  bins: Uint8Array;
  /** thresholds[f][b]: the float32 value separating bin b (≤) from bin b + 1. */
  thresholds: Float32Array[];
}

export function binMatrix(x: Float32Array, rows: number, width: number, maxBins = 64): BinnedMatrix {
  if (maxBins < 2 || maxBins > 256) throw new Error(`maxBins must be 2..256, got ${maxBins}`);
  const bins = new Uint8Array(rows * width);
  const thresholds: Float32Array[] = [];
  const column = new Float32Array(rows);
  for (let f = 0; f < width; f++) {
    for (let r = 0; r < rows; r++) column[r] = x[r * width + f]!;
    const sorted = Float32Array.from(column).sort();
    // Distinct cut points at quantiles: a value equal to a cut goes left (≤), as the ONNX tree does.
    const cuts: number[] = [];
    for (let b = 1; b < maxBins; b++) {
      const v = sorted[Math.min(rows - 1, Math.floor((b * rows) / maxBins))]!;
      if (v < sorted[rows - 1]! && (cuts.length === 0 || v > cuts[cuts.length - 1]!)) cuts.push(v);
    }
    const t = Float32Array.from(cuts);
    thresholds.push(t);
    for (let r = 0; r < rows; r++) {
      // The first cut the value does not exceed (binary search).
      let lo = 0;
      let hi = t.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (column[r]! <= t[mid]!) hi = mid;
        else lo = mid + 1;
      }
      bins[f * rows + r] = lo;
    }
  }
  return { rows, width, bins, thresholds };
}

export interface TreeOptions {
  maxDepth: number;
  /** Fewest rows a leaf may hold. */
  minLeafRows: number;
  /** L2 on leaf values (the λ of XGBoost): Newton step Σg / (Σh + λ). */
  l2: number;
  /** Every leaf value is multiplied by it (the learning rate). */
  shrinkage: number;
}

/**
 * One regression tree fitted to gradients `g` and hessians `h` of the rows in
 * `rowsIn` (Newton boosting): greedy depth-first splits maximising
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); leaves hold −shrinkage·G/(H+λ) with
 * the convention that `g` is the gradient of a loss to minimise.
 */
export function fitTree(m: BinnedMatrix, g: Float64Array, h: Float64Array, rowsIn: Int32Array, o: TreeOptions): TreeNode {
  const grow = (rows: Int32Array, depth: number): TreeNode => {
    let G = 0;
    let H = 0;
    for (let i = 0; i < rows.length; i++) {
      G += g[rows[i]!]!;
      H += h[rows[i]!]!;
    }
    const leaf = (): TreeNode => ({ value: Math.fround((-o.shrinkage * G) / (H + o.l2)) });
    if (depth >= o.maxDepth || rows.length < 2 * o.minLeafRows) return leaf();
    const parent = (G * G) / (H + o.l2);
    let best = { gain: 1e-12, feature: -1, bin: -1 };
    for (let f = 0; f < m.width; f++) {
      const cuts = m.thresholds[f]!.length;
      if (cuts === 0) continue;
      const gb = new Float64Array(cuts + 1);
      const hb = new Float64Array(cuts + 1);
      const nb = new Int32Array(cuts + 1);
      const base = f * m.rows;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const b = m.bins[base + r]!;
        gb[b] += g[r]!;
        hb[b] += h[r]!;
        nb[b]++;
      }
      let gl = 0;
      let hl = 0;
      let nl = 0;
      for (let b = 0; b < cuts; b++) {
        gl += gb[b]!;
        hl += hb[b]!;
        nl += nb[b]!;
        const nr = rows.length - nl;
        if (nl < o.minLeafRows || nr < o.minLeafRows) continue;
        const gr = G - gl;
        const hr = H - hl;
        const gain = (gl * gl) / (hl + o.l2) + (gr * gr) / (hr + o.l2) - parent;
        if (gain > best.gain) best = { gain, feature: f, bin: b };
      }
    }
    if (best.feature < 0) return leaf();
    const base = best.feature * m.rows;
    let nLeft = 0;
    for (let i = 0; i < rows.length; i++) if (m.bins[base + rows[i]!]! <= best.bin) nLeft++;
    const left = new Int32Array(nLeft);
    const right = new Int32Array(rows.length - nLeft);
    for (let i = 0, l = 0, r = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (m.bins[base + row]! <= best.bin) left[l++] = row;
      else right[r++] = row;
    }
    return { feature: best.feature, threshold: m.thresholds[best.feature]![best.bin]!, left: grow(left, depth + 1), right: grow(right, depth + 1) };
  };
  return grow(rowsIn, 0);
}

import { featureMetadata } from './builders';
import { ElemType, encodeModel } from './onnx-writer';

/** A regression tree: a split goes left when x[feature] <= threshold. */
export type TreeNode = TreeSplit | TreeLeaf;
export interface TreeSplit {
  feature: number;
  threshold: number;
  left: TreeNode;
  right: TreeNode;
}
export interface TreeLeaf {
  value: number;
}

export const isLeaf = (n: TreeNode): n is TreeLeaf => (n as TreeLeaf).value !== undefined && (n as TreeSplit).feature === undefined;

export interface TreeEnsembleOptions {
  trees: TreeNode[];
  featureNames: string[];
  /** Added to the sum of the trees' leaves. Default 0. */
  baseValue?: number;
  inputName?: string;
  outputName?: string;
}

/**
 * score = baseValue + Σ leaf(tree, x), as ai.onnx.ml TreeEnsembleRegressor
 * (what LightGBM / XGBoost converters emit), output [N, 1].
 */
export function buildTreeEnsembleModel(o: TreeEnsembleOptions): Uint8Array {
  const input = o.inputName ?? 'features';
  const output = o.outputName ?? 'score';
  const a = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    values: [] as number[],
    modes: [] as string[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    targetTree: [] as number[],
    targetNode: [] as number[],
    targetWeights: [] as number[],
  };
  o.trees.forEach((tree, treeId) => {
    let next = 0;
    const visit = (node: TreeNode): number => {
      const id = next++;
      const at = a.nodeIds.length;
      a.treeIds.push(treeId);
      a.nodeIds.push(id);
      if (isLeaf(node)) {
        a.featureIds.push(0);
        a.values.push(0);
        a.modes.push('LEAF');
        a.trueIds.push(0);
        a.falseIds.push(0);
        a.targetTree.push(treeId);
        a.targetNode.push(id);
        a.targetWeights.push(node.value);
        return id;
      }
      if (node.feature < 0 || node.feature >= o.featureNames.length) {
        throw new Error(`tree ${treeId} splits on feature ${node.feature}, but there are ${o.featureNames.length} features`);
      }
      a.featureIds.push(node.feature);
      a.values.push(node.threshold);
      a.modes.push('BRANCH_LEQ');
      a.trueIds.push(-1);
      a.falseIds.push(-1);
      a.trueIds[at] = visit(node.left);
      a.falseIds[at] = visit(node.right);
      return id;
    };
    visit(tree);
  });
  return encodeModel({
    inputs: [{ name: input, elemType: ElemType.FLOAT, dims: ['N', o.featureNames.length] }],
    outputs: [{ name: output, elemType: ElemType.FLOAT, dims: ['N', 1] }],
    nodes: [
      {
        opType: 'TreeEnsembleRegressor',
        domain: 'ai.onnx.ml',
        inputs: [input],
        outputs: [output],
        attributes: {
          n_targets: { kind: 'int', value: 1 },
          aggregate_function: { kind: 'string', value: 'SUM' },
          post_transform: { kind: 'string', value: 'NONE' },
          base_values: { kind: 'floats', value: [o.baseValue ?? 0] },
          nodes_treeids: { kind: 'ints', value: a.treeIds },
          nodes_nodeids: { kind: 'ints', value: a.nodeIds },
          nodes_featureids: { kind: 'ints', value: a.featureIds },
          nodes_values: { kind: 'floats', value: a.values },
          nodes_modes: { kind: 'strings', value: a.modes },
          nodes_truenodeids: { kind: 'ints', value: a.trueIds },
          nodes_falsenodeids: { kind: 'ints', value: a.falseIds },
          target_treeids: { kind: 'ints', value: a.targetTree },
          target_nodeids: { kind: 'ints', value: a.targetNode },
          target_ids: { kind: 'ints', value: a.targetTree.map(() => 0) },
          target_weights: { kind: 'floats', value: a.targetWeights },
        },
      },
    ],
    opsetImports: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    metadataProps: featureMetadata(o.featureNames),
  });
}

/** The ensemble's score computed in TypeScript, in float32 like onnxruntime (for tests and the trainer). */
export function scoreTreeEnsemble(trees: readonly TreeNode[], x: ArrayLike<number>, baseValue = 0): number {
  let sum = baseValue;
  for (const tree of trees) {
    let node = tree;
    while (!isLeaf(node)) node = Math.fround(x[node.feature]) <= Math.fround(node.threshold) ? node.left : node.right;
    sum += Math.fround(node.value);
  }
  return sum;
}

/** A deterministic PRNG (mulberry32) so generated ensembles are reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Full binary trees of the given depth with random splits on inputs in [0, 1): a large, slow-to-load model for tests. */
export function randomTreeEnsemble(o: { trees: number; depth: number; features: number; seed: number }): TreeNode[] {
  const rnd = seededRandom(o.seed);
  const grow = (depth: number): TreeNode =>
    depth === 0
      ? { value: (rnd() - 0.5) / o.trees }
      : { feature: Math.floor(rnd() * o.features), threshold: rnd(), left: grow(depth - 1), right: grow(depth - 1) };
  return Array.from({ length: o.trees }, () => grow(o.depth));
}

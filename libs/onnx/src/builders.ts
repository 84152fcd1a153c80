import { ElemType, encodeModel, type GraphNode, type Initializer } from './onnx-writer';

/**
 * Builders for the model contract the registry accepts: one float32 input
 * [N, F] (N dynamic), one float32 score output, and metadata_props
 * `feature_names` = JSON array of the F column names.
 */

export interface LinearModelOptions {
  weights: number[];
  bias: number;
  featureNames: string[];
  /** score = sigmoid(x·w + b) (logistic regression) instead of x·w + b. */
  sigmoid?: boolean;
  inputName?: string;
  outputName?: string;
  /** 'N1' (default): output [N, 1]; 'N': output [N]. */
  outputShape?: 'N' | 'N1';
}

export function featureMetadata(featureNames: readonly string[]): Record<string, string> {
  return { feature_names: JSON.stringify(featureNames) };
}

function checkWidth(what: string, got: number, featureNames: readonly string[]) {
  if (got !== featureNames.length) {
    throw new Error(`${what} has ${got} input columns but ${featureNames.length} feature names were given`);
  }
}

export function buildLinearModel(o: LinearModelOptions): Uint8Array {
  checkWidth('weights', o.weights.length, o.featureNames);
  const input = o.inputName ?? 'features';
  const output = o.outputName ?? 'score';
  const F = o.weights.length;
  const nodes: GraphNode[] = [
    { opType: 'MatMul', inputs: [input, 'W'], outputs: ['xw'] },
    { opType: 'Add', inputs: ['xw', 'B'], outputs: ['z'] },
  ];
  let last = 'z';
  if (o.sigmoid) {
    nodes.push({ opType: 'Sigmoid', inputs: [last], outputs: ['p'] });
    last = 'p';
  }
  const initializers: Initializer[] = [
    { name: 'W', dims: [F, 1], elemType: ElemType.FLOAT, values: o.weights },
    { name: 'B', dims: [1], elemType: ElemType.FLOAT, values: [o.bias] },
  ];
  const flat = o.outputShape === 'N';
  if (flat) initializers.push({ name: 'flat_shape', dims: [1], elemType: ElemType.INT64, values: [-1] });
  nodes.push(flat ? { opType: 'Reshape', inputs: [last, 'flat_shape'], outputs: [output] } : { opType: 'Identity', inputs: [last], outputs: [output] });
  return encodeModel({
    inputs: [{ name: input, elemType: ElemType.FLOAT, dims: ['N', F] }],
    outputs: [{ name: output, elemType: ElemType.FLOAT, dims: flat ? ['N'] : ['N', 1] }],
    nodes,
    initializers,
    metadataProps: featureMetadata(o.featureNames),
  });
}

export interface ClassifierModelOptions {
  weights: number[];
  bias: number;
  featureNames: string[];
  inputName?: string;
  outputName?: string;
}

/**
 * A binary logistic classifier shaped like scikit-learn's exported
 * `predict_proba`: output [N, 2] = [P(negative), P(positive)], column 1 =
 * sigmoid(x·w + b). Softmax over (-z/2, z/2) is exactly (sigmoid(-z), sigmoid(z)).
 */
export function buildClassifierModel(o: ClassifierModelOptions): Uint8Array {
  checkWidth('weights', o.weights.length, o.featureNames);
  const input = o.inputName ?? 'features';
  const output = o.outputName ?? 'probabilities';
  const F = o.weights.length;
  const w2 = o.weights.flatMap((w) => [-w / 2, w / 2]);
  return encodeModel({
    inputs: [{ name: input, elemType: ElemType.FLOAT, dims: ['N', F] }],
    outputs: [{ name: output, elemType: ElemType.FLOAT, dims: ['N', 2] }],
    nodes: [
      { opType: 'MatMul', inputs: [input, 'W'], outputs: ['xw'] },
      { opType: 'Add', inputs: ['xw', 'B'], outputs: ['z'] },
      { opType: 'Softmax', inputs: ['z'], outputs: [output], attributes: { axis: { kind: 'int', value: 1 } } },
    ],
    initializers: [
      { name: 'W', dims: [F, 2], elemType: ElemType.FLOAT, values: w2 },
      { name: 'B', dims: [2], elemType: ElemType.FLOAT, values: [-o.bias / 2, o.bias / 2] },
    ],
    metadataProps: featureMetadata(o.featureNames),
  });
}

export interface MlpLayer {
  /** [in][out] */
  weights: number[][];
  bias: number[];
}

export interface MlpModelOptions {
  layers: MlpLayer[];
  /** Between layers (not after the last). Default relu. */
  activation?: 'relu' | 'tanh';
  featureNames: string[];
  /** Apply a sigmoid to the final output. */
  sigmoidOutput?: boolean;
  inputName?: string;
  outputName?: string;
}

/** A dense network; the last layer must have one output: score [N, 1]. */
export function buildMlpModel(o: MlpModelOptions): Uint8Array {
  if (o.layers.length === 0) throw new Error('an MLP needs at least one layer');
  checkWidth('the first layer', o.layers[0].weights.length, o.featureNames);
  const input = o.inputName ?? 'features';
  const output = o.outputName ?? 'score';
  const nodes: GraphNode[] = [];
  const initializers: Initializer[] = [];
  let prev = input;
  let width = o.featureNames.length;
  o.layers.forEach((layer, i) => {
    const outWidth = layer.bias.length;
    if (layer.weights.length !== width || layer.weights.some((row) => row.length !== outWidth)) {
      throw new Error(`layer ${i}: weights must be [${width}][${outWidth}]`);
    }
    initializers.push(
      { name: `W${i}`, dims: [width, outWidth], elemType: ElemType.FLOAT, values: layer.weights.flat() },
      { name: `B${i}`, dims: [outWidth], elemType: ElemType.FLOAT, values: layer.bias },
    );
    nodes.push({ opType: 'MatMul', inputs: [prev, `W${i}`], outputs: [`mm${i}`] }, { opType: 'Add', inputs: [`mm${i}`, `B${i}`], outputs: [`z${i}`] });
    prev = `z${i}`;
    if (i < o.layers.length - 1) {
      nodes.push({ opType: o.activation === 'tanh' ? 'Tanh' : 'Relu', inputs: [prev], outputs: [`a${i}`] });
      prev = `a${i}`;
    }
    width = outWidth;
  });
  if (width !== 1) throw new Error(`the last layer must have 1 output, has ${width}`);
  if (o.sigmoidOutput) {
    nodes.push({ opType: 'Sigmoid', inputs: [prev], outputs: ['p'] });
    prev = 'p';
  }
  nodes.push({ opType: 'Identity', inputs: [prev], outputs: [output] });
  return encodeModel({
    inputs: [{ name: input, elemType: ElemType.FLOAT, dims: ['N', o.featureNames.length] }],
    outputs: [{ name: output, elemType: ElemType.FLOAT, dims: ['N', 1] }],
    nodes,
    initializers,
    metadataProps: featureMetadata(o.featureNames),
  });
}

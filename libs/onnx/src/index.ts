export { buildClassifierModel, buildLinearModel, buildMlpModel, featureMetadata } from './builders';
export type { ClassifierModelOptions, LinearModelOptions, MlpLayer, MlpModelOptions } from './builders';
export { OnnxParseError, readModelMetadata } from './metadata';
export type { ModelMetadata, TensorInfo } from './metadata';
export { ElemType, encodeModel } from './onnx-writer';
export type { AttributeValue, Dim, GraphModel, GraphNode, Initializer, ValueInfo } from './onnx-writer';
export { buildTreeEnsembleModel, isLeaf, randomTreeEnsemble, scoreTreeEnsemble, seededRandom } from './tree-ensemble';
export type { TreeEnsembleOptions, TreeLeaf, TreeNode, TreeSplit } from './tree-ensemble';

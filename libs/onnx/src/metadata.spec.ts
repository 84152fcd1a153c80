import { buildLinearModel, buildTreeEnsembleModel, ElemType, encodeModel, OnnxParseError, readModelMetadata } from './index';

describe('readModelMetadata', () => {
  it('reads metadata_props, feature names, inputs, outputs, opsets and the producer', () => {
    const bytes = buildTreeEnsembleModel({ trees: [{ value: 1 }], featureNames: ['user.x', 'item.y'] });
    const meta = readModelMetadata(bytes);
    expect(meta.featureNames).toEqual(['user.x', 'item.y']);
    expect(meta.metadataProps).toEqual({ feature_names: '["user.x","item.y"]' });
    expect(meta.inputs).toEqual([{ name: 'features', elemType: ElemType.FLOAT, dims: ['N', 2] }]);
    expect(meta.outputs).toEqual([{ name: 'score', elemType: ElemType.FLOAT, dims: ['N', 1] }]);
    expect(meta.opsetImports).toEqual([
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
    expect(meta.producerName).toBe('@recsys/onnx');
    expect(meta.irVersion).toBe(8);
  });

  it('leaves featureNames unset when the metadata is not a JSON list of strings, keeping the raw text', () => {
    const bytes = encodeModel({
      inputs: [{ name: 'x', elemType: ElemType.DOUBLE }],
      outputs: [{ name: 'y', elemType: ElemType.DOUBLE }],
      nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
      metadataProps: { feature_names: '{"a":1}', owner: 'ml-team' },
    });
    const meta = readModelMetadata(bytes);
    expect(meta.featureNames).toBeUndefined();
    expect(meta.metadataProps).toEqual({ feature_names: '{"a":1}', owner: 'ml-team' });
    expect(meta.inputs).toEqual([{ name: 'x', elemType: ElemType.DOUBLE, dims: [] }]);
  });

  it('does not list initializers as inputs', () => {
    const bytes = encodeModel({
      inputs: [
        { name: 'x', elemType: ElemType.FLOAT, dims: ['N', 1] },
        { name: 'W', elemType: ElemType.FLOAT, dims: [1, 1] },
      ],
      outputs: [{ name: 'y', elemType: ElemType.FLOAT, dims: ['N', 1] }],
      nodes: [{ opType: 'MatMul', inputs: ['x', 'W'], outputs: ['y'] }],
      initializers: [{ name: 'W', dims: [1, 1], elemType: ElemType.FLOAT, values: [2] }],
    });
    expect(readModelMetadata(bytes).inputs.map((i) => i.name)).toEqual(['x']);
  });

  it('throws OnnxParseError on bytes that are not a model', () => {
    expect(() => readModelMetadata(new TextEncoder().encode('this is not protobuf at all'))).toThrow(OnnxParseError);
    expect(() => readModelMetadata(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(OnnxParseError);
    const truncated = buildLinearModel({ weights: [1], bias: 0, featureNames: ['a'] }).subarray(0, 40);
    expect(() => readModelMetadata(truncated)).toThrow(OnnxParseError);
  });
});

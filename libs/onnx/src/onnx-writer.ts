import { onnx } from 'onnx-proto';

/**
 * Writes ONNX models from a small description (GraphModel) through onnx-proto,
 * the protobuf code generated from ONNX's own onnx.proto: the builders describe
 * graphs, the generated encoder writes the bytes.
 */

/** TensorProto.DataType values used here. */
export const ElemType = { FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, DOUBLE: 11 } as const;

export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: number;
  /** Omit for a tensor of unknown rank. Strings are symbolic (dynamic) dimensions. */
  dims?: Dim[];
}

export interface Initializer {
  name: string;
  dims: number[];
  /** FLOAT tensors take numbers (stored as float32), INT64 tensors take numbers or bigints. */
  elemType: typeof ElemType.FLOAT | typeof ElemType.INT64;
  values: readonly (number | bigint)[];
}

export type AttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'strings'; value: readonly string[] };

export interface GraphNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
  name?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface GraphModel {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: GraphNode[];
  initializers?: Initializer[];
  metadataProps?: Record<string, string>;
  /** Default: the standard domain at opset 17. */
  opsetImports?: { domain: string; version: number }[];
  producerName?: string;
  graphName?: string;
}

const IR_VERSION = 8;

/** Encodes a whole model. Everything else in this lib builds a GraphModel and calls this. */
export function encodeModel(model: GraphModel): Uint8Array {
  const proto: onnx.IModelProto = {
    irVersion: IR_VERSION,
    producerName: model.producerName ?? '@recsys/onnx',
    producerVersion: '0.1.0',
    graph: {
      node: model.nodes.map(toNode),
      name: model.graphName ?? 'recsys',
      initializer: (model.initializers ?? []).map(toTensor),
      input: model.inputs.map(toValueInfo),
      output: model.outputs.map(toValueInfo),
    },
    opsetImport: (model.opsetImports ?? [{ domain: '', version: 17 }]).map((o) => ({ domain: o.domain, version: o.version })),
    metadataProps: Object.entries(model.metadataProps ?? {}).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(proto).finish();
}

function toNode(node: GraphNode): onnx.INodeProto {
  return {
    input: node.inputs,
    output: node.outputs,
    ...(node.name ? { name: node.name } : {}),
    opType: node.opType,
    attribute: Object.entries(node.attributes ?? {}).map(([name, attr]) => toAttribute(name, attr)),
    ...(node.domain ? { domain: node.domain } : {}),
  };
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const TYPE = onnx.AttributeProto.AttributeType;

function toAttribute(name: string, attr: AttributeValue): onnx.IAttributeProto {
  switch (attr.kind) {
    case 'float':
      return { name, type: TYPE.FLOAT, f: attr.value };
    case 'int':
      return { name, type: TYPE.INT, i: attr.value };
    case 'string':
      return { name, type: TYPE.STRING, s: utf8(attr.value) };
    case 'floats':
      return { name, type: TYPE.FLOATS, floats: [...attr.value] };
    case 'ints':
      return { name, type: TYPE.INTS, ints: [...attr.value] };
    case 'strings':
      return { name, type: TYPE.STRINGS, strings: attr.value.map(utf8) };
  }
}

function toTensor(t: Initializer): onnx.ITensorProto {
  const base = { dims: t.dims, dataType: t.elemType, name: t.name };
  // FLOAT as raw_data, little-endian float32: compact and what exporters write.
  if (t.elemType === ElemType.FLOAT) return { ...base, rawData: new Uint8Array(new Float32Array(t.values.map(Number)).buffer) };
  return { ...base, int64Data: t.values.map(Number) };
}

function toValueInfo(info: ValueInfo): onnx.IValueInfoProto {
  const dim = (d: Dim): onnx.TensorShapeProto.IDimension => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  return { name: info.name, type: { tensorType: { elemType: info.elemType, ...(info.dims ? { shape: { dim: info.dims.map(dim) } } : {}) } } };
}

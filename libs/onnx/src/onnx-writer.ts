import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/**
 * A hand-written encoder for the subset of onnx.proto the builders need
 * (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto,
 * AttributeProto). Field numbers are those of onnx/onnx.proto3; writing them by
 * hand keeps this lib free of a protobuf schema and of any onnx package.
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
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int64(IR_VERSION);
  w.tag(2, WireType.LengthDelimited).string(model.producerName ?? '@recsys/onnx');
  w.tag(3, WireType.LengthDelimited).string('0.1.0');
  w.tag(7, WireType.LengthDelimited).fork();
  writeGraph(w, model);
  w.join();
  for (const opset of model.opsetImports ?? [{ domain: '', version: 17 }]) {
    w.tag(8, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string(opset.domain);
    w.tag(2, WireType.Varint).int64(opset.version);
    w.join();
  }
  for (const [key, value] of Object.entries(model.metadataProps ?? {})) {
    w.tag(14, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string(key);
    w.tag(2, WireType.LengthDelimited).string(value);
    w.join();
  }
  return w.finish();
}

function writeGraph(w: BinaryWriter, model: GraphModel) {
  for (const node of model.nodes) {
    w.tag(1, WireType.LengthDelimited).fork();
    writeNode(w, node);
    w.join();
  }
  w.tag(2, WireType.LengthDelimited).string(model.graphName ?? 'recsys');
  for (const init of model.initializers ?? []) {
    w.tag(5, WireType.LengthDelimited).fork();
    writeTensor(w, init);
    w.join();
  }
  for (const input of model.inputs) writeValueInfo(w, 11, input);
  for (const output of model.outputs) writeValueInfo(w, 12, output);
}

function writeNode(w: BinaryWriter, node: GraphNode) {
  for (const input of node.inputs) w.tag(1, WireType.LengthDelimited).string(input);
  for (const output of node.outputs) w.tag(2, WireType.LengthDelimited).string(output);
  if (node.name) w.tag(3, WireType.LengthDelimited).string(node.name);
  w.tag(4, WireType.LengthDelimited).string(node.opType);
  for (const [name, attr] of Object.entries(node.attributes ?? {})) {
    w.tag(5, WireType.LengthDelimited).fork();
    writeAttribute(w, name, attr);
    w.join();
  }
  if (node.domain) w.tag(7, WireType.LengthDelimited).string(node.domain);
}

// AttributeProto.AttributeType
const ATTR_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7, strings: 8 } as const;

function writeAttribute(w: BinaryWriter, name: string, attr: AttributeValue) {
  w.tag(1, WireType.LengthDelimited).string(name);
  switch (attr.kind) {
    case 'float':
      w.tag(2, WireType.Bit32).float(attr.value);
      break;
    case 'int':
      w.tag(3, WireType.Varint).int64(attr.value);
      break;
    case 'string':
      w.tag(4, WireType.LengthDelimited).bytes(new TextEncoder().encode(attr.value));
      break;
    case 'floats':
      w.tag(7, WireType.LengthDelimited).fork();
      for (const v of attr.value) w.float(v);
      w.join();
      break;
    case 'ints':
      w.tag(8, WireType.LengthDelimited).fork();
      for (const v of attr.value) w.int64(v);
      w.join();
      break;
    case 'strings':
      for (const v of attr.value) w.tag(9, WireType.LengthDelimited).bytes(new TextEncoder().encode(v));
      break;
  }
  w.tag(20, WireType.Varint).int32(ATTR_TYPE[attr.kind]);
}

function writeTensor(w: BinaryWriter, t: Initializer) {
  if (t.dims.length > 0) {
    w.tag(1, WireType.LengthDelimited).fork();
    for (const d of t.dims) w.int64(d);
    w.join();
  }
  w.tag(2, WireType.Varint).int32(t.elemType);
  if (t.elemType === ElemType.FLOAT) {
    // raw_data, little-endian float32: compact and what exporters write.
    const raw = new Float32Array(t.values.map(Number));
    w.tag(9, WireType.LengthDelimited).bytes(new Uint8Array(raw.buffer));
  } else {
    w.tag(7, WireType.LengthDelimited).fork();
    for (const v of t.values) w.int64(v);
    w.join();
  }
  w.tag(8, WireType.LengthDelimited).string(t.name);
}

function writeValueInfo(w: BinaryWriter, field: number, info: ValueInfo) {
  w.tag(field, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string(info.name);
  w.tag(2, WireType.LengthDelimited).fork(); // TypeProto
  w.tag(1, WireType.LengthDelimited).fork(); // TypeProto.Tensor
  w.tag(1, WireType.Varint).int32(info.elemType);
  if (info.dims) {
    w.tag(2, WireType.LengthDelimited).fork(); // TensorShapeProto
    for (const d of info.dims) {
      w.tag(1, WireType.LengthDelimited).fork(); // Dimension
      if (typeof d === 'number') w.tag(1, WireType.Varint).int64(d);
      else w.tag(2, WireType.LengthDelimited).string(d);
      w.join();
    }
    w.join();
  }
  w.join();
  w.join();
  w.join();
}

import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/**
 * Reads what the registry and ranking need from an ONNX file's bytes without
 * onnxruntime (which does not expose custom metadata_props): a protobuf scan
 * that skips everything else, so weights cost nothing to read past.
 */

export interface TensorInfo {
  name: string;
  /** TensorProto.DataType (1 = float32); 0 when the value is not a tensor. */
  elemType: number;
  /** Numbers for fixed sizes, strings for symbolic ones, '?' for a dimension without either; [] when no shape is declared. */
  dims: (number | string)[];
}

export interface ModelMetadata {
  metadataProps: Record<string, string>;
  /** metadata_props `feature_names` parsed as a JSON array of strings, when present and well-formed. */
  featureNames?: string[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  opsetImports: { domain: string; version: number }[];
  producerName: string;
  irVersion: number;
}

export class OnnxParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxParseError';
  }
}

/** Throws OnnxParseError when the bytes are not a protobuf ModelProto with a graph. */
export function readModelMetadata(bytes: Uint8Array): ModelMetadata {
  const meta: ModelMetadata = { metadataProps: {}, inputs: [], outputs: [], opsetImports: [], producerName: '', irVersion: 0 };
  let sawGraph = false;
  try {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [field, wire] = r.tag();
      if (field === 1 && wire === WireType.Varint) meta.irVersion = Number(r.int64());
      else if (field === 2 && wire === WireType.LengthDelimited) meta.producerName = r.string();
      else if (field === 7 && wire === WireType.LengthDelimited) {
        readGraph(r.bytes(), meta);
        sawGraph = true;
      } else if (field === 8 && wire === WireType.LengthDelimited) meta.opsetImports.push(readOpset(r.bytes()));
      else if (field === 14 && wire === WireType.LengthDelimited) {
        const [k, v] = readStringPair(r.bytes());
        meta.metadataProps[k] = v;
      } else r.skip(wire, field);
    }
  } catch (err) {
    throw new OnnxParseError(`not an ONNX model: ${(err as Error).message}`);
  }
  if (!sawGraph || meta.irVersion === 0) throw new OnnxParseError('not an ONNX model: no ir_version or graph');
  const raw = meta.metadataProps.feature_names;
  if (raw !== undefined) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed) && parsed.every((n) => typeof n === 'string')) meta.featureNames = parsed;
    } catch {
      // Malformed: featureNames stays undefined; the raw text is still in metadataProps for the caller to report.
    }
  }
  return meta;
}

function readGraph(bytes: Uint8Array, meta: ModelMetadata) {
  const r = new BinaryReader(bytes);
  const initializers = new Set<string>();
  const inputs: TensorInfo[] = [];
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 5 && wire === WireType.LengthDelimited) initializers.add(readTensorName(r.bytes()));
    else if (field === 11 && wire === WireType.LengthDelimited) inputs.push(readValueInfo(r.bytes()));
    else if (field === 12 && wire === WireType.LengthDelimited) meta.outputs.push(readValueInfo(r.bytes()));
    else r.skip(wire, field);
  }
  // Before IR 4 initializers were also listed as inputs; they are not what a caller feeds.
  meta.inputs = inputs.filter((i) => !initializers.has(i.name));
}

function readTensorName(bytes: Uint8Array): string {
  const r = new BinaryReader(bytes);
  let name = '';
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 8 && wire === WireType.LengthDelimited) name = r.string();
    else r.skip(wire, field);
  }
  return name;
}

function readValueInfo(bytes: Uint8Array): TensorInfo {
  const r = new BinaryReader(bytes);
  const info: TensorInfo = { name: '', elemType: 0, dims: [] };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) info.name = r.string();
    else if (field === 2 && wire === WireType.LengthDelimited) readType(r.bytes(), info);
    else r.skip(wire, field);
  }
  return info;
}

function readType(bytes: Uint8Array, info: TensorInfo) {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) {
      const t = new BinaryReader(r.bytes());
      while (t.pos < t.len) {
        const [f, w] = t.tag();
        if (f === 1 && w === WireType.Varint) info.elemType = t.int32();
        else if (f === 2 && w === WireType.LengthDelimited) info.dims = readShape(t.bytes());
        else t.skip(w, f);
      }
    } else r.skip(wire, field);
  }
}

function readShape(bytes: Uint8Array): (number | string)[] {
  const r = new BinaryReader(bytes);
  const dims: (number | string)[] = [];
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field !== 1 || wire !== WireType.LengthDelimited) {
      r.skip(wire, field);
      continue;
    }
    const d = new BinaryReader(r.bytes());
    let dim: number | string = '?';
    while (d.pos < d.len) {
      const [f, w] = d.tag();
      if (f === 1 && w === WireType.Varint) dim = Number(d.int64());
      else if (f === 2 && w === WireType.LengthDelimited) dim = d.string();
      else d.skip(w, f);
    }
    dims.push(dim);
  }
  return dims;
}

function readOpset(bytes: Uint8Array): { domain: string; version: number } {
  const r = new BinaryReader(bytes);
  const opset = { domain: '', version: 0 };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) opset.domain = r.string();
    else if (field === 2 && wire === WireType.Varint) opset.version = Number(r.int64());
    else r.skip(wire, field);
  }
  return opset;
}

function readStringPair(bytes: Uint8Array): [string, string] {
  const r = new BinaryReader(bytes);
  let key = '';
  let value = '';
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) key = r.string();
    else if (field === 2 && wire === WireType.LengthDelimited) value = r.string();
    else r.skip(wire, field);
  }
  return [key, value];
}

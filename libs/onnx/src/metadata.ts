import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { onnx } from 'onnx-proto';

/**
 * Reads what the registry and ranking need from an ONNX file's bytes without
 * onnxruntime (which does not expose custom metadata_props). Each message read
 * is decoded by onnx-proto, the code generated from ONNX's onnx.proto; only the
 * way to them is walked here, so the graph's nodes and weights are skipped
 * unread: decoding a whole 12.6 MB tree model took 520-750 ms, the walk
 * 0.2-0.9 ms (2026-12-06, this machine).
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
    // ModelProto's fields by number (onnx.proto): 1 ir_version, 2 producer_name, 7 graph, 8 opset_import, 14 metadata_props.
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [field, wire] = r.tag();
      if (field === 1 && wire === WireType.Varint) meta.irVersion = Number(r.int64());
      else if (field === 2 && wire === WireType.LengthDelimited) meta.producerName = r.string();
      else if (field === 7 && wire === WireType.LengthDelimited) {
        readGraph(r.bytes(), meta);
        sawGraph = true;
      } else if (field === 8 && wire === WireType.LengthDelimited) {
        const opset = onnx.OperatorSetIdProto.decode(r.bytes());
        meta.opsetImports.push({ domain: opset.domain, version: toNumber(opset.version) });
      } else if (field === 14 && wire === WireType.LengthDelimited) {
        const entry = onnx.StringStringEntryProto.decode(r.bytes());
        meta.metadataProps[entry.key] = entry.value;
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

/** int64 fields decode as numbers or, with the `long` package present, as Long. */
const toNumber = (v: number | { toNumber(): number } | null | undefined) => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

// GraphProto's fields by number: 5 initializer, 11 input, 12 output (nodes, 1, are skipped unread).
function readGraph(bytes: Uint8Array, meta: ModelMetadata) {
  const r = new BinaryReader(bytes);
  const initializers = new Set<string>();
  const inputs: TensorInfo[] = [];
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 5 && wire === WireType.LengthDelimited) initializers.add(readTensorName(r.bytes()));
    else if (field === 11 && wire === WireType.LengthDelimited) inputs.push(tensorInfo(onnx.ValueInfoProto.decode(r.bytes())));
    else if (field === 12 && wire === WireType.LengthDelimited) meta.outputs.push(tensorInfo(onnx.ValueInfoProto.decode(r.bytes())));
    else r.skip(wire, field);
  }
  // Before IR 4 initializers were also listed as inputs; they are not what a caller feeds.
  meta.inputs = inputs.filter((i) => !initializers.has(i.name));
}

/** An initializer's name (TensorProto field 8) without decoding its data. */
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

function tensorInfo(v: onnx.ValueInfoProto): TensorInfo {
  const tensor = v.type?.tensorType;
  return {
    name: v.name,
    elemType: tensor?.elemType ?? 0,
    // A dimension is a value, a symbolic name, or neither (`value` says which of the oneof is set).
    dims: ((tensor?.shape?.dim ?? []) as onnx.TensorShapeProto.Dimension[]).map((d) =>
      d.value === 'dimParam' ? (d.dimParam ?? '?') : d.value === 'dimValue' ? toNumber(d.dimValue) : '?',
    ),
  };
}

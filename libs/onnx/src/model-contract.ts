/**
 * The model contract every uploaded ONNX file must meet (docs/models.md):
 * one float32 input [N, F] (N dynamic), a float32 score output [N], [N, 1] or
 * [N, 2] (two columns: classifier probabilities, column 1 = positive class),
 * F = number of feature names, finite scores. Pure functions over what
 * onnxruntime and the metadata scan report, so every message is testable.
 */

export interface ValueShape {
  name: string;
  /** onnxruntime's type name ('float32', 'float64', …), or undefined for a non-tensor. */
  type?: string;
  /** [] when the model declares no shape. */
  shape: readonly (number | string)[];
}

export interface ContractRequest {
  /** From the upload header; [] = read from metadata_props. */
  featureNames: readonly string[];
  inputName: string;
  outputName: string;
}

export interface ResolvedContract {
  featureNames: string[];
  inputName: string;
  outputName: string;
}

export class ContractError extends Error {
  constructor(
    message: string,
    /** The header field the problem is about, when there is one. */
    readonly field = 'model',
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

const fmt = (shape: readonly (number | string)[]) => (shape.length === 0 ? 'no declared shape' : `[${shape.map(String).join(', ')}]`);
const isDynamic = (d: number | string) => typeof d === 'string' || d < 0;
export const MAX_FEATURES = 1024;

export function resolveFeatureNames(declared: readonly string[], metadataProps: Record<string, string>): string[] {
  let fromModel: string[] | undefined;
  const raw = metadataProps.feature_names;
  if (raw !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((n) => typeof n === 'string')) {
      throw new ContractError(`metadata_props "feature_names" must be a JSON array of strings, found ${JSON.stringify(raw.slice(0, 200))}`, 'feature_names');
    }
    fromModel = parsed;
  }
  if (declared.length === 0 && !fromModel) {
    throw new ContractError('none declared: send them in the header or store them in the model metadata_props "feature_names"', 'feature_names');
  }
  if (declared.length > 0 && fromModel && (fromModel.length !== declared.length || fromModel.some((n, i) => n !== declared[i]))) {
    throw new ContractError(
      `the header declares ${JSON.stringify(declared)} but the model metadata_props says ${JSON.stringify(fromModel)}`,
      'feature_names',
    );
  }
  const names = declared.length > 0 ? [...declared] : fromModel!;
  if (names.length === 0 || names.length > MAX_FEATURES) throw new ContractError(`expected 1..${MAX_FEATURES} names, found ${names.length}`, 'feature_names');
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (n.length === 0 || n.length > 200) throw new ContractError(`[${i}] must be 1..200 characters, found ${n.length}`, 'feature_names');
    if (seen.has(n)) throw new ContractError(`[${i}] "${n}" is listed twice`, 'feature_names');
    seen.add(n);
  });
  return names;
}

/** Picks and checks the input and output; returns the resolved names. */
export function checkSignature(
  inputs: readonly ValueShape[],
  outputs: readonly ValueShape[],
  request: ContractRequest,
  featureCount: number,
): Omit<ResolvedContract, 'featureNames'> {
  let input: ValueShape | undefined;
  if (request.inputName) {
    input = inputs.find((i) => i.name === request.inputName);
    if (!input) throw new ContractError(`"${request.inputName}" is not an input of the model; its inputs are ${JSON.stringify(inputs.map((i) => i.name))}`, 'input_name');
  } else if (inputs.length !== 1) {
    throw new ContractError(`the model has ${inputs.length} inputs ${JSON.stringify(inputs.map((i) => i.name))}; expected exactly one, or name it in input_name`, 'input_name');
  } else input = inputs[0];

  if (input.type !== 'float32') throw new ContractError(`input "${input.name}" has element type ${input.type ?? 'non-tensor'}, expected float32`);
  if (input.shape.length !== 2) throw new ContractError(`input "${input.name}" has shape ${fmt(input.shape)}, expected [N, F] (rank 2)`);
  const [n, f] = input.shape;
  if (!isDynamic(n)) throw new ContractError(`input "${input.name}" has a fixed batch size ${n}, expected a dynamic first dimension N`);
  if (!isDynamic(f) && f !== featureCount) {
    throw new ContractError(`input "${input.name}" takes ${f} feature columns but ${featureCount} feature names were declared`);
  }

  const scoreShaped = (o: ValueShape) => o.type === 'float32' && (o.shape.length === 1 || (o.shape.length === 2 && [1, 2].includes(o.shape[1] as number)));
  let output: ValueShape | undefined;
  if (request.outputName) {
    output = outputs.find((o) => o.name === request.outputName);
    if (!output) throw new ContractError(`"${request.outputName}" is not an output of the model; its outputs are ${JSON.stringify(outputs.map((o) => o.name))}`, 'output_name');
  } else if (outputs.length === 1) output = outputs[0];
  else {
    const candidates = outputs.filter(scoreShaped);
    if (candidates.length !== 1) {
      throw new ContractError(
        `the model has outputs ${JSON.stringify(outputs.map((o) => o.name))} and ${candidates.length} of them are float32 [N], [N, 1] or [N, 2]; name the score output in output_name`,
        'output_name',
      );
    }
    output = candidates[0];
  }
  if (output.type !== 'float32') throw new ContractError(`output "${output.name}" has element type ${output.type ?? 'non-tensor'}, expected float32`);
  const s = output.shape;
  const ok = s.length === 0 || s.length === 1 || (s.length === 2 && (isDynamic(s[1]) || s[1] === 1 || s[1] === 2));
  if (!ok) throw new ContractError(`output "${output.name}" has shape ${fmt(s)}, expected [N], [N, 1] or [N, 2]`);
  return { inputName: input.name, outputName: output.name };
}

/** Checks what a smoke run of `rows` rows produced; returns the number of score columns (1 or 2). */
export function checkSmokeOutput(outputName: string, dims: readonly number[], data: ArrayLike<number>, rows: number): 1 | 2 {
  const shapeOk = (dims.length === 1 && dims[0] === rows) || (dims.length === 2 && dims[0] === rows && (dims[1] === 1 || dims[1] === 2));
  if (!shapeOk) throw new ContractError(`smoke run: output "${outputName}" for ${rows} rows has shape [${dims.join(', ')}], expected [${rows}], [${rows}, 1] or [${rows}, 2]`);
  const width = dims.length === 2 ? (dims[1] as 1 | 2) : 1;
  for (let r = 0; r < rows; r++) {
    const score = data[r * width + (width - 1)];
    if (!Number.isFinite(score)) throw new ContractError(`smoke run: output "${outputName}" gave ${score} for row ${r}; scores must be finite`);
  }
  return width;
}

/** Deterministic smoke batch: zeros, ones, small negatives and a spread in [0, 1). */
export function smokeBatch(featureCount: number, rows = 4): Float32Array {
  const data = new Float32Array(rows * featureCount);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < featureCount; c++) {
      data[r * featureCount + c] = r === 0 ? 0 : r === 1 ? 1 : r === 2 ? -0.5 : ((c * 7919) % 1000) / 1000;
    }
  }
  return data;
}

import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { OnnxParseError, readModelMetadata } from '@recsys/onnx';
import * as ort from 'onnxruntime-node';
import { checkSignature, checkSmokeOutput, ContractError, resolveFeatureNames, smokeBatch, type ContractRequest, type ValueShape } from './model-contract';

/**
 * Runs in a worker thread: onnxruntime-node loads and runs models
 * synchronously, so doing it here keeps the registry's event loop free while
 * a large model is validated (STACK.md: a 10 MB tree model stalls ~0.5 s).
 */
export interface ValidationJob extends ContractRequest {
  path: string;
}

export type ValidationOutcome =
  | { ok: true; featureNames: string[]; inputName: string; outputName: string; scoreColumns: 1 | 2 }
  | { ok: false; field: string; message: string };

const SMOKE_ROWS = 4;

async function validate(job: ValidationJob): Promise<ValidationOutcome> {
  const bytes = await readFile(job.path);
  let metadataProps: Record<string, string>;
  try {
    metadataProps = readModelMetadata(bytes).metadataProps;
  } catch (err) {
    if (err instanceof OnnxParseError) return { ok: false, field: 'model', message: err.message };
    throw err;
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (err) {
    return { ok: false, field: 'model', message: `onnxruntime cannot load it: ${(err as Error).message}` };
  }
  try {
    const featureNames = resolveFeatureNames(job.featureNames, metadataProps);
    const shape = (m: ort.InferenceSession.ValueMetadata): ValueShape =>
      m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, shape: [] };
    const resolved = checkSignature(session.inputMetadata.map(shape), session.outputMetadata.map(shape), job, featureNames.length);
    const x = new ort.Tensor('float32', smokeBatch(featureNames.length, SMOKE_ROWS), [SMOKE_ROWS, featureNames.length]);
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await session.run({ [resolved.inputName]: x }, [resolved.outputName]);
    } catch (err) {
      return { ok: false, field: 'model', message: `smoke run on [${SMOKE_ROWS}, ${featureNames.length}] failed: ${(err as Error).message}` };
    }
    const y = out[resolved.outputName];
    const scoreColumns = checkSmokeOutput(resolved.outputName, y.dims, y.data as Float32Array, SMOKE_ROWS);
    return { ok: true, featureNames, inputName: resolved.inputName, outputName: resolved.outputName, scoreColumns };
  } catch (err) {
    if (err instanceof ContractError) return { ok: false, field: err.field, message: err.message };
    throw err;
  } finally {
    await session.release();
  }
}

validate(workerData as ValidationJob).then(
  (outcome) => parentPort!.postMessage(outcome),
  (err: Error) => parentPort!.postMessage({ ok: false, field: 'internal', message: err.stack ?? String(err) }),
);

import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { ContractError, OnnxParseError, readModelMetadata, resolveFeatureNames, type ContractRequest } from '@recsys/onnx';
import { createSession, ModelLoadError, smokeRun, SMOKE_ROWS, type Session } from '@recsys/onnx/session';

/**
 * Runs in a worker thread: onnxruntime-node loads and runs models
 * synchronously, so doing it here keeps the registry's event loop free while
 * a large model is validated (docs/platform-notes.md: a 10 MB tree model stalls ~0.5 s).
 * The model is opened exactly as ranking-service will serve it (@recsys/onnx/session:
 * same session options, same contract checks, same smoke run).
 */
export interface ValidationJob extends ContractRequest {
  path: string;
}

export type ValidationOutcome =
  | { ok: true; featureNames: string[]; inputName: string; outputName: string; scoreColumns: 1 | 2 }
  | { ok: false; field: string; message: string };

async function validate(job: ValidationJob): Promise<ValidationOutcome> {
  const bytes = await readFile(job.path);
  let session: Session | undefined;
  try {
    const featureNames = resolveFeatureNames(job.featureNames, readModelMetadata(bytes).metadataProps);
    session = await createSession({ bytes, inputName: job.inputName, outputName: job.outputName, featureCount: featureNames.length });
    let scoreColumns: 1 | 2;
    try {
      scoreColumns = await smokeRun(session);
    } catch (err) {
      if (err instanceof ContractError) throw err;
      return { ok: false, field: 'model', message: `smoke run on [${SMOKE_ROWS}, ${featureNames.length}] failed: ${(err as Error).message}` };
    }
    return { ok: true, featureNames, inputName: session.inputName, outputName: session.outputName, scoreColumns };
  } catch (err) {
    if (err instanceof ContractError) return { ok: false, field: err.field, message: err.message };
    if (err instanceof OnnxParseError || err instanceof ModelLoadError) return { ok: false, field: 'model', message: err.message };
    throw err;
  } finally {
    await session?.session.release().catch(() => undefined);
  }
}

validate(workerData as ValidationJob).then(
  (outcome) => parentPort!.postMessage(outcome),
  (err: Error) => parentPort!.postMessage({ ok: false, field: 'internal', message: err.stack ?? String(err) }),
);

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, UnavailableError } from '@recsys/service-kit';
import type { ContractRequest } from '@recsys/onnx';
import type { ValidationJob, ValidationOutcome } from './validation.worker';

export interface ValidatedModel {
  featureNames: string[];
  inputName: string;
  outputName: string;
  scoreColumns: 1 | 2;
}

/** Checks feature names against the feature vocabulary; returns the unknown ones. Default: accept all. */
export type FeatureNameValidator = (names: string[]) => string[];

export const acceptAllFeatureNames: FeatureNameValidator = () => [];

/**
 * Validates a staged ONNX file against the model contract in a worker thread
 * (one per upload: isolates onnxruntime's memory and a crash, and can be
 * stopped on timeout or cancel), then checks the feature names against the
 * vocabulary. Throws InvalidArgumentError naming what is wrong.
 */
export class ModelValidator {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly options: {
      timeoutMs: number;
      featureNames: FeatureNameValidator;
      /** Validations at once; each loads a whole model into memory, so uploads beyond this wait their turn. */
      concurrency: number;
    },
  ) {}

  async validate(path: string, request: ContractRequest, signal?: AbortSignal): Promise<ValidatedModel> {
    await this.acquire(signal);
    let outcome: ValidationOutcome;
    try {
      outcome = await this.runWorker({ path, ...request }, signal);
    } finally {
      this.release();
    }
    if (!outcome.ok) {
      if (outcome.field === 'internal') throw new Error(`model validation worker failed: ${outcome.message}`);
      throw new InvalidArgumentError(outcome.message, outcome.field);
    }
    const unknown = this.options.featureNames(outcome.featureNames);
    if (unknown.length > 0) {
      throw new InvalidArgumentError(`unknown feature names ${JSON.stringify(unknown)}: not in the feature vocabulary (user.*, item.*, match.*, context.*, candidate.<key>)`, 'feature_names');
    }
    return { featureNames: outcome.featureNames, inputName: outcome.inputName, outputName: outcome.outputName, scoreColumns: outcome.scoreColumns };
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    if (this.running < this.options.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(turn), 1);
        reject(new UnavailableError('upload cancelled while waiting for validation'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(turn);
    });
  }

  /** Hands the slot straight to the next waiter, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private runWorker(job: ValidationJob, signal?: AbortSignal): Promise<ValidationOutcome> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(workerFile(), { workerData: job });
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        void worker.terminate();
        fn();
      };
      const timer = setTimeout(
        () => finish(() => reject(new InvalidArgumentError(`validation took longer than ${this.options.timeoutMs} ms (load + smoke run)`, 'model'))),
        this.options.timeoutMs,
      );
      const onAbort = () => finish(() => reject(new UnavailableError('upload cancelled during validation')));
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once('message', (outcome: ValidationOutcome) => finish(() => resolve(outcome)));
      worker.once('error', (err) => finish(() => reject(err)));
      worker.once('exit', (code) => finish(() => reject(new Error(`model validation worker exited with code ${code} before answering`))));
    });
  }
}

/** The bundled worker beside main.js in a build, else the source shim that loads the TypeScript worker through tsx. */
function workerFile(): string {
  const bundled = join(__dirname, 'validation.worker.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'validation-worker.js');
}

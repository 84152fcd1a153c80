import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import type { ServiceError } from '@grpc/grpc-js';
import * as registry from '@recsys/contracts/registry';
import type { ModelRegistryClient, ModelStatus } from '@recsys/contracts/registry';
import { MODEL_STATUSES } from '@recsys/contracts/vocabularies';
import { SingleBar } from 'cli-progress';
import { callMetadata, type CliContext } from '../cli-context';
import { UsageError } from '../command-action';

const UPLOAD_CHUNK = 256 * 1024;
/** A version's status by name (`production`), as the CLI prints it. */
export const statusName = (s: ModelStatus) => MODEL_STATUSES.nameOf(s) ?? 'unspecified';

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface UploadOptions {
  name: string;
  version: string;
  features?: string[];
  website?: string;
  description?: string;
  algorithm?: string;
  type?: string;
  metrics?: Record<string, number>;
  hyperparameters?: Record<string, unknown>;
  trainingDataPeriod?: { start: Date; end: Date };
}

/** Streams `file` to UploadModel (header first, then chunks with flow control) and prints what the registry registered. */
export async function uploadFile(c: CliContext, client: ModelRegistryClient, file: string, opts: UploadOptions): Promise<registry.UploadModelResponse> {
  const size = (await stat(file).catch(() => undefined))?.size;
  if (size === undefined) throw new UsageError(`cannot read ${file}`);
  const header = registry.ModelUploadHeader.fromPartial({
    name: opts.name,
    version: opts.version,
    featureNames: opts.features ?? [],
    websiteId: opts.website ?? '',
    description: opts.description ?? '',
    algorithm: opts.algorithm ?? '',
    modelType: opts.type ?? '',
    metrics: opts.metrics ?? {},
    hyperparameters: opts.hyperparameters,
    trainingDataPeriod: opts.trainingDataPeriod,
    sha256: await sha256File(file),
    sizeBytes: size,
  });
  const bar = c.interactive ? new SingleBar({ format: 'uploading [{bar}] {percentage}% {value}/{total} bytes', stream: c.err as NodeJS.WriteStream }) : undefined;
  bar?.start(size, 0);
  const response = await new Promise<registry.UploadModelResponse>((resolve, reject) => {
    const call = client.uploadModel(callMetadata(c), (err: ServiceError | null, res?: registry.UploadModelResponse) => (err ? reject(err) : resolve(res!)));
    void (async () => {
      call.write({ payload: { $case: 'header', value: header } });
      let sent = 0;
      for await (const chunk of createReadStream(file, { highWaterMark: UPLOAD_CHUNK })) {
        // Honour flow control: a big file must not be buffered whole in memory.
        if (!call.write({ payload: { $case: 'chunk', value: chunk as Buffer } })) await once(call, 'drain');
        sent += (chunk as Buffer).length;
        bar?.update(sent);
      }
      call.end();
    })().catch(reject);
  }).finally(() => bar?.stop());
  c.out.write(`${response.created ? 'uploaded' : 'already registered (same sha256)'} ${response.model!.name}@${response.model!.version} (${statusName(response.model!.status)}, ${response.model!.artifactSizeBytes} bytes, sha256 ${response.model!.artifactSha256})\n`);
  return response;
}

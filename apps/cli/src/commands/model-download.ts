import { createHash } from 'node:crypto';
import * as registry from '@recsys/contracts/registry';
import type { ModelRegistryClient } from '@recsys/contracts/registry';
import { callMetadata, type CliContext } from '../cli-context';

/**
 * Streams a version's artifact (DownloadModel) to `onChunk` and checks its
 * size and sha256 against the registry's record; DATA_LOSS (15) when they
 * differ. Resolves the version's record and what arrived.
 */
export async function streamModel(
  c: CliContext,
  client: ModelRegistryClient,
  name: string,
  version: string,
  onChunk: (chunk: Uint8Array) => Promise<void> | void,
): Promise<{ model: registry.Model; bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let model: registry.Model | undefined;
  let received = 0;
  const stream = client.downloadModel(registry.DownloadModelRequest.fromPartial({ name, version }), callMetadata(c));
  for await (const message of stream as AsyncIterable<registry.DownloadModelResponse>) {
    if (message.payload?.$case === 'model') model = message.payload.value;
    else if (message.payload?.$case === 'chunk') {
      hash.update(message.payload.value);
      received += message.payload.value.length;
      await onChunk(message.payload.value);
    }
  }
  const sha256 = hash.digest('hex');
  if (!model || sha256 !== model.artifactSha256 || received !== model.artifactSizeBytes) {
    throw Object.assign(new Error('download corrupt'), { code: 15, details: `downloaded ${received} bytes with sha256 ${sha256}, expected ${model?.artifactSizeBytes} bytes with sha256 ${model?.artifactSha256}` });
  }
  return { model, bytes: received, sha256 };
}

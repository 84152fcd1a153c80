import { credentials, Metadata, status as Status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { ModelRegistryClient, type DownloadModelResponse, type Model, type WatchActiveModelResponse } from '@recsys/contracts/registry';
import { sha256Hex } from './artifact-cache';

/** What the registry says serves a scope: a model, or explicitly none. */
export type ScopeState = { kind: 'model'; model: Model } | { kind: 'none' };

export interface ScopeWatch {
  close(): void;
}

/** Download problems: `retryable` ones (transport, checksum) are tried again with backoff. */
export class ArtifactDownloadError extends Error {
  constructor(
    message: string,
    readonly reason: 'unavailable' | 'checksum' | 'not_found',
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ArtifactDownloadError';
  }
}

/**
 * The ranking service's side of the registry contract: WatchActiveModel per
 * scope, re-subscribed with capped exponential backoff whenever the stream
 * ends (the first message after a re-subscribe re-syncs the state), and
 * DownloadModel with length and sha256 checks.
 */
export class RegistrySource {
  private readonly client: InstanceType<typeof ModelRegistryClient>;

  constructor(
    address: string,
    private readonly options: { token?: string; backoffMs?: { initial: number; max: number } } = {},
  ) {
    this.client = new ModelRegistryClient(address, credentials.createInsecure(), {
      // Watch streams idle for hours: keepalives notice a dead peer.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
    });
  }

  /**
   * Calls `onState` with every state pushed for (name, websiteId) and `onDown`
   * each time the stream breaks, until `close()`.
   */
  watch(name: string, websiteId: string, handlers: { onState: (s: ScopeState) => void; onDown: (err: Error) => void }): ScopeWatch {
    const backoff = this.options.backoffMs ?? { initial: 200, max: 10_000 };
    let delay = backoff.initial;
    let stream: ClientReadableStream<WatchActiveModelResponse> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;

    const subscribe = () => {
      if (closed) return;
      const s = this.client.watchActiveModel({ name, websiteId }, this.metadata());
      stream = s;
      let ended = false;
      s.on('data', (msg: WatchActiveModelResponse) => {
        delay = backoff.initial; // a message proves the subscription works
        if (msg.state?.$case === 'activeModel') handlers.onState({ kind: 'model', model: msg.state.value });
        else handlers.onState({ kind: 'none' });
      });
      const retry = (err: Error) => {
        if (ended || closed) return;
        ended = true;
        handlers.onDown(err);
        timer = setTimeout(subscribe, delay);
        timer.unref();
        delay = Math.min(delay * 2, backoff.max);
      };
      s.on('error', (err: ServiceError) => retry(err));
      s.on('end', () => retry(new Error('WatchActiveModel stream ended')));
    };
    subscribe();
    return {
      close: () => {
        closed = true;
        if (timer) clearTimeout(timer);
        stream?.cancel();
      },
    };
  }

  /** The artifact of `model`, checked against the watched model's size and sha256. */
  async download(model: Model, signal?: AbortSignal): Promise<Uint8Array> {
    const call = this.client.downloadModel({ name: model.name, version: model.version }, this.metadata());
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort);
    const chunks: Uint8Array[] = [];
    let total = 0;
    let first = true;
    try {
      for await (const msg of call as AsyncIterable<DownloadModelResponse>) {
        const payload = msg.payload;
        if (first) {
          first = false;
          if (payload?.$case !== 'model') throw new ArtifactDownloadError('DownloadModel did not start with the Model', 'checksum', true);
          if (payload.value.artifactSha256 !== model.artifactSha256) {
            throw new ArtifactDownloadError(`DownloadModel describes sha256 ${payload.value.artifactSha256}, the watch said ${model.artifactSha256}`, 'checksum', true);
          }
          continue;
        }
        if (payload?.$case === 'chunk') {
          chunks.push(payload.value);
          total += payload.value.length;
          if (total > model.artifactSizeBytes) break;
        }
      }
    } catch (err) {
      if (err instanceof ArtifactDownloadError) throw err;
      const code = (err as ServiceError).code;
      // DATA_LOSS: the registry's stored file no longer matches its hash (it checks what it sends).
      const reason = code === Status.NOT_FOUND ? 'not_found' : code === Status.DATA_LOSS ? 'checksum' : 'unavailable';
      throw new ArtifactDownloadError(`DownloadModel ${model.name}@${model.version} failed: ${(err as Error).message}`, reason, code !== Status.NOT_FOUND);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
    const bytes = Buffer.concat(chunks);
    if (bytes.length !== model.artifactSizeBytes) {
      throw new ArtifactDownloadError(`downloaded ${bytes.length} bytes of ${model.name}@${model.version}, expected ${model.artifactSizeBytes}`, 'checksum', true);
    }
    const actual = sha256Hex(bytes);
    if (actual !== model.artifactSha256.toLowerCase()) {
      throw new ArtifactDownloadError(`sha256 of ${model.name}@${model.version} is ${actual}, expected ${model.artifactSha256}`, 'checksum', true);
    }
    return bytes;
  }

  close(): void {
    this.client.close();
  }

  private metadata(): Metadata {
    const md = new Metadata();
    if (this.options.token) md.set('authorization', `Bearer ${this.options.token}`);
    return md;
  }
}

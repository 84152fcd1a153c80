// A ModelRegistry gRPC server the model tests control: they publish artifacts,
// push activations, make downloads lie, and take the server down and up again.
// A real gRPC peer (service-kit's server, the generated contract), because the
// provider must be tested over the wire; apps may not import registry-service.
import { Model, ModelRegistryService, type DownloadModelResponse, type WatchActiveModelResponse } from '@recsys/contracts/registry';
import {
  Authenticator,
  createLogger,
  NotFoundError,
  registerService,
  ServiceMetrics,
  startGrpcServer,
  UnimplementedError,
  type CallContext,
  type GrpcServerHandle,
  type ServiceImplementation,
} from '@recsys/service-kit';
import { createHash } from 'node:crypto';
import { EventEmitter, on } from 'node:events';

export interface Published {
  model: Model;
  bytes: Uint8Array;
}

export class FakeRegistry {
  private server: GrpcServerHandle | undefined;
  private readonly published = new Map<string, Published>();
  /** "name|scope" (scope '' = global) → the active model's "name@version". */
  private readonly active = new Map<string, string>();
  private readonly changes = new EventEmitter();
  /** "name@version" → bytes served instead of the published ones (a lying or corrupted store). */
  readonly tamper = new Map<string, Uint8Array>();
  downloads = 0;
  port = 0;

  constructor(
    private readonly name = 'default',
    /** When set, callers need `authorization: Bearer <one of these>`. */
    private readonly serviceTokens: string[] = [],
  ) {
    this.changes.setMaxListeners(0);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const logger = createLogger({ name: 'fake-registry', level: 'silent' });
    const impl = new Proxy(this.implementation(), {
      get: (target, key) => (target as Record<string | symbol, unknown>)[key] ?? (async () => Promise.reject(new UnimplementedError(`fake registry: ${String(key)}`))),
    });
    this.server = await startGrpcServer({
      host: '127.0.0.1',
      port: this.port, // the same port again after down(): clients reconnect to it
      services: [registerService(ModelRegistryService, impl as ServiceImplementation<typeof ModelRegistryService>)],
      authenticator: new Authenticator({ adminTokens: [], serviceTokens: this.serviceTokens }),
      logger,
      metrics: new ServiceMetrics('fake-registry'),
      shutdown: { graceMs: 0, timeoutMs: 0 },
    });
    this.port = this.server.port;
    this.server.markServing();
    return this;
  }

  /** Stops answering: watch streams break, connections are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.changes.emit('stop');
    await server?.close();
  }

  /** Publishes `version` of the registry's model name, or of `fields.name` when given. */
  publish(version: string, bytes: Uint8Array, fields: Partial<Model> = {}): Model {
    const model = Model.fromPartial({
      id: `00000000-0000-4000-8000-${String(this.published.size + 1).padStart(12, '0')}`,
      name: this.name,
      version,
      artifactSha256: createHash('sha256').update(bytes).digest('hex'),
      artifactSizeBytes: bytes.length,
      inputName: 'features',
      outputName: 'score',
      ...fields,
    });
    this.published.set(`${model.name}@${version}`, { model, bytes });
    return model;
  }

  activate(version: string, websiteId = '', name = this.name): void {
    this.active.set(`${name}|${websiteId}`, `${name}@${version}`);
    this.changes.emit('change');
  }

  deactivate(websiteId = '', name = this.name): void {
    this.active.delete(`${name}|${websiteId}`);
    this.changes.emit('change');
  }

  /** Resolves (name, website) as the registry does: the website's version, else the global one. */
  private resolve(name: string, websiteId: string): Model | undefined {
    const key = (websiteId && this.active.get(`${name}|${websiteId}`)) || this.active.get(`${name}|`);
    return key ? this.published.get(key)?.model : undefined;
  }

  private state(name: string, websiteId: string): WatchActiveModelResponse {
    const model = this.resolve(name, websiteId);
    return {
      state: model ? { $case: 'activeModel', value: model } : { $case: 'noActiveModel', value: {} },
      observedAt: new Date(),
    };
  }

  private implementation(): Partial<ServiceImplementation<typeof ModelRegistryService>> {
    const self = this;
    return {
      async *watchActiveModel(request, ctx: CallContext): AsyncIterable<WatchActiveModelResponse> {
        const updates = on(self.changes, 'change', { signal: ctx.signal });
        yield self.state(request.name, request.websiteId);
        try {
          for await (const _ of updates) yield self.state(request.name, request.websiteId);
        } catch (err) {
          if (!ctx.signal.aborted) throw err;
        }
      },
      async *downloadModel(request): AsyncIterable<DownloadModelResponse> {
        const key = `${request.name}@${request.version}`;
        const found = self.published.get(key);
        if (!found) throw new NotFoundError(`no model ${key}`);
        self.downloads++;
        yield { payload: { $case: 'model', value: found.model } };
        const bytes = self.tamper.get(key) ?? found.bytes;
        for (let at = 0; at < bytes.length; at += 64 * 1024) {
          yield { payload: { $case: 'chunk', value: Buffer.from(bytes.subarray(at, at + 64 * 1024)) } };
        }
      },
    };
  }
}

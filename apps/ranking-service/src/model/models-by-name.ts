import type { Logger } from '@recsys/service-kit';
import type { ModelProvider, ServingModel } from './model-provider';

export interface ModelsByNameOptions {
  /** MODEL_NAME: what a request without model_name is ranked with. */
  defaultName: string;
  /** The provider of `defaultName`, started by the caller (health waits for it). */
  primary: ModelProvider;
  /** Builds the provider of another name; started here, in the background. */
  create: (name: string) => ModelProvider & { start(): Promise<void> };
  /** How many names besides the default may be served at once (MAX_MODEL_NAMES). */
  maxOtherNames: number;
  logger: Logger;
}

/**
 * RecommendRequest.model_name: one provider per registry model name. The
 * configured name is loaded at start; another name gets its provider (its own
 * registry watch, disk cache and onnxruntime worker) the first time a request
 * asks for it, and answers fall back to the heuristic (MODEL_NOT_READY) until
 * it has loaded, never wait for it. At most `maxOtherNames` other names: past
 * that a new name is answered by the heuristic (NO_ACTIVE_MODEL) and logged,
 * so callers sending arbitrary names cannot start unbounded workers.
 */
export class ModelsByName implements ModelProvider {
  private readonly others = new Map<string, ModelProvider>();
  private readonly refused = new Set<string>();
  private closed = false;

  constructor(private readonly options: ModelsByNameOptions) {}

  get ready(): boolean {
    return this.options.primary.ready;
  }

  current(websiteId: string, modelName?: string): ServingModel | undefined {
    if (!modelName || modelName === this.options.defaultName) return this.options.primary.current(websiteId);
    return this.providerOf(modelName)?.current(websiteId, modelName);
  }

  readyFor(modelName?: string): boolean {
    if (!modelName || modelName === this.options.defaultName) return this.options.primary.ready;
    const provider = this.others.get(modelName);
    // A refused name is settled: it has no model here.
    return provider ? provider.readyFor(modelName) : this.refused.has(modelName);
  }

  /** The names with a provider (the default first), for logs and tests. */
  get names(): string[] {
    return [this.options.defaultName, ...this.others.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.options.primary.close(), ...[...this.others.values()].map((p) => p.close())]);
  }

  private providerOf(name: string): ModelProvider | undefined {
    const existing = this.others.get(name);
    if (existing || this.closed) return existing;
    if (this.others.size >= this.options.maxOtherNames) {
      if (!this.refused.has(name) && this.refused.size < 1_000) {
        this.refused.add(name);
        this.options.logger.warn(
          { modelName: name, serving: this.names, max: this.options.maxOtherNames },
          'model_name not served: MAX_MODEL_NAMES other names are served already; heuristic fallback',
        );
      }
      return undefined;
    }
    const provider = this.options.create(name);
    this.others.set(name, provider);
    this.options.logger.info({ modelName: name }, 'model_name asked for the first time: loading it in the background');
    provider.start().catch((err: unknown) => this.options.logger.error({ err, modelName: name }, 'model provider could not start'));
    return provider;
  }
}

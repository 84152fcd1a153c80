import type * as registry from '@recsys/contracts/registry';
import { InvalidArgumentError, type CallContext, type ServiceImplementation } from '@recsys/service-kit';
import type { ActiveModelWatch } from './active-model-watch';
import { headerFromProto, statusFromProto, toProtoModel } from './model-mapping';
import type { ModelRegistryService } from './model-registry.service';
import type { ModelUploader } from './model-upload';

/** Written by these methods: they need an admin credential when tokens are configured. */
export const ADMIN_METHODS = [
  'uploadModel',
  'activateModel',
  'deactivateModel',
  'rollbackModel',
  'updateModelStatus',
  'updateModelMetrics',
  'deleteModel',
] as const;

/** recsys.registry.v1.ModelRegistry: maps proto ↔ domain; the decisions live in the services. */
export class ModelRegistryHandler implements ServiceImplementation<typeof registry.ModelRegistryService> {
  constructor(private readonly deps: { models: ModelRegistryService; uploader: ModelUploader; watch: ActiveModelWatch }) {}

  async uploadModel(requests: AsyncIterable<registry.UploadModelRequest>, ctx: CallContext): Promise<registry.UploadModelResponse> {
    const iterator = requests[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) throw new InvalidArgumentError('the stream was empty: send a header first, then chunks', 'header');
    if (first.value.payload?.$case !== 'header') throw new InvalidArgumentError('the first message must be the header', 'header');
    const chunks: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          if (next.value.payload?.$case === 'header') throw new InvalidArgumentError('only the first message may be a header', 'header');
          if (next.value.payload?.$case === 'chunk') yield next.value.payload.value;
        }
      },
    };
    const { model, created } = await this.deps.uploader.upload(headerFromProto(first.value.payload.value), chunks, ctx.signal);
    return { model: toProtoModel(model), created };
  }

  async activateModel(request: registry.ActivateModelRequest): Promise<registry.ActivateModelResponse> {
    const { model, previous } = await this.deps.models.activate(request.name, request.version);
    return { model: toProtoModel(model), previousModel: previous && toProtoModel(previous) };
  }

  async deactivateModel(request: registry.DeactivateModelRequest): Promise<registry.DeactivateModelResponse> {
    const { model, wasActive } = await this.deps.models.deactivate(request.name, request.version);
    return { model: toProtoModel(model), wasActive };
  }

  async rollbackModel(request: registry.RollbackModelRequest): Promise<registry.RollbackModelResponse> {
    const { model, rolledBack } = await this.deps.models.rollback(request.name, request.websiteId);
    return { model: toProtoModel(model), rolledBackModel: toProtoModel(rolledBack) };
  }

  async getModel(request: registry.GetModelRequest): Promise<registry.GetModelResponse> {
    return { model: toProtoModel(await this.deps.models.get(request.name, request.version)) };
  }

  async listModels(request: registry.ListModelsRequest): Promise<registry.ListModelsResponse> {
    const statuses = request.statuses.map((s, i) => {
      const name = statusFromProto(s, `statuses[${i}]`);
      if (!name) throw new InvalidArgumentError('UNSPECIFIED is not a status', `statuses[${i}]`);
      return name;
    });
    const page = await this.deps.models.list({
      name: request.name,
      statuses,
      websiteId: request.websiteId,
      activeOnly: request.activeOnly,
      pageSize: request.pageSize,
      pageToken: request.pageToken,
    });
    return { models: page.models.map(toProtoModel), nextPageToken: page.nextPageToken };
  }

  async getActiveModel(request: registry.GetActiveModelRequest): Promise<registry.GetActiveModelResponse> {
    return { model: toProtoModel(await this.deps.models.getActive(request.name, request.websiteId)) };
  }

  async *downloadModel(request: registry.DownloadModelRequest): AsyncIterable<registry.DownloadModelResponse> {
    for await (const part of this.deps.models.download(request.name, request.version)) {
      yield 'model' in part ? { payload: { $case: 'model', value: toProtoModel(part.model) } } : { payload: { $case: 'chunk', value: part.chunk } };
    }
  }

  async *watchActiveModel(request: registry.WatchActiveModelRequest, ctx: CallContext): AsyncIterable<registry.WatchActiveModelResponse> {
    for await (const model of this.deps.watch.watch(request.name, request.websiteId, ctx.signal)) {
      yield {
        state: model ? { $case: 'activeModel', value: toProtoModel(model) } : { $case: 'noActiveModel', value: {} },
        observedAt: new Date(),
      };
    }
  }

  async updateModelStatus(request: registry.UpdateModelStatusRequest): Promise<registry.UpdateModelStatusResponse> {
    const model = await this.deps.models.updateStatus(request.name, request.version, statusFromProto(request.status, 'status'));
    return { model: toProtoModel(model) };
  }

  async updateModelMetrics(request: registry.UpdateModelMetricsRequest): Promise<registry.UpdateModelMetricsResponse> {
    const model = await this.deps.models.updateMetrics(request.name, request.version, request.metrics, request.merge);
    return { model: toProtoModel(model) };
  }

  async deleteModel(request: registry.DeleteModelRequest): Promise<registry.DeleteModelResponse> {
    const { model, artifactDeleted } = await this.deps.models.delete(request.name, request.version);
    return { model: toProtoModel(model), artifactDeleted };
  }
}

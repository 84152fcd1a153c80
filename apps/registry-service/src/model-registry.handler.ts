import type * as registry from '@recsys/contracts/registry';
import { UnimplementedError, type ServiceImplementation } from '@recsys/service-kit';

const pending = (rpc: string) =>
  new UnimplementedError(`recsys.registry.v1.ModelRegistry/${rpc} is not implemented yet (issue #3: model registry)`);

/** recsys.registry.v1.ModelRegistry. Every RPC lands with issue #3; until then each says so. */
export class ModelRegistryHandler implements ServiceImplementation<typeof registry.ModelRegistryService> {
  async uploadModel(_requests: AsyncIterable<registry.UploadModelRequest>): Promise<registry.UploadModelResponse> {
    throw pending('UploadModel');
  }

  async activateModel(_request: registry.ActivateModelRequest): Promise<registry.ActivateModelResponse> {
    throw pending('ActivateModel');
  }

  async deactivateModel(_request: registry.DeactivateModelRequest): Promise<registry.DeactivateModelResponse> {
    throw pending('DeactivateModel');
  }

  async rollbackModel(_request: registry.RollbackModelRequest): Promise<registry.RollbackModelResponse> {
    throw pending('RollbackModel');
  }

  async getModel(_request: registry.GetModelRequest): Promise<registry.GetModelResponse> {
    throw pending('GetModel');
  }

  async listModels(_request: registry.ListModelsRequest): Promise<registry.ListModelsResponse> {
    throw pending('ListModels');
  }

  async getActiveModel(_request: registry.GetActiveModelRequest): Promise<registry.GetActiveModelResponse> {
    throw pending('GetActiveModel');
  }

  // eslint-disable-next-line require-yield
  async *downloadModel(_request: registry.DownloadModelRequest): AsyncIterable<registry.DownloadModelResponse> {
    throw pending('DownloadModel');
  }

  // eslint-disable-next-line require-yield
  async *watchActiveModel(_request: registry.WatchActiveModelRequest): AsyncIterable<registry.WatchActiveModelResponse> {
    throw pending('WatchActiveModel');
  }

  async updateModelStatus(_request: registry.UpdateModelStatusRequest): Promise<registry.UpdateModelStatusResponse> {
    throw pending('UpdateModelStatus');
  }

  async updateModelMetrics(_request: registry.UpdateModelMetricsRequest): Promise<registry.UpdateModelMetricsResponse> {
    throw pending('UpdateModelMetrics');
  }

  async deleteModel(_request: registry.DeleteModelRequest): Promise<registry.DeleteModelResponse> {
    throw pending('DeleteModel');
  }
}

import type {
  GetOnlineMetricsRequest,
  GetOnlineMetricsResponse,
  RankingServiceService,
  RecommendRequest,
  RecommendResponse,
  RecordOutcomeRequest,
  RecordOutcomeResponse,
  UpsertItemsRequest,
  UpsertItemsResponse,
} from '@recsys/contracts/ranking';
import { UnimplementedError, type ServiceImplementation } from '@recsys/service-kit';

const pending = (rpc: string) =>
  new UnimplementedError(`recsys.ranking.v1.RankingService/${rpc} is not implemented yet (issue #5: ranking service)`);

/** recsys.ranking.v1.RankingService. Every RPC lands with issue #5; until then each says so. */
export class RankingHandler implements ServiceImplementation<typeof RankingServiceService> {
  async recommend(_request: RecommendRequest): Promise<RecommendResponse> {
    throw pending('Recommend');
  }

  async recordOutcome(_request: RecordOutcomeRequest): Promise<RecordOutcomeResponse> {
    throw pending('RecordOutcome');
  }

  async upsertItems(_request: UpsertItemsRequest): Promise<UpsertItemsResponse> {
    throw pending('UpsertItems');
  }

  async getOnlineMetrics(_request: GetOnlineMetricsRequest): Promise<GetOnlineMetricsResponse> {
    throw pending('GetOnlineMetrics');
  }
}

import type {
  DeleteUserRecommendationsRequest,
  DeleteUserRecommendationsResponse,
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
import type { CallContext, ServiceImplementation } from '@recsys/service-kit';
import type { ItemUpserter } from './items/item-upserter';
import type { UserErasure } from './log/user-erasure';
import type { OnlineMetrics } from './online-metrics/online-metrics';
import type { OutcomeRecorder } from './outcomes/outcome-recorder';
import type { Recommender } from './recommend/recommender';

/** Methods that need an admin credential when tokens are configured. */
export const ADMIN_METHODS = ['deleteUserRecommendations'] as const;

/** recsys.ranking.v1.RankingService: each RPC delegates to the part that owns it. */
export class RankingHandler implements ServiceImplementation<typeof RankingServiceService> {
  constructor(
    private readonly recommender: Recommender,
    private readonly outcomes: OutcomeRecorder,
    private readonly items: ItemUpserter,
    private readonly metrics: OnlineMetrics,
    private readonly erasure: UserErasure,
  ) {}

  recommend(request: RecommendRequest, ctx: CallContext): Promise<RecommendResponse> {
    return this.recommender.recommend(request, ctx.receivedAt);
  }

  recordOutcome(request: RecordOutcomeRequest): Promise<RecordOutcomeResponse> {
    return this.outcomes.record(request);
  }

  upsertItems(request: UpsertItemsRequest): Promise<UpsertItemsResponse> {
    return this.items.upsert(request);
  }

  getOnlineMetrics(request: GetOnlineMetricsRequest): Promise<GetOnlineMetricsResponse> {
    return this.metrics.get(request);
  }

  deleteUserRecommendations(request: DeleteUserRecommendationsRequest): Promise<DeleteUserRecommendationsResponse> {
    return this.erasure.erase(request);
  }
}

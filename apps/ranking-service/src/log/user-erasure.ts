import type { DeleteUserRecommendationsRequest, DeleteUserRecommendationsResponse } from '@recsys/contracts/ranking';
import { NotFoundError } from '@recsys/service-kit';
import type { Pool } from 'pg';
import type { CatalogRepository } from '../catalog/catalog-repository';
import { userId as userIdField, uuid } from '../validation/fields';
import type { RecommendationLog } from './recommendation-log';

/**
 * DeleteUserRecommendations: a user's rows of the log, buffered and stored.
 * Buffered answers are dropped first (a write in flight is waited for), so no
 * row of the user is written after the DELETE.
 */
export class UserErasure {
  constructor(
    private readonly pool: Pool,
    private readonly log: RecommendationLog,
    private readonly catalog: CatalogRepository,
  ) {}

  async erase(req: DeleteUserRecommendationsRequest): Promise<DeleteUserRecommendationsResponse> {
    const websiteId = uuid(req.websiteId, 'website_id');
    const userId = userIdField(req.userId, 'user_id');
    if (!(await this.catalog.websiteExists(websiteId))) throw new NotFoundError(`website_id: website ${websiteId} does not exist`);
    const dropped = await this.log.forgetUser(websiteId, userId);
    const deleted = await this.pool.query('DELETE FROM recommendations WHERE website_id = $1 AND user_id = $2', [websiteId, userId]);
    return { recommendationsDeleted: dropped + (deleted.rowCount ?? 0) };
  }
}

import type {
  DeleteProfileRequest,
  DeleteProfileResponse,
  GetItemSignalsRequest,
  GetItemSignalsResponse,
  StreamItemSignalsRequest,
  StreamItemSignalsResponse,
  GetProfileRequest,
  GetProfileResponse,
  ListProfilesRequest,
  ListProfilesResponse,
  ProfileServiceService,
  TrackEventsRequest,
  TrackEventsResponse,
  UpsertWebsitesRequest,
  UpsertWebsitesResponse,
} from '@recsys/contracts/profile';
import { FUNNEL_POSITIONS, LIFECYCLE_STAGES, type Vocabulary } from '@recsys/contracts/vocabularies';
import { InvalidArgumentError, type ServiceImplementation } from '@recsys/service-kit';
import type { Clock } from './clock';
import type { LifecycleThresholds } from './config';
import { validateEvents, validateUserId, validateWebsiteId, validateWebsites } from './events/validate-events';
import type { ItemSignals } from './item-signals';
import { toProfile } from './profile-mapper';
import { decodePageToken, encodePageToken } from './page-token';
import type { ProfileStore } from './store/profile-store';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** recsys.profile.v1.ProfileService: validates, scopes to the website, delegates to the store. */
export class ProfileHandler implements ServiceImplementation<typeof ProfileServiceService> {
  constructor(
    private readonly store: ProfileStore,
    private readonly clock: Clock,
    private readonly thresholds: LifecycleThresholds,
    private readonly signals: ItemSignals,
  ) {}

  async trackEvents(request: TrackEventsRequest): Promise<TrackEventsResponse> {
    const websiteId = validateWebsiteId(request.websiteId);
    const now = this.clock.now();
    const events = validateEvents(request.events, now);
    const result = await this.store.forWebsite(websiteId).track(events, now);
    if (result.earliestInteraction) this.signals.noteTracked(websiteId, result.earliestInteraction, now);
    return { acceptedCount: result.accepted, duplicateCount: result.duplicates, profilesUpdatedCount: result.profilesUpdated };
  }

  async getProfile(request: GetProfileRequest): Promise<GetProfileResponse> {
    const websiteId = validateWebsiteId(request.websiteId);
    const userId = validateUserId(request.userId);
    const row = await this.store.forWebsite(websiteId).get(userId);
    return { profile: toProfile(row, this.clock.now(), this.thresholds) };
  }

  async listProfiles(request: ListProfilesRequest): Promise<ListProfilesResponse> {
    const websiteId = validateWebsiteId(request.websiteId);
    const stages = enumFilter('lifecycle_stages', request.lifecycleStages, LIFECYCLE_STAGES);
    const funnels = enumFilter('funnel_positions', request.funnelPositions, FUNNEL_POSITIONS);
    if (request.pageSize < 0 || request.pageSize > MAX_PAGE_SIZE) {
      throw new InvalidArgumentError(`must be 0..${MAX_PAGE_SIZE} (0 = ${DEFAULT_PAGE_SIZE}), got ${request.pageSize}`, 'page_size');
    }
    const limit = request.pageSize || DEFAULT_PAGE_SIZE;
    // A token is bound to the website and the filters (as sets) it was issued for.
    const scope = JSON.stringify([websiteId, [...stages].sort(), [...funnels].sort()]);
    const after = request.pageToken ? decodePageToken(request.pageToken, scope) : undefined;
    const now = this.clock.now();
    const rows = await this.store.forWebsite(websiteId).list({ stages, funnels, after, limit: limit + 1, now });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      profiles: page.map((row) => toProfile(row, now, this.thresholds)),
      nextPageToken: rows.length > limit && last ? encodePageToken({ lastVisit: last.cursor_visit, userId: last.user_id }, scope) : '',
    };
  }

  async deleteProfile(request: DeleteProfileRequest): Promise<DeleteProfileResponse> {
    const websiteId = validateWebsiteId(request.websiteId);
    const userId = validateUserId(request.userId);
    if (request.deleteRecommendations) {
      throw new InvalidArgumentError(
        'no longer accepted: the recommendations log belongs to ranking-service; call RankingService.DeleteUserRecommendations (recsys profiles delete --with-recommendations calls both)',
        'delete_recommendations',
      );
    }
    const result = await this.store.forWebsite(websiteId).erase(userId);
    return { profileDeleted: result.profileDeleted, eventsDeleted: result.eventsDeleted, recommendationsDeleted: 0 };
  }

  getItemSignals(request: GetItemSignalsRequest): Promise<GetItemSignalsResponse> {
    return this.signals.get(request);
  }

  streamItemSignals(request: StreamItemSignalsRequest): AsyncIterable<StreamItemSignalsResponse> {
    return this.signals.stream(request);
  }

  async upsertWebsites(request: UpsertWebsitesRequest): Promise<UpsertWebsitesResponse> {
    const result = await this.store.upsertWebsites(validateWebsites(request.websites));
    return { createdCount: result.created, updatedCount: result.updated, unchangedCount: result.unchanged };
  }
}

/** Proto enum values → stored names; UNSPECIFIED or unknown numbers are INVALID_ARGUMENT. */
function enumFilter<N extends string>(field: string, values: readonly number[], vocabulary: Vocabulary<N, number>): N[] {
  return [
    ...new Set(
      values.map((value, i) => {
        const name = vocabulary.nameOf(value);
        if (!name) throw new InvalidArgumentError(`must be a known value other than UNSPECIFIED, got ${value}`, `${field}[${i}]`);
        return name;
      }),
    ),
  ];
}

import {
  Device,
  LifecycleStage,
  ProfileServiceService,
  type GetItemSignalsResponse,
  type GetProfileRequest,
  type GetProfileResponse,
  type Profile,
} from '@recsys/contracts/profile';
import { NotFoundError, registerService, startService, UnimplementedError, type ServiceImplementation, type StartedService } from '@recsys/service-kit';
import { createLogger } from '@recsys/service-kit';

/**
 * A real gRPC profile-service dependency for tests: service-kit's server
 * implementing ProfileServiceService, answering GetProfile from a map, with a
 * switchable delay. Counts calls so tests can see the cache working.
 */
export class ProfileDouble implements ServiceImplementation<typeof ProfileServiceService> {
  readonly profiles = new Map<string, Partial<Profile>>();
  delayMs = 0;
  calls = 0;

  async getProfile(req: GetProfileRequest): Promise<GetProfileResponse> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const p = this.profiles.get(req.userId);
    if (!p) throw new NotFoundError(`no profile for ${req.userId}`);
    return {
      profile: {
        websiteId: req.websiteId,
        userId: req.userId,
        lifecycleStage: LifecycleStage.LIFECYCLE_STAGE_ACTIVE,
        funnelPosition: 0,
        sessionCount: 3,
        totalPageviews: 10,
        totalEvents: 12,
        totalPurchases: 0,
        totalRevenue: '0.0000',
        favoriteCategories: [],
        favoriteProducts: [],
        preferredBrands: [],
        priceSensitivity: 0,
        devicePreference: Device.DEVICE_UNSPECIFIED,
        firstVisit: undefined,
        lastVisit: undefined,
        createdAt: undefined,
        updatedAt: undefined,
        ...p,
      } as Profile,
    };
  }
  async trackEvents(): Promise<never> {
    throw new UnimplementedError('not in the double');
  }
  async listProfiles(): Promise<never> {
    throw new UnimplementedError('not in the double');
  }
  async deleteProfile(): Promise<never> {
    throw new UnimplementedError('not in the double');
  }
  /** What GetItemSignals answers: none by default (the recommendations log alone). */
  itemSignals: GetItemSignalsResponse = { version: 'v0', unchanged: false, items: [], computedAt: undefined };
  async getItemSignals(): Promise<GetItemSignalsResponse> {
    return this.itemSignals;
  }
  /** How long StreamItemSignals takes before its first part (a slow first computation). */
  signalsDelayMs = 0;
  /** The same in parts of two items, as profile-service parts larger answers. */
  async *streamItemSignals(): AsyncIterable<GetItemSignalsResponse> {
    if (this.signalsDelayMs > 0) await new Promise((r) => setTimeout(r, this.signalsDelayMs));
    const answer = this.itemSignals;
    if (answer.items.length === 0) yield answer;
    for (let i = 0; i < answer.items.length; i += 2) yield { ...answer, items: answer.items.slice(i, i + 2) };
  }
  async upsertWebsites(): Promise<never> {
    throw new UnimplementedError('not in the double');
  }

  start(): Promise<StartedService> {
    return startService({
      name: 'profile-double',
      logger: createLogger({ name: 'profile-double', level: 'silent' }),
      config: {
        databaseUrl: 'postgres://unused',
        grpc: { host: '127.0.0.1', port: 0 },
        metrics: { host: '127.0.0.1', port: 0 },
        logLevel: 'silent',
        migrateOnStart: false,
        shutdown: { graceMs: 0, timeoutMs: 100 },
        auth: { adminTokens: [], serviceTokens: [] },
      },
      init: async () => ({ services: [registerService(ProfileServiceService, this)] }),
    });
  }
}

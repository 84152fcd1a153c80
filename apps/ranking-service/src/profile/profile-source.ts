import { credentials, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { ProfileServiceClient, type Profile, type StreamItemSignalsResponse } from '@recsys/contracts/profile';
import { DEVICES, FUNNEL_POSITIONS, LIFECYCLE_STAGES, PRICE_SENSITIVITIES } from '@recsys/contracts/vocabularies';
import type { UserInput } from '@recsys/features';
import type { Logger } from '@recsys/service-kit';
import type { BehaviourSignal } from '../catalog/website-snapshot';

/** Why a call has, or has not, a profile: drives `profile_used` and the reasons. */
export type ProfileOutcome = 'used' | 'anonymous' | 'unknown_user' | 'disabled' | 'timeout' | 'unavailable';

export interface ProfileLookup {
  outcome: ProfileOutcome;
  user?: UserInput;
}

export interface ProfileSourceOptions {
  address?: string;
  token?: string;
  deadlineMs: number;
  cacheTtlMs: number;
  maxEntries: number;
}

/** After a failure, the same user is not asked again for this long (the service is likely down). */
const FAILURE_TTL_MS = 1_000;

/**
 * Profiles from profile-service with a short deadline and a TTL cache.
 * Recommend never fails because of it: timeouts and errors resolve to "no
 * profile" with the reason. Found and not-found answers are cached for the TTL;
 * failures only briefly, so a recovered service is used again within a second.
 */
export class ProfileSource {
  private readonly client: ProfileServiceClient | undefined;
  private readonly cache = new Map<string, { expires: number; lookup: ProfileLookup }>();
  private readonly inFlight = new Map<string, Promise<ProfileLookup>>();

  constructor(
    private readonly options: ProfileSourceOptions,
    private readonly logger: Logger,
  ) {
    this.client = options.address ? new ProfileServiceClient(options.address, credentials.createInsecure()) : undefined;
    // Connect now: the first Recommend must not spend its short deadline on the TCP + HTTP/2 handshake.
    this.client?.getChannel().getConnectivityState(true);
  }

  lookup(websiteId: string, userId: string): Promise<ProfileLookup> | ProfileLookup {
    if (!userId) return { outcome: 'anonymous' };
    if (!this.client) return { outcome: 'disabled' };
    const key = `${websiteId}\u0000${userId}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.lookup;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetch(websiteId, userId).then((lookup) => {
        this.inFlight.delete(key);
        const ttl = lookup.outcome === 'used' || lookup.outcome === 'unknown_user' ? this.options.cacheTtlMs : FAILURE_TTL_MS;
        this.remember(key, lookup, ttl);
        return lookup;
      });
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private remember(key: string, lookup: ProfileLookup, ttl: number) {
    if (ttl <= 0) return;
    this.cache.delete(key);
    this.cache.set(key, { expires: Date.now() + ttl, lookup });
    // Map keeps insertion order: the first keys are the oldest.
    while (this.cache.size > this.options.maxEntries) this.cache.delete(this.cache.keys().next().value!);
  }

  /** The call's metadata: the bearer token when profile-service requires one. */
  private metadata(): Metadata {
    const md = new Metadata();
    if (this.options.token) md.set('authorization', `Bearer ${this.options.token}`);
    return md;
  }

  private fetch(websiteId: string, userId: string): Promise<ProfileLookup> {
    return new Promise<ProfileLookup>((resolve) => {
      this.client!.getProfile(
        { websiteId, userId },
        this.metadata(),
        { deadline: Date.now() + this.options.deadlineMs },
        (err: ServiceError | null, res) => {
          if (!err) return resolve(res.profile ? { outcome: 'used', user: toUserInput(res.profile) } : { outcome: 'unknown_user' });
          if (err.code === Status.NOT_FOUND) return resolve({ outcome: 'unknown_user' });
          if (err.code !== Status.DEADLINE_EXCEEDED) this.logger.warn({ code: err.code, details: err.details }, 'profile-service call failed; answering without a profile');
          resolve({ outcome: err.code === Status.DEADLINE_EXCEEDED ? 'timeout' : 'unavailable' });
        },
      );
    });
  }

  /**
   * The website's item signals from the interaction log (StreamItemSignals:
   * parts, so no message limit grows with the catalog), for the catalog
   * refresh, never for a Recommend call: 'unchanged' when `knownVersion` is
   * current, undefined when profile-service is not configured or did not
   * answer in full (logged; the caller keeps its last copy).
   */
  async itemSignals(websiteId: string, knownVersion: string): Promise<{ version: string; signals: BehaviourSignal[]; computedAt?: Date } | 'unchanged' | undefined> {
    if (!this.client) return undefined;
    const call = this.client.streamItemSignals({ websiteId, knownVersion }, this.metadata(), { deadline: Date.now() + SIGNALS_DEADLINE_MS });
    let version: string | undefined;
    let computedAt: Date | undefined;
    const signals: BehaviourSignal[] = [];
    try {
      for await (const part of call as AsyncIterable<StreamItemSignalsResponse>) {
        if (part.unchanged) return 'unchanged';
        // Parts of another computation would mix two answers: take the next refresh's instead.
        if (version !== undefined && part.version !== version) throw new Error(`parts of two versions (${version}, ${part.version})`);
        version = part.version;
        computedAt = part.computedAt;
        // An ItemSignal is a BehaviourSignal field for field.
        for (const i of part.items) signals.push(i);
      }
    } catch (err) {
      const code = (err as Partial<ServiceError>).code;
      // NOT_FOUND: profile-service does not know the website (yet): nothing to combine.
      if (code === Status.NOT_FOUND) return { version: '', signals: [] };
      this.logger.warn({ code, details: (err as Partial<ServiceError>).details ?? (err as Error).message, websiteId }, 'item signals unavailable; serving the last copy');
      return undefined;
    } finally {
      call.cancel();
    }
    return version === undefined ? undefined : { version, signals, computedAt };
  }

  close(): void {
    this.client?.close();
  }
}

/** A background call: generous, but bounded so a hung profile-service cannot stall a refresh. */
const SIGNALS_DEADLINE_MS = 60_000;

/** The profile message as feature inputs (enums outside the contract's values count as unknown). */
export function toUserInput(p: Profile): UserInput {
  const revenue = Number(p.totalRevenue);
  return {
    sessionCount: p.sessionCount,
    totalPageviews: p.totalPageviews,
    totalEvents: p.totalEvents,
    totalPurchases: p.totalPurchases,
    totalRevenue: Number.isFinite(revenue) ? revenue : undefined,
    avgSessionDurationSeconds: p.avgSessionDurationSeconds,
    avgTimeOnPageSeconds: p.avgTimeOnPageSeconds,
    avgScrollDepthPercent: p.avgScrollDepthPercent,
    bounceRate: p.bounceRate,
    lifecycleStage: LIFECYCLE_STAGES.nameOf(p.lifecycleStage),
    funnelPosition: FUNNEL_POSITIONS.nameOf(p.funnelPosition),
    priceSensitivity: PRICE_SENSITIVITIES.nameOf(p.priceSensitivity),
    devicePreference: DEVICES.nameOf(p.devicePreference),
    favoriteCategories: p.favoriteCategories,
    favoriteProducts: p.favoriteProducts,
    preferredBrands: p.preferredBrands,
    firstVisit: p.firstVisit,
    lastVisit: p.lastVisit,
  };
}

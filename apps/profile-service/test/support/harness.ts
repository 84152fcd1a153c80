import { credentials, Metadata } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import {
  Event,
  EventType,
  ProfileServiceClient,
  type ListProfilesRequest,
  type Profile,
  type TrackEventsResponse,
} from '@recsys/contracts/profile';
import { withClient } from '@recsys/db';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { unary } from '@recsys/service-kit/testing';
import { bootstrap, type ProfileService } from '../../src/bootstrap';
import { loadServiceConfig } from '../../src/config';

export const DAY = 86_400_000;

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public current: Date) {}
  now = () => new Date(this.current.getTime());
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface Harness {
  db: TestDatabase;
  service: ProfileService;
  client: ProfileServiceClient;
  clock: ManualClock;
  newWebsite(): Promise<string>;
  track(websiteId: string, events: Event[], metadata?: Metadata): Promise<TrackEventsResponse>;
  get(websiteId: string, userId: string): Promise<Profile>;
  list(request: Partial<ListProfilesRequest> & { websiteId: string }): Promise<{ profiles: Profile[]; nextPageToken: string }>;
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** A real profile-service on port 0 over a fresh database, with a manual clock. */
export async function startHarness(env: Record<string, string> = {}, start = new Date('2026-11-25T12:00:00Z')): Promise<Harness> {
  const db = await createTestDatabase();
  const clock = new ManualClock(start);
  const service = await bootstrap(
    loadServiceConfig({
      DATABASE_URL: db.url,
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
      LIFECYCLE_REFRESH_INTERVAL_MS: '0',
      DERIVED_SETTLE_INTERVAL_MS: '0',
      PRICE_REFERENCE_TTL_MS: '0',
      ...env,
    }),
    { clock },
  );
  const client = new ProfileServiceClient(`127.0.0.1:${service.port}`, credentials.createInsecure());
  const sql = <R>(text: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(text, params)).rows as R[]);
  return {
    db,
    service,
    client,
    clock,
    sql,
    async newWebsite() {
      const id = randomUUID();
      await sql('INSERT INTO website (website_id, name) VALUES ($1, $2)', [id, `site ${id.slice(0, 8)}`]);
      return id;
    },
    track: (websiteId, events, metadata = new Metadata()) =>
      new Promise((resolve, reject) =>
        client.trackEvents({ websiteId, events }, metadata, (err, res) => (err ? reject(err) : resolve(res))),
      ),
    get: async (websiteId, userId) => (await unary(client.getProfile.bind(client), { websiteId, userId })).profile!,
    list: (request) =>
      unary(client.listProfiles.bind(client), { lifecycleStages: [], funnelPositions: [], pageSize: 0, pageToken: '', ...request }),
    async close() {
      client.close();
      await service.close();
      await db.drop();
    },
  };
}

let counter = 0;

/** An event with every optional field empty; override what the test is about. */
export function event(partial: Partial<Event> & { userId: string; sessionId: string; occurredAt: Date; type: EventType }): Event {
  return Event.fromPartial({
    eventId: `ev-${++counter}-${randomUUID()}`,
    name: partial.type === EventType.EVENT_TYPE_CUSTOM ? 'signup' : '',
    urlPath: partial.type === EventType.EVENT_TYPE_PAGE_VIEW ? '/' : '',
    ...partial,
  });
}

/** `minutes` after `base`. */
export const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * 60_000);

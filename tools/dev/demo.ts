// The demo `npm start` loads into an empty database, through the services'
// own RPCs (the same path a real integration takes): a website, a catalog,
// synthetic traffic, and a ranking model, so Recommend has something to show.
import { createHash } from 'node:crypto';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { Client } from 'pg';
import { buildLinearModel } from '@recsys/onnx';
import { Device, EventType, ProfileServiceClient, TrackEventsRequest, type Event } from '@recsys/contracts/profile';
import { ModelRegistryClient, ModelUploadHeader, UploadModelRequest, type UploadModelResponse } from '@recsys/contracts/registry';
import { RankingServiceClient, UpsertItemsRequest, type Item } from '@recsys/contracts/ranking';
import { unary } from '@recsys/service-kit/testing';

export const DEMO_WEBSITE_ID = '00000000-0000-4000-8000-00000000de70';
const CATEGORIES = ['shoes', 'bags', 'jackets', 'watches', 'books', 'games', 'kitchen', 'garden'];
const BRANDS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark'];

/** A deterministic generator, so every fresh demo looks the same. */
function random(seed: number) {
  return () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export interface DemoAddresses {
  profile: string;
  registry: string;
  ranking: string;
}

/**
 * Loads the demo into a database that has no website yet (or any database with
 * `evenWithWebsites`), unless it is there already. Reads the database only to
 * decide; everything it writes goes through the services' RPCs.
 */
export async function loadDemoIfEmpty(
  databaseUrl: string,
  addr: DemoAddresses,
  say: (line: string) => void,
  options: { evenWithWebsites: boolean },
): Promise<'loaded' | 'present' | 'has-websites'> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ demo: boolean; others: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM website WHERE website_id = $1) AS demo, EXISTS (SELECT 1 FROM website WHERE website_id <> $1) AS others',
      [DEMO_WEBSITE_ID],
    );
    if (rows[0].demo) return 'present';
    if (rows[0].others && !options.evenWithWebsites) return 'has-websites';
  } finally {
    await pg.end();
  }
  const rnd = random(42);
  const profiles = new ProfileServiceClient(addr.profile, credentials.createInsecure());
  const ranking = new RankingServiceClient(addr.ranking, credentials.createInsecure());
  const registry = new ModelRegistryClient(addr.registry, credentials.createInsecure());
  try {
    const items: Partial<Item>[] = Array.from({ length: 200 }, (_, i) => ({
      itemId: `sku-${String(i + 1).padStart(3, '0')}`,
      title: `Demo item ${i + 1}`,
      category: CATEGORIES[i % CATEGORIES.length],
      brand: BRANDS[Math.floor(rnd() * BRANDS.length)],
      price: (5 + Math.round(rnd() * 19500) / 100).toFixed(2),
    }));
    await unary(profiles.upsertWebsites.bind(profiles), { websites: [{ websiteId: DEMO_WEBSITE_ID, name: 'Recsys demo shop', domain: 'demo.recsys.local' }] });
    await unary(ranking.upsertItems.bind(ranking), UpsertItemsRequest.fromPartial({ websiteId: DEMO_WEBSITE_ID, items }));
    say(`demo: ${items.length} catalog items`);

    // 300 visitors, each with a favourite category they mostly browse; some buy.
    const events: Partial<Event>[] = [];
    const now = Date.now();
    for (let u = 0; u < 300; u++) {
      const favourite = CATEGORIES[u % CATEGORIES.length];
      const session = `00000000-0000-4000-8000-${String(u).padStart(12, '0')}`;
      const start = now - Math.floor(rnd() * 20 * 86_400_000);
      const views = 2 + Math.floor(rnd() * 8);
      for (let v = 0; v < views; v++) {
        const pool = rnd() < 0.8 ? items.filter((it) => it.category === favourite) : items;
        const item = pool[Math.floor(rnd() * pool.length)];
        const type = v === views - 1 && rnd() < 0.2 ? EventType.EVENT_TYPE_PURCHASE : EventType.EVENT_TYPE_PRODUCT_VIEW;
        events.push({
          eventId: `demo-${u}-${v}`,
          userId: `visitor-${u}`,
          sessionId: session,
          occurredAt: new Date(start + v * 45_000),
          type,
          urlPath: `/product/${item.itemId}`,
          device: [Device.DEVICE_MOBILE, Device.DEVICE_DESKTOP, Device.DEVICE_TABLET][u % 3],
          itemId: item.itemId,
          category: item.category,
          brand: item.brand,
          price: item.price,
          revenue: type === EventType.EVENT_TYPE_PURCHASE ? item.price : '',
          orderId: type === EventType.EVENT_TYPE_PURCHASE ? `order-${u}` : '',
        });
      }
    }
    for (let i = 0; i < events.length; i += 1000) {
      await unary(profiles.trackEvents.bind(profiles), TrackEventsRequest.fromPartial({ websiteId: DEMO_WEBSITE_ID, events: events.slice(i, i + 1000) }));
    }
    say(`demo: ${events.length} events from 300 visitors`);

    // Not trained: the weights are set by hand (favourite category, co-visitation,
    // trend, price fit, what visitors did with the item), and the registry row says so.
    const featureNames = ['match.category_favorite', 'match.co_visitation', 'item.trending', 'item.ctr_30d', 'match.price_fits_sensitivity', 'item.behaviour_popularity'];
    const bytes = buildLinearModel({ weights: [2, 1.5, 0.8, 10, 0.5, 1], bias: -2, featureNames, sigmoid: true });
    const model = await uploadModel(registry, {
      name: 'default',
      version: 'demo-1',
      modelType: 'demo',
      algorithm: 'hand-weighted logistic (not trained)',
      description: 'Demo model loaded by npm start: hand-set weights, for trying Recommend',
      featureNames,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sizeBytes: bytes.length,
    }, bytes);
    await unary(registry.activateModel.bind(registry), { name: 'default', version: 'demo-1' });
    say(`demo: model default@demo-1 (${model.model?.artifactSizeBytes} bytes) uploaded and activated`);
    return 'loaded';
  } finally {
    for (const c of [profiles, ranking, registry]) c.close();
  }
}

function uploadModel(client: ModelRegistryClient, header: Partial<ModelUploadHeader>, bytes: Uint8Array): Promise<UploadModelResponse> {
  return new Promise((resolve, reject) => {
    const call = client.uploadModel(new Metadata(), (err: ServiceError | null, res?: UploadModelResponse) => (err ? reject(err) : resolve(res!)));
    call.write(UploadModelRequest.fromPartial({ payload: { $case: 'header', value: ModelUploadHeader.fromPartial(header) } }));
    call.write(UploadModelRequest.fromPartial({ payload: { $case: 'chunk', value: Buffer.from(bytes) } }));
    call.end();
  });
}

// The product as a deployment runs it: three service processes wired by
// address, real PostgreSQL. Behaviour in → catalog in → fallback answers →
// model uploaded and activated → ranking hot-loads it → model answers →
// outcome recorded → online metrics count it.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { Client } from 'pg';
import { buildLinearModel } from '@recsys/onnx';
import { Device, EventType, ProfileServiceClient, TrackEventsRequest, type TrackEventsResponse } from '@recsys/contracts/profile';
import { ModelRegistryClient, ModelUploadHeader, UploadModelRequest, type UploadModelResponse } from '@recsys/contracts/registry';
import {
  GetOnlineMetricsRequest,
  Outcome,
  RankingServiceClient,
  RecommendRequest,
  RecordOutcomeRequest,
  UpsertItemsRequest,
  type GetOnlineMetricsResponse,
  type RecommendResponse,
} from '@recsys/contracts/ranking';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { spawnService, unary, waitForServing, type ServiceProcess } from '@recsys/service-kit/testing';

const root = resolve(__dirname, '../..');
const WEBSITE = randomUUID();

async function startService(name: string, env: Record<string, string>, procs: ServiceProcess[]): Promise<string> {
  const { proc, address } = await spawnService(join(root, 'apps', name, 'src/main.ts'), name, env);
  procs.push(proc);
  await waitForServing(address, 10_000);
  return address;
}

function upload(client: ModelRegistryClient, header: Partial<ModelUploadHeader>, bytes: Uint8Array): Promise<UploadModelResponse> {
  return new Promise((resolve, reject) => {
    const call = client.uploadModel(new Metadata(), (err: ServiceError | null, res?: UploadModelResponse) => (err ? reject(err) : resolve(res!)));
    call.write(UploadModelRequest.fromPartial({ payload: { $case: 'header', value: ModelUploadHeader.fromPartial(header) } }));
    for (let offset = 0; offset < bytes.length; offset += 1024) {
      call.write(UploadModelRequest.fromPartial({ payload: { $case: 'chunk', value: Buffer.from(bytes.subarray(offset, offset + 1024)) } }));
    }
    call.end();
  });
}

describe('the product, end to end', () => {
  let db: TestDatabase;
  let dirs: string[] = [];
  const procs: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    await pg.query(`INSERT INTO website (website_id, name, domain) VALUES ($1, 'Demo shop', 'shop.example')`, [WEBSITE]);
    await pg.end();
    dirs = [mkdtempSync(join(tmpdir(), 'recsys-artifacts-')), mkdtempSync(join(tmpdir(), 'recsys-model-cache-'))];
  });

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db?.drop();
  });

  it('learns a profile, serves a fallback, hot-loads an activated model, and counts outcomes', async () => {
    const profileAddr = await startService('profile-service', { DATABASE_URL: db.url }, procs);
    const registryAddr = await startService('registry-service', { DATABASE_URL: db.url, ARTIFACT_DIR: dirs[0] }, procs);
    // A generous profile deadline: this machine runs the whole suite at once; ranking's own tests cover timeouts.
    const rankingAddr = await startService(
      'ranking-service',
      { DATABASE_URL: db.url, PROFILE_SERVICE_ADDR: profileAddr, REGISTRY_ADDR: registryAddr, MODEL_CACHE_DIR: dirs[1], LOG_FLUSH_INTERVAL_MS: '50', PROFILE_DEADLINE_MS: '2000' },
      procs,
    );
    const profiles = new ProfileServiceClient(profileAddr, credentials.createInsecure());
    const registry = new ModelRegistryClient(registryAddr, credentials.createInsecure());
    const ranking = new RankingServiceClient(rankingAddr, credentials.createInsecure());

    // Behaviour and catalog.
    const session = randomUUID();
    const tracked = await unary<TrackEventsRequest, TrackEventsResponse>(profiles.trackEvents.bind(profiles), TrackEventsRequest.fromPartial({
      websiteId: WEBSITE,
      events: [1, 2, 3].map((i) => ({
        eventId: `e${i}`,
        userId: 'alice',
        sessionId: session,
        occurredAt: new Date(Date.now() - (10 - i) * 60_000),
        type: EventType.EVENT_TYPE_PRODUCT_VIEW,
        urlPath: `/p/${i}`,
        device: Device.DEVICE_MOBILE,
        itemId: `sku-${i}`,
        category: 'shoes',
        price: '50.00',
      })),
    }));
    expect(tracked.acceptedCount).toBe(3);
    const prices = [12, 80, 45, 99, 5, 60];
    await unary(ranking.upsertItems.bind(ranking), UpsertItemsRequest.fromPartial({
      websiteId: WEBSITE,
      items: prices.map((p, i) => ({ itemId: `sku-${i + 1}`, category: i % 2 ? 'shoes' : 'bags', price: p.toFixed(2), title: `Item ${i + 1}` })),
    }));

    const recommend = () =>
      unary<RecommendRequest, RecommendResponse>(ranking.recommend.bind(ranking), RecommendRequest.fromPartial({
        websiteId: WEBSITE,
        userId: 'alice',
        sessionId: session,
        count: 3,
        candidates: prices.map((_, i) => ({ itemId: `sku-${i + 1}` })),
        maxItemsPerCategory: 3,
      }));

    // No model yet: a heuristic answer that says so.
    const before = await recommend();
    expect(before.fallback).toBe(true);
    expect(before.items).toHaveLength(3);

    // A model whose ranking is known: score = 0.01 × price.
    const bytes = buildLinearModel({ weights: [0.01], bias: 0, featureNames: ['item.price'] });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const uploaded = await upload(registry, { name: 'default', version: 'v1', sha256, sizeBytes: bytes.length, featureNames: ['item.price'] }, bytes);
    expect(uploaded.model?.artifactSha256).toBe(sha256);
    await unary(registry.activateModel.bind(registry), { name: 'default', version: 'v1' });

    // Ranking hears of the activation, downloads, verifies, loads, swaps.
    let answer = before;
    for (let i = 0; i < 200 && answer.fallback; i++) {
      await new Promise((r) => setTimeout(r, 50));
      answer = await recommend();
    }
    expect(answer.fallback).toBe(false);
    expect(answer.model).toMatchObject({ name: 'default', version: 'v1' });
    expect(answer.items.map((i) => i.itemId)).toEqual(['sku-4', 'sku-2', 'sku-6']);
    expect(answer.items[0].score).toBeCloseTo(0.99, 5);
    expect(answer.profileUsed).toBe(true);

    // The loop closes: a click on what was shown, counted by model version.
    await unary(ranking.recordOutcome.bind(ranking), RecordOutcomeRequest.fromPartial({
      target: { $case: 'recommendationId', value: answer.recommendationId },
      itemId: 'sku-4',
      outcome: Outcome.OUTCOME_CLICK,
    }));
    const readMetrics = () =>
      unary<GetOnlineMetricsRequest, GetOnlineMetricsResponse>(ranking.getOnlineMetrics.bind(ranking), GetOnlineMetricsRequest.fromPartial({ websiteId: WEBSITE }));
    let metrics = await readMetrics();
    for (let i = 0; i < 100 && (metrics.total?.clicks ?? 0) < 1; i++) {
      await new Promise((r) => setTimeout(r, 50));
      metrics = await readMetrics();
    }
    expect(metrics.total).toMatchObject({ clicks: 1 });
    expect(metrics.total!.shown).toBeGreaterThanOrEqual(6);

    for (const c of [profiles, registry, ranking]) c.close();
    for (const p of procs) p.child.kill('SIGTERM');
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0, 0]);
  }, 120_000);
});

// `npm run eval [-- --file interactions.csv]`: replays interaction history
// through Recsys's public API and scores Recommend against what each user did
// later. A throw-away database; profile-service and ranking-service as their
// own processes (no model: the behaviour-driven heuristic); the website and its
// items through UpsertWebsites / UpsertItems, the history through TrackEvents
// with its own timestamps (shifted so the last one is yesterday). Then, for each
// user with history and later items they had not touched before, Recommend
// (generated candidates, their earlier items excluded, dry_run) is scored by
// NDCG@k, recall@k, MAP@k, HR@k and MRR@k (@recsys/metrics) against those later items — once with
// the user alone, once also sending their 10 latest items as recent_item_ids —
// next to two baselines computed here from the same history: the most popular
// items, and item-to-item co-occurrence (item-kNN).
// Without --file, a synthetic shop of known structure (interactions.ts). With --train, also
// Recommend ranked by the model `recsys train --activate` makes from the history (registry-service started too).
// Env: EVAL_USERS (2000, synthetic), EVAL_GROUPS (20), EVAL_GROUP_ITEMS (50), EVAL_IN_GROUP (0.8), EVAL_DRIFT (0: each later session moves a user's home group with this probability), EVAL_TEST_USERS (400 scored at most), EVAL_K (10), EVAL_SEED (7), BENCH_DATABASE_URL.
import { credentials, Metadata } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Event, EventType, ProfileServiceClient } from '@recsys/contracts/profile';
import { untilSignalsServed } from '@recsys/simulator';
import { ItemType, RankingServiceClient, RecommendRequest, UpsertItemsRequest, type RecommendResponse } from '@recsys/contracts/ranking';
import { averagePrecisionAtK, hitRateAtK, mean, ndcgAtK, recallAtK, reciprocalRankAtK } from '@recsys/metrics';
import { unary } from '@recsys/service-kit/testing';
import { envNumber, out, withBenchDatabase } from '../bench/bench-kit';
import { runCli, startApp, type StartedProcess } from '../bench/bench-processes';
import { parseInteractions, syntheticShop, timeSplit, type Interaction } from './interactions';

const K = envNumber('EVAL_K', 10);
/** `--train`: also score Recommend with the model `recsys train` makes from the same history. */
const TRAIN = process.argv.includes('--train');
const TEST_USERS = envNumber('EVAL_TEST_USERS', 400);
const SESSION_GAP_MS = 30 * 60_000;
const KIND = { product_view: EventType.EVENT_TYPE_PRODUCT_VIEW, add_to_cart: EventType.EVENT_TYPE_ADD_TO_CART, purchase: EventType.EVENT_TYPE_PURCHASE };

async function load(): Promise<{ name: string; data: Interaction[] }> {
  const at = process.argv.indexOf('--file');
  if (at > 0) {
    const file = process.argv[at + 1]!;
    return { name: file, data: parseInteractions(await readFile(file, 'utf8')) };
  }
  const users = envNumber('EVAL_USERS', 2000);
  const clusters = envNumber('EVAL_GROUPS', 20);
  const perCluster = envNumber('EVAL_GROUP_ITEMS', 50);
  const inGroup = envNumber('EVAL_IN_GROUP', 0.8);
  return {
    name: `synthetic shop (${users} users, ${clusters} groups of ${perCluster} items, ${Math.round(inGroup * 100)} % in the home group${envNumber("EVAL_DRIFT", 0) > 0 ? `, drift ${envNumber("EVAL_DRIFT", 0)}` : ""})`,
    data: syntheticShop({ users, clusters, perCluster, inGroup, drift: envNumber('EVAL_DRIFT', 0), seed: envNumber('EVAL_SEED', 7) }),
  };
}

/** TrackEvents batches of the history: sessions split at 30 minutes of quiet. */
function events(history: readonly Interaction[]): Event[] {
  const last = new Map<string, { at: number; session: string }>();
  return history.map((x, n) => {
    const prev = last.get(x.userId);
    const session = prev && x.at.getTime() - prev.at <= SESSION_GAP_MS ? prev.session : randomUUID();
    last.set(x.userId, { at: x.at.getTime(), session });
    const purchase = x.kind === 'purchase';
    return Event.fromPartial({ eventId: `eval-${n}`, userId: x.userId, sessionId: session, occurredAt: x.at, type: KIND[x.kind], itemId: x.itemId, ...(purchase ? { revenue: '1', orderId: `o-${n}` } : {}) });
  });
}

/** The baselines: most popular, and co-occurrence in users' histories (item-kNN), each without the user's own items. */
function baselines(history: readonly Interaction[], seen: ReadonlyMap<string, ReadonlySet<string>>) {
  const count = new Map<string, number>();
  for (const x of history) count.set(x.itemId, (count.get(x.itemId) ?? 0) + 1);
  const popular = [...count].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
  const cooc = new Map<string, Map<string, number>>();
  for (const items of seen.values()) {
    for (const a of items) for (const b of items) if (a !== b) {
      const m = cooc.get(a) ?? cooc.set(a, new Map()).get(a)!;
      m.set(b, (m.get(b) ?? 0) + 1);
    }
  }
  return {
    popular: (user: string) => popular.filter((id) => !seen.get(user)!.has(id)).slice(0, K),
    itemKnn: (user: string) => {
      const score = new Map<string, number>();
      for (const a of seen.get(user)!) for (const [b, c] of cooc.get(a) ?? []) if (!seen.get(user)!.has(b)) score.set(b, (score.get(b) ?? 0) + c);
      const ranked = [...score].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([id]) => id);
      return [...ranked, ...popular.filter((id) => !seen.get(user)!.has(id) && !score.has(id))].slice(0, K);
    },
  };
}

async function run(url: string) {
  const { name, data } = await load();
  // Shift the whole history so its last interaction is yesterday.
  const shift = Date.now() - 86_400_000 - data.reduce((max, x) => Math.max(max, x.at.getTime()), 0);
  const shifted = data.map((x) => ({ ...x, at: new Date(x.at.getTime() + shift) }));
  const { history, seen, later } = timeSplit(shifted);
  const users = [...later.keys()].sort().slice(0, TEST_USERS);
  out(`offline evaluation: ${name}; ${shifted.length} interactions, ${history.length} in the history, ${users.length} users scored on what they did later (NDCG@${K}, recall@${K})`);

  let profile: StartedProcess | undefined;
  let ranking: StartedProcess | undefined;
  let registry: StartedProcess | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'recsys-eval-'));
  try {
    // ITEM_SIGNAL* settings of this shell reach profile-service, to compare them.
    const signalSettings = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k.startsWith('ITEM_SIGNAL') && v !== undefined)) as Record<string, string>;
    profile = await startApp('profile-service', { DATABASE_URL: url, ITEM_SIGNALS_TTL_MS: '500', ...signalSettings });
    if (TRAIN) registry = await startApp('registry-service', { DATABASE_URL: url, ARTIFACT_DIR: join(dir, 'artifacts') });
    ranking = await startApp('ranking-service', {
      DATABASE_URL: url,
      PROFILE_SERVICE_ADDR: profile.address,
      CATALOG_REFRESH_INTERVAL_MS: '1000',
      ...(registry ? { REGISTRY_ADDR: registry.address, MODEL_CACHE_DIR: join(dir, 'models') } : {}),
    });
    const profiles = new ProfileServiceClient(profile.address, credentials.createInsecure(), { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 });
    const rankingClient = new RankingServiceClient(ranking.address, credentials.createInsecure());
    const website = randomUUID();
    await unary(profiles.upsertWebsites.bind(profiles), { websites: [{ websiteId: website, name: 'evaluation', domain: '' }] });
    const items = [...new Set(shifted.map((x) => x.itemId))];
    for (let i = 0; i < items.length; i += 1000) {
      const batch = items.slice(i, i + 1000).map((itemId) => ({ itemId, itemType: ItemType.ITEM_TYPE_PRODUCT, title: itemId }));
      await unary(rankingClient.upsertItems.bind(rankingClient), UpsertItemsRequest.fromPartial({ websiteId: website, items: batch }));
    }
    const all = events(history);
    for (let i = 0; i < all.length; i += 1000) await unary(profiles.trackEvents.bind(profiles), { websiteId: website, events: all.slice(i, i + 1000) });
    if (!(await untilSignalsServed(rankingClient, website, new Date(), new Metadata()))) {
      throw new Error(`ranking did not serve the loaded history's signals within 120 s`);
    }

    const recent = new Map<string, string[]>();
    for (const x of history) recent.set(x.userId, [x.itemId, ...(recent.get(x.userId) ?? []).filter((id) => id !== x.itemId)].slice(0, 10));
    const recommend = async (user: string, withRecent: boolean) => {
      const res = await unary<RecommendRequest, RecommendResponse>(
        rankingClient.recommend.bind(rankingClient),
        RecommendRequest.fromPartial({
          websiteId: website,
          userId: user,
          sessionId: randomUUID(),
          count: K,
          excludeItemIds: [...seen.get(user)!].slice(0, 1000),
          dryRun: true,
          ...(withRecent ? { context: { recentItemIds: recent.get(user) ?? [] } } : {}),
        }),
      );
      return res.items.map((i) => i.itemId);
    };
    const base = baselines(history, seen);
    const rows: [string, (user: string) => Promise<string[]> | string[]][] = [
      ['Recsys Recommend, the user alone (no model)', (u) => recommend(u, false)],
      ['Recsys Recommend, with the 10 latest items as recent_item_ids', (u) => recommend(u, true)],
      ['baseline: most popular in the history', base.popular],
      ['baseline: item-kNN (co-occurrence in users\' histories)', base.itemKnn],
    ];
    out();
    out(`| ranking | NDCG@${K} | recall@${K} | MAP@${K} | HR@${K} | MRR@${K} |`);
    out('|---|---|---|---|---|---|');
    const metrics = [ndcgAtK, recallAtK, averagePrecisionAtK, hitRateAtK, reciprocalRankAtK];
    const score = async (label: string, rank: (user: string) => Promise<string[]> | string[]) => {
      const values: (number | undefined)[][] = metrics.map(() => []);
      for (const u of users) {
        const ranked = await rank(u);
        metrics.forEach((metric, m) => values[m]!.push(metric(ranked, later.get(u)!, K)));
      }
      out(`| ${label} | ${values.map((v) => (mean(v) ?? 0).toFixed(4)).join(' | ')} |`);
    };
    for (const [label, rank] of rows) await score(label, rank);
    if (registry) {
      // The model recsys train makes from the same history, activated; scored once ranking serves with it.
      const trained = await runCli({ RECSYS_REGISTRY_ADDR: registry.address, DATABASE_URL: url }, ['train', '--website', website, '--version', 'eval', '--activate', '--json']);
      const report = JSON.parse(trained.output.trim().split('\n').pop()!) as { trees: number; trainSessions: number; ndcg: { model: number; heuristic: number } };
      const served = async () => {
        const res = await unary<RecommendRequest, RecommendResponse>(
          rankingClient.recommend.bind(rankingClient),
          RecommendRequest.fromPartial({ websiteId: website, userId: users[0]!, sessionId: randomUUID(), count: 1, dryRun: true }),
        );
        return res.strategy === 'model';
      };
      for (const deadline = Date.now() + 60_000; !(await served()); ) {
        if (Date.now() > deadline) throw new Error('ranking did not serve the trained model within 60 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      await score(`Recsys Recommend, the user alone, model by recsys train (${trained.seconds.toFixed(0)} s to train)`, (u) => recommend(u, false));
      out();
      out(
        `recsys train: ${report.trees} trees from ${report.trainSessions} training groups; on its own validation groups NDCG@${K} ` +
          `${report.ndcg.model.toFixed(4)} against the heuristic's ${report.ndcg.heuristic.toFixed(4)}`,
      );
    }
    profiles.close();
    rankingClient.close();
  } finally {
    await ranking?.stop();
    await registry?.stop();
    await profile?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

withBenchDatabase('recsys_eval', run).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`eval failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

// The demo `npm start` loads into an empty database, through the services'
// own RPCs and the CLI (the same paths a real shop takes): a simulated shop's
// month of traffic (@recsys/simulator), live visits ranked by the behaviour
// heuristic, a model trained from that traffic by `recsys train` and
// activated, and the same shop's visitors ranked by it: a before and after.
import { randomUUID } from 'node:crypto';
import { credentials, Metadata } from '@grpc/grpc-js';
import { Client } from 'pg';
import { ProfileServiceClient } from '@recsys/contracts/profile';
import { RankingServiceClient, RecommendRequest, type RecommendResponse } from '@recsys/contracts/ranking';
import { unary } from '@recsys/service-kit/testing';
import { simulate } from '@recsys/simulator';
import { runCli } from '../bench/bench-processes';

export const DEMO_WEBSITE_ID = '00000000-0000-4000-8000-00000000de70';
/** The simulated shop's seed: every fresh demo has the same catalog and visitors. */
export const DEMO_SEED = 42;
/** The version `recsys train` uploads the demo's model as. */
export const DEMO_MODEL_VERSION = 'demo-trained';
/** Live visits before and after training. */
const LIVE_VISITS = 150;

export interface DemoAddresses {
  profile: string;
  registry: string;
  ranking: string;
}

/**
 * Loads the demo into a database that has no website yet (or any database with
 * `evenWithWebsites`), unless it is there already. Reads the database only to
 * decide; everything it writes goes through the services' RPCs and the CLI.
 */
export async function loadDemoIfEmpty(
  databaseUrl: string,
  addr: DemoAddresses,
  say: (line: string) => void,
  options: {
    evenWithWebsites: boolean;
    /** Called once ranking serves the history's signals, before any recommendation was shown or clicked. */
    onHistoryServed?: () => Promise<void>;
  },
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
  const clients = {
    profile: new ProfileServiceClient(addr.profile, credentials.createInsecure()),
    ranking: new RankingServiceClient(addr.ranking, credentials.createInsecure()),
    metadata: new Metadata(),
  };
  try {
    // A month of a simulated shop's traffic, then live visits ranked by the behaviour heuristic.
    const shop = { websiteId: DEMO_WEBSITE_ID, seed: DEMO_SEED, items: 200, users: 300, shown: 5 };
    const history = await simulate(clients, { ...shop, historyDays: 30, liveSessions: 0 });
    say(`demo: a simulated shop (${shop.items} items, ${shop.users} visitors): ${history.historyEvents} events over 30 days`);
    await options.onHistoryServed?.();
    const before = await simulate(clients, { ...shop, historyDays: 0, liveSessions: LIVE_VISITS, run: 1 });
    say(`demo: ${LIVE_VISITS} live visits ranked by the behaviour heuristic: CTR ${before.ctr.toFixed(3)}`);

    // Trained from that traffic by the CLI, as a shop owner would, and activated.
    const trained = await runCli({ DATABASE_URL: databaseUrl, RECSYS_REGISTRY_ADDR: addr.registry }, ['train', '--website', DEMO_WEBSITE_ID, '--version', DEMO_MODEL_VERSION, '--activate', '--json']);
    const report = JSON.parse(trained.output.trim().split('\n').pop()!) as TrainReport;
    say(
      `demo: trained default@${DEMO_MODEL_VERSION} (${report.trees} trees) in ${trained.seconds.toFixed(0)} s; ` +
        `validation NDCG@10: trained ${report.ndcg.model.toFixed(3)}, heuristic ${report.ndcg.heuristic.toFixed(3)}, popularity ${report.ndcg.popularity.toFixed(3)}`,
    );
    await untilModelServes(clients.ranking);

    // The same shop's visitors again, now ranked by the trained model.
    const after = await simulate(clients, { ...shop, historyDays: 0, liveSessions: LIVE_VISITS, run: 2 });
    say(`demo: ${LIVE_VISITS} live visits ranked by the trained model: CTR ${after.ctr.toFixed(3)} (heuristic before: ${before.ctr.toFixed(3)})`);
    return 'loaded';
  } finally {
    clients.profile.close();
    clients.ranking.close();
  }
}

/** The line `recsys train --json` ends with (the fields the demo prints). */
interface TrainReport {
  trees: number;
  ndcg: { model: number; heuristic: number; popularity: number };
}

/** Until Recommend ranks with the trained version (the registry's watch reaches ranking within seconds). */
async function untilModelServes(ranking: RankingServiceClient): Promise<void> {
  for (const deadline = Date.now() + 60_000; ; ) {
    const res = await unary<RecommendRequest, RecommendResponse>(
      ranking.recommend.bind(ranking),
      RecommendRequest.fromPartial({ websiteId: DEMO_WEBSITE_ID, sessionId: randomUUID(), count: 1, dryRun: true }),
    );
    if (res.model?.version === DEMO_MODEL_VERSION) return;
    if (Date.now() > deadline) throw new Error(`ranking-service does not serve default@${DEMO_MODEL_VERSION} after 60 s (strategy ${res.strategy})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

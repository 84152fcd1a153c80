// What `bench:ranking` and `bench:ranking:ab` share: the seeded website (catalog and
// logged behaviour), the benchmark model served by a registry-service process
// (uploaded and activated with the CLI), the requests, and starting a
// ranking-service process from a checkout.
import { credentials } from '@grpc/grpc-js';
import { Device, PageType, RankingServiceClient, RecommendRequest, type RecommendResponse } from '@recsys/contracts/ranking';
import { findFreePort, withClient } from '@recsys/db';
import { FEATURES } from '@recsys/features';
import { buildMlpModel, buildTreeEnsembleModel, randomTreeEnsemble, seededRandom } from '@recsys/onnx';
import { DEFAULT_LAMBDAMART, TRAINED_FEATURES } from '@recsys/training';
import { spawnNode, unary, waitForServing, type ServiceProcess } from '@recsys/service-kit/testing';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appNodeFlags } from '../build/app-node-flags';
import { envNumber } from './bench-kit';
import { startRegistryServing, type StartedProcess } from './bench-processes';

export const ITEMS = envNumber('BENCH_ITEMS', 5000);
export const LOG_ROWS = envNumber('BENCH_LOG_ROWS', 200_000);

/**
 * The served model, by BENCH_MODEL: `mlp` (the default), an MLP over every
 * fixed vocabulary feature plus one caller feature; or `trees`, the largest
 * model `recsys train` makes by default (DEFAULT_LAMBDAMART's trees at its
 * depth, every one full, over TRAINED_FEATURES), random splits: scoring
 * walks one path per tree whatever the thresholds.
 */
export function benchModel(): { featureNames: string[]; bytes: Uint8Array; describe: string } {
  if ((process.env.BENCH_MODEL ?? 'mlp') === 'trees') {
    const featureNames = [...TRAINED_FEATURES];
    const { trees, maxDepth } = DEFAULT_LAMBDAMART;
    const bytes = buildTreeEnsembleModel({ featureNames, trees: randomTreeEnsemble({ trees, depth: maxDepth, features: featureNames.length, seed: 7 }) });
    return { featureNames, bytes, describe: `trees ${trees} × depth ${maxDepth} over ${featureNames.length} features (recsys train's largest default)` };
  }
  const featureNames = [...FEATURES.map((f) => f.name), 'candidate.relevance'];
  const rnd = seededRandom(7);
  const m = (r: number, c: number) => Array.from({ length: r }, () => Array.from({ length: c }, () => (rnd() - 0.5) * 0.2));
  const bytes = buildMlpModel({
    featureNames,
    layers: [
      { weights: m(featureNames.length, 64), bias: m(1, 64)[0]! },
      { weights: m(64, 32), bias: m(1, 32)[0]! },
      { weights: m(32, 1), bias: [0] },
    ],
  });
  return { featureNames, bytes, describe: `MLP ${featureNames.length}-64-32-1` };
}

async function seed(url: string, website: string) {
  await withClient(url, async (c) => {
    await c.query(`INSERT INTO website (website_id, name) VALUES ($1, 'bench')`, [website]);
    await c.query(
      `INSERT INTO catalog_items (website_id, item_id, item_type, title, category, brand, price, tags, in_stock, published_at)
       SELECT $1, 'sku-' || g, 'product', 'Item ' || g, 'cat-' || (g % 40), 'brand-' || (g % 25), (g % 200) + 0.99, '["a","b"]', g % 50 <> 0,
              now() - (g % 365) * interval '1 day'
         FROM generate_series(1, $2) g`,
      [website, ITEMS],
    );
    // Logged behaviour: sessions of 5 shown items, ~10% clicked, ~2% converted, over 30 days.
    await c.query(
      `INSERT INTO recommendations (website_id, session_id, item_id, score, rank, strategy, recommendation_type, shown_at, clicked, clicked_at, converted, revenue, context)
       SELECT $1, md5((g / 5)::text)::uuid, 'sku-' || (1 + (g * 7919) % $2), 0.5, 1 + g % 5, 'popular', 'product',
              now() - (g % 2592000) * interval '1 second', g % 10 = 0, CASE WHEN g % 10 = 0 THEN now() - (g % 2592000) * interval '1 second' END,
              g % 50 = 0, CASE WHEN g % 50 = 0 THEN 19.99 END,
              jsonb_build_object('device', (ARRAY['mobile','desktop','tablet'])[1 + g % 3])
         FROM generate_series(1, $3) g`,
      [website, ITEMS, LOG_ROWS],
    );
  });
}

/** The model name ranking-service serves by default (MODEL_NAME). */
const MODEL_NAME = 'default';

export interface RankingBench {
  website: string;
  registry: StartedProcess;
  featureCount: number;
  /** 100 caller candidates with one `candidate.relevance` each. */
  caller100: RecommendRequest;
  /** No candidates: the service generates (up to 1,000) and scores them. */
  generated: RecommendRequest;
  close(): Promise<void>;
}

/** Seeds a website in `url` and serves the benchmark model from registry-service (active as default@bench-1). */
export async function setUpRankingBench(url: string): Promise<RankingBench> {
  const website = randomUUID();
  await seed(url, website);
  const model = benchModel();
  const registry = await startRegistryServing(url, { name: MODEL_NAME, version: 'bench-1', bytes: model.bytes });
  const session = randomUUID();
  const ctx = { pageType: PageType.PAGE_TYPE_PRODUCT, itemId: 'sku-17', device: Device.DEVICE_MOBILE, timeZone: 'Europe/Berlin' };
  return {
    website,
    registry,
    featureCount: model.featureNames.length,
    caller100: RecommendRequest.fromPartial({
      websiteId: website,
      sessionId: session,
      userId: '',
      count: 10,
      context: ctx,
      candidates: Array.from({ length: 100 }, (_, i) => ({ itemId: `sku-${1 + ((i * 37) % ITEMS)}`, features: { relevance: (i % 10) / 10 } })),
    }),
    generated: RecommendRequest.fromPartial({ websiteId: website, sessionId: session, count: 10, context: ctx }),
    close: () => registry.stop(),
  };
}

export interface RankingProcess {
  proc: ServiceProcess;
  /** host:port of its gRPC server. */
  address: string;
  /** http://host:port/metrics: its Prometheus metrics. */
  metricsUrl: string;
  pid: number | undefined;
  /** The node flags it runs with (the app's own, then the caller's). */
  nodeArgs: string[];
  recommend(request: RecommendRequest): Promise<RecommendResponse>;
  /**
   * Where the serving model scores, from the service's "model swapped in" log line:
   * 'service thread', 'worker', or 'unknown (not logged by this checkout)'.
   */
  scoresOn(): string;
  stop(): Promise<void>;
}

/**
 * The ranking-service entry point to run from the checkout at `root`: by default
 * built as it is deployed (`npm run build`: one esbuild bundle, run by plain
 * node), into a fresh directory under the checkout's dist/ (so the bundle finds
 * the checkout's node_modules); with BENCH_SERVICE_FROM=source, main.ts through tsx.
 */
async function rankingEntry(root: string): Promise<{ entry: string; cleanUp: () => Promise<void> }> {
  if (process.env.BENCH_SERVICE_FROM === 'source') return { entry: join(root, 'apps/ranking-service/src/main.ts'), cleanUp: async () => undefined };
  await mkdir(join(root, 'dist'), { recursive: true });
  const outRoot = await mkdtemp(join(root, 'dist', 'bench-'));
  // The checkout's own build script, in its own process: an older checkout builds with its own code.
  execFileSync(process.execPath, ['--import', 'tsx', '--eval', `require('./tools/build/build-app.ts').buildApp('ranking-service', ${JSON.stringify(outRoot)})`], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { entry: join(outRoot, 'ranking-service/main.js'), cleanUp: () => rm(outRoot, { recursive: true, force: true }) };
}

/**
 * ranking-service as its own process, from the checkout at `root` (this one by
 * default; built as deployed, see rankingEntry), against `url` and the bench's
 * registry-service; resolves once SERVING. Node runs it with the app's own flags
 * (that checkout's recsys.nodeFlags, as deployed) followed by `nodeArgs`
 * (default: BENCH_SERVICE_NODE_ARGS, space-separated); `env` adds to or
 * overrides its environment (its configuration, e.g. LOG_FLUSH_ROWS).
 */
export async function startRanking(
  bench: RankingBench,
  url: string,
  root = join(__dirname, '../..'),
  nodeArgs = process.env.BENCH_SERVICE_NODE_ARGS ?? '',
  env: Record<string, string> = {},
): Promise<RankingProcess> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'recsys-bench-models-'));
  const { entry, cleanUp } = await rankingEntry(root);
  const port = await findFreePort();
  const metricsPort = await findFreePort();
  const flags = [...appNodeFlags('ranking-service', root), ...nodeArgs.split(/\s+/).filter(Boolean)];
  const proc = spawnNode(
    entry,
    {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      GRPC_PORT: String(port),
      METRICS_PORT: String(metricsPort),
      // info: the model's swap-in line says where it scores (nothing is logged per call at info).
      LOG_LEVEL: 'info',
      NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS,
      REGISTRY_ADDR: bench.registry.address,
      MODEL_CACHE_DIR: cacheDir,
      ...env,
    },
    flags,
  );
  const stop = async () => {
    if (proc.child.exitCode === null) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
    await rm(cacheDir, { recursive: true, force: true });
    await cleanUp();
  };
  try {
    await waitForServing(`127.0.0.1:${port}`, 60_000);
  } catch (err) {
    await stop();
    throw new Error(`ranking-service from ${root} did not serve: ${(err as Error).message}\n${proc.output()}`);
  }
  const client = new RankingServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  return {
    proc,
    address: `127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    pid: proc.child.pid,
    nodeArgs: flags,
    recommend: (req) => unary<RecommendRequest, RecommendResponse>(client.recommend.bind(client), req),
    scoresOn: () => {
      const swapped = proc.output().split('\n').filter((l) => l.includes('"model swapped in"')).at(-1);
      return (swapped && (JSON.parse(swapped) as { scoresOn?: string }).scoresOn) || 'unknown (not logged by this checkout)';
    },
    stop: async () => {
      client.close();
      await stop();
    },
  };
}

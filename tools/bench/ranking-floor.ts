// `npm run bench:ranking:floor`: how much of the 1.3x-bare p50 goal (100
// caller candidates) is left once the parts Recommend cannot drop are paid.
// Four servers called in turn, sequentially, one call each per step: the bare
// grpc-js server of bench:ranking; this checkout's ranking-service with
// Recommend cut down to answering its first real answer again (what the service
// stack costs by itself: auth, interceptor, metrics, error edge, the same
// decode and encode); the same service with the model run replaced by zeros
// (all of Recommend but onnxruntime); and the service as it is. Each cut-down
// copy is a temporary git worktree of HEAD with one source edit, built like
// the service (the edit fails loudly if the code it replaces has moved).
// Uncommitted changes are measured only in the "as it is" server.
// Env: BENCH_CALLS (2000 per round and server), BENCH_ROUNDS (3), plus bench:ranking's BENCH_ITEMS, BENCH_LOG_ROWS.
import { credentials } from '@grpc/grpc-js';
import { RankingServiceClient, type RecommendRequest } from '@recsys/contracts/ranking';
import { unary } from '@recsys/service-kit/testing';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { envNumber, latenciesInTurn, out, percentiles, withBenchDatabase } from './bench-kit';
import { bareServer, benchEntries } from './load-runs';
import { setUpRankingBench, startRanking, type RankingProcess } from './ranking-fixture';

const CALLS = envNumber('BENCH_CALLS', 2000);
const ROUNDS = envNumber('BENCH_ROUNDS', 3);
const ROOT = resolve(__dirname, '../..');

interface Cut {
  name: string;
  file: string;
  from: string;
  to: string;
}

const CUTS: Cut[] = [
  {
    name: 'service stack only (Recommend answers its first answer again)',
    file: 'apps/ranking-service/src/recommend/recommender.ts',
    from: 'return this.shedder.run(receivedAt, () => this.rank(request));',
    to: 'return this.shedder.run(receivedAt, async () => ((this as unknown as { floor?: RecommendResponse }).floor ??= await this.rank(request)));',
  },
  {
    name: 'all of Recommend but the model run (scores are zeros)',
    file: 'apps/ranking-service/src/model/inline-session.ts',
    from: 'const out = native.run({ [inputName]: input }, { [outputName]: null }, runOptions)[outputName] as Tensor | undefined;',
    to: 'void input;\n      void runOptions;\n      const out = { type: "float32", data: new Float32Array(rows * outputWidth) } as unknown as Tensor | undefined;',
  },
];

/** A worktree of HEAD with `cut` applied and node_modules linked to this checkout's (its own @recsys links). */
function cutCheckout(cut: Cut): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'recsys-floor-'));
  rmSync(root, { recursive: true });
  execFileSync('git', ['worktree', 'add', '--detach', '--quiet', root, 'HEAD'], { cwd: ROOT });
  const remove = () => {
    execFileSync('git', ['worktree', 'remove', '--force', root], { cwd: ROOT });
  };
  try {
    const path = join(root, cut.file);
    const source = readFileSync(path, 'utf8');
    if (!source.includes(cut.from)) throw new Error(`${cut.file} no longer contains the code "${cut.name}" replaces: update tools/bench/ranking-floor.ts`);
    writeFileSync(path, source.replace(cut.from, cut.to));
    mkdirSync(join(root, 'node_modules'));
    for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
      // @recsys holds relative links into the checkout: copied as links, so they point into the worktree.
      if (entry === '@recsys') cpSync(join(ROOT, 'node_modules', entry), join(root, 'node_modules', entry), { recursive: true, verbatimSymlinks: true });
      else symlinkSync(join(ROOT, 'node_modules', entry), join(root, 'node_modules', entry));
    }
    return { root, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

async function run(url: string) {
  const bench = await setUpRankingBench(url);
  const entries = await benchEntries();
  const checkouts = CUTS.map(cutCheckout);
  const servers: RankingProcess[] = [];
  let bare: Awaited<ReturnType<typeof bareServer>> | undefined;
  try {
    for (const c of checkouts) servers.push(await startRanking(bench, url, c.root));
    servers.push(await startRanking(bench, url));
    const request = bench.caller100;
    const first = await servers.at(-1)!.recommend(request);
    if (first.fallback) throw new Error(`the model is not serving (fallback reason ${first.fallbackReason})`);
    bare = await bareServer(entries.bare, first);
    const bareClient = new RankingServiceClient(bare.address, credentials.createInsecure());
    const targets: { name: string; call: (r: RecommendRequest) => Promise<unknown> }[] = [
      { name: 'bare grpc-js (bench:ranking baseline)', call: (r) => unary(bareClient.recommend.bind(bareClient), r) },
      ...CUTS.map((cut, i) => ({ name: cut.name, call: servers[i]!.recommend })),
      { name: 'Recommend as it is', call: servers.at(-1)!.recommend },
    ];
    const calls = targets.map((t) => () => t.call(request));
    await latenciesInTurn(0, calls, 300); // warm-up only
    out(`ranking-service p50 floor, node ${process.version}, 100 caller candidates, ${CALLS} calls per round and server, servers called in turn`);
    out();
    out(`| round | ${targets.map((t) => t.name).join(' | ')} |`);
    out(`|---|${targets.map(() => '---').join('|')}|`);
    for (let round = 1; round <= ROUNDS; round++) {
      const samples = await latenciesInTurn(CALLS, calls);
      const p50 = samples.map((s) => percentiles(s).p50);
      out(`| ${round} | ${p50.map((p) => `${p.toFixed(3)} ms (${(p / p50[0]!).toFixed(2)}x)`).join(' | ')} |`);
    }
    bareClient.close();
  } finally {
    await bare?.stop();
    for (const s of servers) await s.stop();
    for (const c of checkouts) c.remove();
    await bench.close();
    await entries.cleanUp();
  }
}

withBenchDatabase('recsys_bench_ranking_floor', run).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

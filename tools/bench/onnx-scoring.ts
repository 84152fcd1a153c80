// `npm run bench:onnx`: what docs/model-serving.md reports — scoring on the
// service thread vs in a worker thread (per-call latency by batch size, and how
// long the event loop is blocked), and session creation cost, for four model
// shapes. Sessions are opened as ranking-service opens them (@recsys/onnx/session,
// its SESSION_OPTIONS), on this thread and in a worker (onnx-scoring.worker.ts).
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildLinearModel, buildMlpModel, buildTreeEnsembleModel, randomTreeEnsemble, seededRandom } from '@recsys/onnx';
import { SESSION_OPTIONS } from '@recsys/onnx/session';
import * as ort from 'onnxruntime-node';
import type { ScoringReply, ScoringRequest } from './onnx-scoring.worker';

/** A worker thread scoring through @recsys/onnx/session; one call at a time per id is not required. */
class ScoringWorker {
  private readonly worker = new Worker(join(__dirname, 'onnx-scoring.worker.ts'), { execArgv: ['--require', require.resolve('tsx/cjs')] });
  private readonly waiting = new Map<string, (reply: ScoringReply) => void>();
  private next = 0;
  constructor() {
    this.worker.on('message', (reply: ScoringReply) => {
      const key = reply.op === 'loaded' ? `load-${reply.id}` : `run-${reply.call}`;
      this.waiting.get(key)?.(reply);
      this.waiting.delete(key);
    });
  }
  private ask(key: string, request: ScoringRequest): Promise<ScoringReply> {
    return new Promise((resolve) => {
      this.waiting.set(key, resolve);
      this.worker.postMessage(request);
    });
  }
  async load(bytes: Uint8Array, featureCount: number) {
    const id = this.next++;
    const reply = (await this.ask(`load-${id}`, { op: 'load', id, bytes, featureCount })) as Extract<ScoringReply, { op: 'loaded' }>;
    return { id, createMs: reply.createMs, warmUpMs: reply.warmUpMs };
  }
  run(id: number, features: Float32Array, rows: number) {
    const call = this.next++;
    return this.ask(`run-${call}`, { op: 'run', call, id, features, rows });
  }
  close() {
    return this.worker.terminate();
  }
}

const F = 32;
const names = Array.from({ length: F }, (_, i) => `f${i}`);
const rnd = seededRandom(42);
const matrix = (rows: number, cols: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => rnd() - 0.5));

const models: [string, Uint8Array][] = [
  ['linear 32', buildLinearModel({ weights: matrix(1, F)[0]!, bias: 0.1, featureNames: names, sigmoid: true })],
  [
    'MLP 32-64-32-1',
    buildMlpModel({
      featureNames: names,
      layers: [
        { weights: matrix(F, 64), bias: matrix(1, 64)[0]! },
        { weights: matrix(64, 32), bias: matrix(1, 32)[0]! },
        { weights: matrix(32, 1), bias: [0] },
      ],
    }),
  ],
  ['trees 100x d6', buildTreeEnsembleModel({ trees: randomTreeEnsemble({ trees: 100, depth: 6, features: F, seed: 1 }), featureNames: names })],
  ['trees 1000x d8', buildTreeEnsembleModel({ trees: randomTreeEnsemble({ trees: 1000, depth: 8, features: F, seed: 2 }), featureNames: names })],
];

const BATCHES = [1, 10, 100, 1000];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (x: number) => x.toFixed(3);

async function timeCalls(call: () => Promise<unknown>, minCalls = 200, budgetMs = 1500): Promise<number[]> {
  for (let i = 0; i < 20; i++) await call();
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (times.length < minCalls || performance.now() < end) {
    const t = performance.now();
    await call();
    times.push(performance.now() - t);
    if (times.length >= 20_000) break;
  }
  return times;
}

/**
 * Event-loop stalls as a 1 ms interval timer sees them: the gaps between its
 * ticks. (perf_hooks' monitorEventLoopDelay missed a 300 ms synchronous
 * InferenceSession.create entirely here, so it is not used.)
 */
function loopGaps(): { stop: () => number[] } {
  const gaps: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  return {
    stop: () => {
      clearInterval(timer);
      gaps.push(performance.now() - last);
      return gaps;
    },
  };
}

async function maxStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  const gaps = loopGaps();
  await new Promise((r) => setTimeout(r, 3));
  const result = await work();
  await new Promise((r) => setTimeout(r, 3));
  return { result, stallMs: Math.max(...gaps.stop()) };
}

async function main() {
  const worker = new ScoringWorker();
  const opts = SESSION_OPTIONS;
  process.stdout.write(`node ${process.version}, onnxruntime-node ${ort.env.versions.common}, ${F} features\n\n`);
  process.stdout.write('| model | bytes | create on main: time / longest loop stall (ms) | load+warm-up in worker: longest loop stall (ms) |\n|---|---|---|---|\n');
  const sessions: { name: string; main: ort.InferenceSession; workerId: number }[] = [];
  for (const [name, bytes] of models) {
    const t = performance.now();
    const created = await maxStall(() => ort.InferenceSession.create(bytes, opts));
    const createMs = performance.now() - t;
    const loaded = await maxStall(() => worker.load(bytes, F));
    process.stdout.write(`| ${name} | ${bytes.length} | ${ms(createMs)} / ${ms(created.stallMs)} | ${ms(loaded.stallMs)} (create ${ms(loaded.result.createMs)}, warm-up ${ms(loaded.result.warmUpMs)} in the worker) |\n`);
    sessions.push({ name, main: created.result, workerId: loaded.result.id });
  }

  process.stdout.write('\n| model | rows | main thread p50 / p99 (ms) | worker p50 / p99 (ms) |\n|---|---|---|---|\n');
  for (const s of sessions) {
    for (const rows of BATCHES) {
      const x = Float32Array.from({ length: rows * F }, () => rnd());
      const onMain = await timeCalls(() => s.main.run({ features: new ort.Tensor('float32', x, [rows, F]) }));
      const inWorker = await timeCalls(() => worker.run(s.workerId, x, rows));
      process.stdout.write(`| ${s.name} | ${rows} | ${ms(pct(onMain, 50))} / ${ms(pct(onMain, 99))} | ${ms(pct(inWorker, 50))} / ${ms(pct(inWorker, 99))} |\n`);
    }
  }

  // Throughput and loop latency under 8 concurrent callers: where the second core goes.
  process.stdout.write('\n| model, rows, 8 concurrent callers | where | calls/s | 1 ms timer gap p99 / max (ms) |\n|---|---|---|---|\n');
  for (const [s, rows] of [[sessions[1]!, 100], [sessions[2]!, 100], [sessions[2]!, 1000]] as const) {
    const x = Float32Array.from({ length: rows * F }, () => rnd());
    for (const where of ['main', 'worker'] as const) {
      const gaps = loopGaps();
      let calls = 0;
      const end = performance.now() + 1500;
      const caller = async () => {
        while (performance.now() < end) {
          if (where === 'main') await s.main.run({ features: new ort.Tensor('float32', x, [rows, F]) });
          else await worker.run(s.workerId, x, rows);
          calls++;
        }
      };
      await Promise.all(Array.from({ length: 8 }, caller));
      const g = gaps.stop();
      process.stdout.write(`| ${s.name}, ${rows} | ${where} | ${Math.round(calls / 1.5)} | ${ms(pct(g, 99))} / ${ms(Math.max(...g))} |\n`);
    }
  }
  for (const s of sessions) await s.main.release();
  await worker.close();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

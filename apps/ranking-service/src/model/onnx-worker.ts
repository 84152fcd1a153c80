import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { SessionIo } from '@recsys/onnx/session';
import type { WorkerReply, WorkerRequest } from './onnx-worker-protocol';

export interface LoadedSessionInfo {
  createMs: number;
  warmUpMs: number;
  /** The fastest of PROBE_RUNS runs of PROBE_ROWS rows after the warm-up. */
  probeMs: number;
  /** Input and output as the worker's checks and warm-up found them. */
  io: SessionIo;
}

/**
 * The service thread's handle on onnx-session.worker.ts: one worker thread
 * holding every session, requests correlated by number. If the thread dies,
 * every pending request is rejected and `onLost` fires (its sessions are gone;
 * the provider reloads its models); the next request starts a new thread.
 */
export class OnnxWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pendingLoads = new Map<number, { resolve: (i: LoadedSessionInfo) => void; reject: (e: Error) => void }>();
  private readonly runs = new Map<number, { resolve: (s: Float32Array) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(private readonly onLost: (err: Error) => void = () => undefined) {}

  /** Score calls sent and not answered yet: all sessions share one thread, so this is its queue. */
  get pendingRuns(): number {
    return this.runs.size;
  }

  /** Creates and warms a session in the worker; resolves its id. Rejects with the reason the model is unusable. */
  async load(bytes: Uint8Array, io: { inputName: string; outputName: string; featureCount: number }): Promise<{ id: number } & LoadedSessionInfo> {
    const id = this.nextId++;
    // A fresh copy with its own ArrayBuffer, transferred: the caller keeps its bytes (Buffer.slice
    // would be a view, and a small Buffer's ArrayBuffer is Node's shared pool).
    const copy = new Uint8Array(bytes);
    const info = await new Promise<LoadedSessionInfo>((resolve, reject) => {
      this.pendingLoads.set(id, { resolve, reject });
      this.send({ op: 'load', id, bytes: copy, ...io }, [copy.buffer as ArrayBuffer]);
    });
    return { id, ...info };
  }

  run(id: number, features: Float32Array, rows: number): Promise<Float32Array> {
    const call = this.nextId++;
    return new Promise((resolve, reject) => {
      this.runs.set(call, { resolve, reject });
      // Structured clone copies the whole underlying buffer: send only this view's bytes.
      const own = features.byteOffset === 0 && features.byteLength === features.buffer.byteLength ? features : features.slice();
      this.send({ op: 'run', call, id, features: own, rows });
    });
  }

  /** The caller guarantees no run of `id` is pending. */
  release(id: number): void {
    if (this.worker && !this.closed) this.worker.postMessage({ op: 'release', id } satisfies WorkerRequest);
  }

  /**
   * Ends the thread gracefully: it releases its sessions and exits by itself.
   * worker.terminate() while onnxruntime is inside a native call (a release in
   * progress, say) aborted the whole process ("terminate called after throwing
   * an instance of 'Napi::Error'"), so it is only the last resort.
   */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('model worker closed'));
    if (!worker) return;
    const exited = once(worker, 'exit').then(() => true);
    worker.postMessage({ op: 'close' } satisfies WorkerRequest);
    if (!(await Promise.race([exited, sleep(10_000, false, { ref: false })]))) await worker.terminate();
  }

  private send(request: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    if (this.closed) throw new Error('model worker closed');
    (this.worker ??= this.spawn()).postMessage(request, transfer);
  }

  private spawn(): Worker {
    const worker = new Worker(workerEntry().file, { execArgv: workerEntry().execArgv });
    // The worker must never keep the process alive on its own; close() ends it.
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    const lost = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(err);
      if (!this.closed) this.onLost(err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`model worker exited with code ${code}`)));
    return worker;
  }

  private onReply(reply: WorkerReply): void {
    switch (reply.op) {
      case 'loaded':
        this.take(this.pendingLoads, reply.id)?.resolve({ createMs: reply.createMs, warmUpMs: reply.warmUpMs, probeMs: reply.probeMs, io: reply.io });
        break;
      case 'load-failed':
        this.take(this.pendingLoads, reply.id)?.reject(new Error(reply.message));
        break;
      case 'scores':
        this.take(this.runs, reply.call)?.resolve(reply.scores);
        break;
      case 'run-failed':
        this.take(this.runs, reply.call)?.reject(new Error(reply.message));
        break;
      case 'released':
      case 'closed':
        break;
    }
  }

  private take<T>(map: Map<number, T>, key: number): T | undefined {
    const entry = map.get(key);
    map.delete(key);
    return entry;
  }

  private failAll(err: Error): void {
    for (const p of [...this.pendingLoads.values(), ...this.runs.values()]) p.reject(err);
    this.pendingLoads.clear();
    this.runs.clear();
  }
}

/**
 * Where the worker's code is: beside this file when running from source (a .ts
 * file, which the worker thread compiles through tsx's CommonJS hook, since
 * `--import tsx` hooks do not reach worker threads on Node 20), or beside
 * main.js in a bundle built by tools/build (a .js file).
 */
function workerEntry(): { file: string; execArgv: string[] } {
  for (const file of [join(__dirname, 'onnx-session.worker.js'), join(__dirname, 'model', 'onnx-session.worker.js')]) {
    if (existsSync(file)) return { file, execArgv: [] };
  }
  return { file: join(__dirname, 'onnx-session.worker.ts'), execArgv: ['--require', require.resolve('tsx/cjs')] };
}

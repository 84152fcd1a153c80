// The worker thread that owns every onnxruntime session of the process.
// onnxruntime-node creates and runs sessions synchronously on the thread that
// calls it (docs/platform-notes.md: ~0.5 s for a 10 MB tree model), so creation, warm-up and
// scoring all happen here and the service's event loop never stalls (small
// models may also get a second session on the service thread: model-pool.ts).
// The protocol is in onnx-worker-protocol.ts; the session code in
// onnx-session.ts, which imports nothing else of ours, so this bundles alone
// and starts fast (package.json "recsys.workers").
import { parentPort } from 'node:worker_threads';
import { createSession, score, warmUp, type Session } from '@recsys/onnx/session';
import type { WorkerReply, WorkerRequest } from './onnx-worker-protocol';

const sessions = new Map<number, Session>();
if (!parentPort) throw new Error('onnx-session.worker must run as a worker thread');
const port = parentPort;

port.on('message', (request: WorkerRequest) => {
  void handle(request).then((reply) => {
    if (reply) port.postMessage(reply, reply.op === 'scores' ? [reply.scores.buffer as ArrayBuffer] : []);
  });
});

async function handle(request: WorkerRequest): Promise<WorkerReply | undefined> {
  switch (request.op) {
    case 'load':
      try {
        const started = performance.now();
        const loaded = await createSession(request);
        const created = performance.now();
        const probeMs = await warmUp(loaded);
        sessions.set(request.id, loaded);
        const { inputName, outputName, featureCount, outputWidth } = loaded;
        const io = { inputName, outputName, featureCount, outputWidth };
        return { op: 'loaded', id: request.id, createMs: created - started, warmUpMs: performance.now() - created, probeMs, io };
      } catch (err) {
        return { op: 'load-failed', id: request.id, message: messageOf(err) };
      }
    case 'run': {
      const s = sessions.get(request.id);
      if (!s) return { op: 'run-failed', call: request.call, message: `session ${request.id} is not loaded` };
      try {
        return { op: 'scores', call: request.call, scores: await score(s, request.features, request.rows) };
      } catch (err) {
        return { op: 'run-failed', call: request.call, message: messageOf(err) };
      }
    }
    case 'release': {
      const s = sessions.get(request.id);
      sessions.delete(request.id);
      await s?.session.release().catch(() => undefined);
      return { op: 'released', id: request.id };
    }
    case 'close': {
      for (const s of sessions.values()) await s.session.release().catch(() => undefined);
      sessions.clear();
      // With the port closed the thread has nothing left to do and exits on its own.
      setImmediate(() => port.close());
      return { op: 'closed' };
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

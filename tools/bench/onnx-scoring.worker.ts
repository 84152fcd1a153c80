// The worker thread of `npm run bench:onnx`: sessions opened, warmed up and run
// through @recsys/onnx/session, the code ranking-service's own worker runs.
import { parentPort } from 'node:worker_threads';
import { createSession, score, warmUp, type Session } from '@recsys/onnx/session';

export type ScoringRequest =
  | { op: 'load'; id: number; bytes: Uint8Array; featureCount: number }
  | { op: 'run'; call: number; id: number; features: Float32Array; rows: number };
export type ScoringReply = { op: 'loaded'; id: number; createMs: number; warmUpMs: number } | { op: 'scores'; call: number; scores: Float32Array };

const sessions = new Map<number, Session>();
parentPort!.on('message', async (r: ScoringRequest) => {
  if (r.op === 'load') {
    const started = performance.now();
    const s = await createSession({ bytes: r.bytes, inputName: '', outputName: '', featureCount: r.featureCount });
    const created = performance.now();
    await warmUp(s);
    sessions.set(r.id, s);
    parentPort!.postMessage({ op: 'loaded', id: r.id, createMs: created - started, warmUpMs: performance.now() - created } satisfies ScoringReply);
  } else {
    const scores = await score(sessions.get(r.id)!, r.features, r.rows);
    parentPort!.postMessage({ op: 'scores', call: r.call, scores } satisfies ScoringReply, [scores.buffer as ArrayBuffer]);
  }
});

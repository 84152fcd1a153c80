import type { Logger } from '@recsys/service-kit';
import type { Pool } from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';

/** One shown item, as it goes to `recommendations`. Outcomes may be set before the row is written. */
export interface LogRow {
  /** The row's primary key: time-ordered (TimeOrderedIds), so the key index takes appends, not scattered inserts. */
  id: string;
  requestId: string;
  websiteId: string;
  sessionId: string;
  userId: string | null;
  recommendationType: string;
  itemId: string;
  score: number;
  rank: number;
  context: Record<string, unknown>;
  strategy: string;
  modelVersion: string | null;
  personalizationFactors: Record<string, unknown>;
  shownAt: Date;
  clickedAt: Date | null;
  convertedAt: Date | null;
  revenue: string | null;
}

export interface LogOptions {
  maxBufferedRows: number;
  flushRows: number;
  flushIntervalMs: number;
}

const MAX_BACKOFF_MS = 5_000;

/**
 * The recommendations log, off the request path: `append` only pushes to a
 * bounded buffer; a flush writes up to `flushRows` rows in one INSERT … unnest
 * when the buffer reaches that size or every `flushIntervalMs`. When
 * PostgreSQL is down the rows stay buffered and the flush is retried with
 * backoff; when the buffer is full new rows are dropped and counted (metric
 * `ranking_log_rows_dropped_total` and a warning), never an error to the caller.
 * Rows still buffered can take outcomes (RecordOutcome before the flush).
 */
export class RecommendationLog {
  private buffer: LogRow[] = [];
  /** Rows of the batch being written now. */
  private writing: LogRow[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private droppedSinceWarning = 0;
  private droppedTotal = 0;
  private readonly dropped: Counter;
  private readonly written: Counter;
  private readonly writeFailures: Counter;
  private readonly buffered: Gauge;

  constructor(
    private readonly pool: Pool,
    private readonly options: LogOptions,
    private readonly logger: Logger,
    registry?: Registry,
  ) {
    const registers = registry ? [registry] : [];
    this.dropped = new Counter({ name: 'ranking_log_rows_dropped_total', help: 'Recommendation log rows dropped because the buffer was full.', registers });
    this.written = new Counter({ name: 'ranking_log_rows_written_total', help: 'Recommendation log rows written to PostgreSQL.', registers });
    this.writeFailures = new Counter({ name: 'ranking_log_write_failures_total', help: 'Failed batch writes of the recommendation log (rows kept and retried).', registers });
    this.buffered = new Gauge({ name: 'ranking_log_rows_buffered', help: 'Recommendation log rows waiting to be written.', registers, collect: () => this.buffered.set(this.pending) });
    this.schedule(options.flushIntervalMs);
  }

  get pending(): number {
    return this.buffer.length + this.writing.length;
  }

  /** Rows dropped because the buffer was full, since start. */
  get droppedCount(): number {
    return this.droppedTotal;
  }

  append(rows: readonly LogRow[]): void {
    const room = Math.max(0, this.options.maxBufferedRows - this.pending);
    const kept = rows.length <= room ? rows : rows.slice(0, room);
    if (kept.length < rows.length) {
      const lost = rows.length - kept.length;
      this.droppedTotal += lost;
      this.dropped.inc(lost);
      if (this.droppedSinceWarning === 0) this.logger.warn({ dropped: lost, buffered: this.pending }, 'recommendation log buffer full: dropping rows');
      this.droppedSinceWarning += lost;
    }
    for (const r of kept) this.buffer.push(r);
    if (this.buffer.length >= this.options.flushRows && !this.flushing && this.failures === 0) void this.flush();
  }

  /** Buffered rows of one answer (to apply an outcome before they are written); `writing` when a write is in flight. */
  findPending(match: (r: LogRow) => boolean): { buffered: LogRow[]; writing: boolean } {
    return { buffered: this.buffer.filter(match), writing: this.writing.some(match) };
  }

  /** Resolves when the write in flight (if any) has finished, successfully or not. */
  async settled(): Promise<void> {
    await this.flushing;
  }

  /** Writes one batch now. Failures keep the rows and schedule a retry. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return Promise.resolve();
    this.writing = this.buffer.splice(0, this.options.flushRows);
    this.flushing = this.write(this.writing)
      .then(
        () => {
          this.written.inc(this.writing.length);
          this.failures = 0;
          if (this.droppedSinceWarning > 0) {
            this.logger.warn({ dropped: this.droppedSinceWarning }, 'recommendation log: rows were dropped while the buffer was full');
            this.droppedSinceWarning = 0;
          }
        },
        (err) => {
          // Put the batch back in front, in order; the buffer may now exceed its bound by one batch at most.
          this.buffer = this.writing.concat(this.buffer);
          this.failures++;
          this.writeFailures.inc();
          if (this.failures === 1 || this.failures % 20 === 0) this.logger.warn({ err, buffered: this.buffer.length, failures: this.failures }, 'recommendation log: write failed, will retry');
        },
      )
      .finally(() => {
        this.writing = [];
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private schedule(delayMs: number) {
    if (this.closed) return;
    this.timer = setTimeout(async () => {
      await this.flush();
      // Keep draining while full batches are waiting and writes succeed.
      while (this.failures === 0 && this.buffer.length >= this.options.flushRows && !this.closed) await this.flush();
      const backoff = this.failures > 0 ? Math.min(MAX_BACKOFF_MS, this.options.flushIntervalMs * 2 ** Math.min(this.failures, 6)) : this.options.flushIntervalMs;
      this.schedule(backoff);
    }, Math.max(1, delayMs));
    this.timer.unref();
  }

  /**
   * One INSERT … SELECT over `json_to_recordset` of the whole batch: one
   * JSON.stringify (native code) instead of sixteen pg text arrays escaped
   * element by element in JavaScript, which was the longest event-loop stall
   * of a busy service. The batch goes as answers, not rows: what the rows of
   * one answer share (request, website, session, user, type, model version,
   * time, context) once per answer, and per shown item only its own columns,
   * expanded by a lateral json_to_recordset — a third of the JSON to build and
   * for PostgreSQL to parse. Contexts are sent once per batch, by index.
   * Encoded ENCODE_CHUNK rows at a time, yielding to the event loop in
   * between, so a full batch never blocks calls for its whole encoding.
   */
  private async write(rows: readonly LogRow[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO recommendations (id, request_id, website_id, session_id, user_id, recommendation_type, item_id, score, rank, context, strategy,
                                    model_version, personalization_factors, shown, shown_at, clicked, clicked_at, converted, converted_at, revenue)
       SELECT i.id, a.request_id, a.website_id, a.session_id, a.user_id, a.rtype, i.item_id, i.score, i.rank, ($2::jsonb) -> a.ctx, i.strategy,
              a.model_version, i.factors, true, a.shown_at, i.clicked_at IS NOT NULL, i.clicked_at, i.converted_at IS NOT NULL, i.converted_at, i.revenue
         FROM json_to_recordset($1::json)
           AS a(request_id uuid, website_id uuid, session_id uuid, user_id text, rtype text, ctx int, model_version text, shown_at timestamptz, items json)
        CROSS JOIN LATERAL json_to_recordset(a.items)
           AS i(id uuid, item_id text, score float8, rank int, strategy text, factors jsonb, clicked_at timestamptz, converted_at timestamptz, revenue numeric)`,
      await encodeBatch(rows),
    );
  }

  /** Stops the timer and writes what is buffered, retrying until `timeoutMs`; logs what could not be written. */
  async close(timeoutMs = 5_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const deadline = Date.now() + timeoutMs;
    await this.flushing;
    while (this.buffer.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.failures > 0) await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
    }
    if (this.buffer.length > 0) this.logger.error({ lost: this.buffer.length }, 'recommendation log: database unreachable at shutdown; rows lost');
  }
}

/** Rows encoded between two yields to the event loop (each chunk ≈ 0.1–0.3 ms). */
const ENCODE_CHUNK = 100;

/** What the rows of one answer share, sent once per answer. */
interface AnswerRecord {
  request_id: string;
  website_id: string;
  session_id: string;
  user_id: string | null;
  rtype: string;
  ctx: number;
  model_version: string | null;
  shown_at: Date;
  items: ItemRecord[];
}

interface ItemRecord {
  id: string;
  item_id: string;
  score: number;
  rank: number;
  strategy: string;
  factors: Record<string, unknown>;
  clicked_at: Date | null;
  converted_at: Date | null;
  revenue: string | null;
}

/** True when `r` belongs with the answer `a` (rows of one append() share all of this). */
function sameAnswer(a: AnswerRecord, r: LogRow, ctx: number): boolean {
  return (
    a.request_id === r.requestId &&
    a.website_id === r.websiteId &&
    a.session_id === r.sessionId &&
    a.user_id === r.userId &&
    a.rtype === r.recommendationType &&
    a.ctx === ctx &&
    a.model_version === r.modelVersion &&
    a.shown_at.getTime() === r.shownAt.getTime()
  );
}

/**
 * The batch as `[answersJson, contextsJson]`: consecutive rows of the same
 * answer become one answer record with its items; a context shared by several
 * answers is sent once and referred to by index (`ctx`).
 */
async function encodeBatch(rows: readonly LogRow[]): Promise<[string, string]> {
  const contexts: Record<string, unknown>[] = [];
  const index = new Map<Record<string, unknown>, number>();
  const parts: string[] = [];
  for (let start = 0; start < rows.length; start += ENCODE_CHUNK) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const answers: AnswerRecord[] = [];
    let answer: AnswerRecord | undefined;
    for (let k = start; k < Math.min(rows.length, start + ENCODE_CHUNK); k++) {
      const r = rows[k]!;
      let ctx = index.get(r.context);
      if (ctx === undefined) {
        ctx = contexts.length;
        contexts.push(r.context);
        index.set(r.context, ctx);
      }
      if (!answer || !sameAnswer(answer, r, ctx)) {
        answer = {
          request_id: r.requestId,
          website_id: r.websiteId,
          session_id: r.sessionId,
          user_id: r.userId,
          rtype: r.recommendationType,
          ctx,
          model_version: r.modelVersion,
          shown_at: r.shownAt,
          items: [],
        };
        answers.push(answer);
      }
      answer.items.push({
        id: r.id,
        item_id: r.itemId,
        score: r.score,
        rank: r.rank,
        strategy: r.strategy,
        factors: r.personalizationFactors,
        clicked_at: r.clickedAt,
        converted_at: r.convertedAt,
        revenue: r.revenue,
      });
    }
    // Each chunk is a JSON array; strip its brackets to join them into one.
    const json = JSON.stringify(answers);
    if (answers.length > 0) parts.push(json.slice(1, -1));
  }
  return [`[${parts.join(',')}]`, JSON.stringify(contexts)];
}

import type { TimePartitions } from '@recsys/db';
import type { Logger } from '@recsys/service-kit';
import type { Pool } from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import { storeLogBatch } from './log-batch-sql';
import { applyOutcome, isAbout, type ItemOutcome, type LoggedRecommendation } from './logged-recommendation';

export interface LogOptions {
  maxBufferedRows: number;
  flushRows: number;
  flushIntervalMs: number;
}

const MAX_BACKOFF_MS = 5_000;

/**
 * The recommendations log, off the request path: `append` takes one answer and
 * only pushes it to a buffer bounded in rows (shown items); a flush writes about
 * `flushRows` rows in one statement (log-batch-sql.ts) when the buffer reaches
 * that size or every `flushIntervalMs`. When PostgreSQL is down the answers stay
 * buffered and the flush is retried with backoff (writes are idempotent, so a
 * batch that committed but was not acknowledged is not lost or stuck); when the
 * buffer is full new rows are dropped and counted (metric
 * `ranking_log_rows_dropped_total` and a warning), never an error to the caller.
 * Answers still buffered take outcomes through `recordOutcome`.
 *
 * A batch is written with COPY (the cheapest way); one holding an answer whose
 * earlier write failed goes through the idempotent INSERT, since that write may
 * have committed (log-batch-sql.ts). Before writing, the day partitions of the
 * batch's rows are made if missing.
 */
export class RecommendationLog {
  private buffer: LoggedRecommendation[] = [];
  private bufferedRows = 0;
  /** The batch being written now. */
  private writing: LoggedRecommendation[] = [];
  private writingRows = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private droppedSinceWarning = 0;
  private droppedTotal = 0;
  /** Answers of a write that failed: it may have committed, so they are written idempotently. */
  private readonly attempted = new WeakSet<LoggedRecommendation>();
  private readonly dropped: Counter;
  private readonly written: Counter;
  private readonly writeFailures: Counter;
  private readonly buffered: Gauge;

  constructor(
    private readonly pool: Pool,
    private readonly partitions: TimePartitions,
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

  /** Rows (shown items) not yet written. */
  get pending(): number {
    return this.bufferedRows + this.writingRows;
  }

  /** Rows dropped because the buffer was full, since start. */
  get droppedCount(): number {
    return this.droppedTotal;
  }

  /** Logs one answer; keeps its top-ranked items that fit when the buffer is nearly full. */
  append(answer: LoggedRecommendation): void {
    const room = Math.max(0, this.options.maxBufferedRows - this.pending);
    if (answer.items.length > room) {
      const lost = answer.items.length - room;
      this.droppedTotal += lost;
      this.dropped.inc(lost);
      if (this.droppedSinceWarning === 0) this.logger.warn({ dropped: lost, buffered: this.pending }, 'recommendation log buffer full: dropping rows');
      this.droppedSinceWarning += lost;
      if (room === 0) return;
      answer = { ...answer, items: answer.items.slice(0, room) };
    }
    this.buffer.push(answer);
    this.bufferedRows += answer.items.length;
    if (this.bufferedRows >= this.options.flushRows && !this.flushing && this.failures === 0) void this.flush();
  }

  /**
   * Applies an outcome to the answers not yet written (after the write in flight, when that holds one of them).
   * Returns how many buffered rows it was about, how many changed, and the session of the first answer it matched.
   */
  async recordOutcome(outcome: ItemOutcome): Promise<{ rows: number; updated: number; shownIn?: { websiteId: string; sessionId: string } }> {
    if (this.writing.some((a) => isAbout(outcome, a))) await this.settled();
    const answers = this.buffer.filter((a) => isAbout(outcome, a));
    let rows = 0;
    let updated = 0;
    for (const a of answers) {
      for (const item of a.items) {
        if (item.itemId !== outcome.itemId) continue;
        rows++;
        if (applyOutcome(outcome, item)) updated++;
      }
    }
    const first = answers[0];
    return { rows, updated, shownIn: first && { websiteId: first.websiteId, sessionId: first.sessionId } };
  }

  /**
   * Drops the answers of `userId` on `websiteId` that are not written yet (after the write in flight, when
   * that holds one of them: its rows are then in the table for the caller to delete). Returns the rows dropped.
   */
  async forgetUser(websiteId: string, userId: string): Promise<number> {
    const theirs = (a: LoggedRecommendation) => a.websiteId === websiteId && a.userId === userId;
    if (this.writing.some(theirs)) await this.settled();
    let rows = 0;
    this.buffer = this.buffer.filter((a) => !theirs(a) || ((rows += a.items.length), false));
    this.bufferedRows -= rows;
    return rows;
  }

  /** Resolves when the write in flight (if any) has finished, successfully or not. */
  async settled(): Promise<void> {
    await this.flushing;
  }

  /** Writes one batch now. Failures keep the answers and schedule a retry. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return Promise.resolve();
    let count = 0;
    let rows = 0;
    while (count < this.buffer.length && rows < this.options.flushRows) rows += this.buffer[count++]!.items.length;
    const batch = (this.writing = this.buffer.splice(0, count));
    this.writingRows = rows;
    this.bufferedRows -= rows;
    const retry = batch.some((a) => this.attempted.has(a));
    this.flushing = this.partitions
      .ensure(batch.map((a) => this.partitions.keyOf(a.shownAt)))
      .then(() => storeLogBatch(this.pool, batch, retry))
      .then(
        (stored) => {
          this.written.inc(stored);
          this.failures = 0;
          if (this.droppedSinceWarning > 0) {
            this.logger.warn({ dropped: this.droppedSinceWarning }, 'recommendation log: rows were dropped while the buffer was full');
            this.droppedSinceWarning = 0;
          }
        },
        (err) => {
          // Put the batch back in front, in order; the buffer may now exceed its bound by one batch at most.
          for (const a of batch) this.attempted.add(a);
          this.buffer = this.writing.concat(this.buffer);
          this.bufferedRows += this.writingRows;
          this.failures++;
          this.writeFailures.inc();
          if (this.failures === 1 || this.failures % 20 === 0) this.logger.warn({ err, buffered: this.bufferedRows, failures: this.failures }, 'recommendation log: write failed, will retry');
        },
      )
      .finally(() => {
        this.writing = [];
        this.writingRows = 0;
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private schedule(delayMs: number) {
    if (this.closed) return;
    this.timer = setTimeout(async () => {
      await this.flush();
      // Keep draining while full batches are waiting and writes succeed.
      while (this.failures === 0 && this.bufferedRows >= this.options.flushRows && !this.closed) await this.flush();
      const backoff = this.failures > 0 ? Math.min(MAX_BACKOFF_MS, this.options.flushIntervalMs * 2 ** Math.min(this.failures, 6)) : this.options.flushIntervalMs;
      this.schedule(backoff);
    }, Math.max(1, delayMs));
    this.timer.unref();
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
    if (this.bufferedRows > 0) this.logger.error({ lost: this.bufferedRows }, 'recommendation log: database unreachable at shutdown; rows lost');
  }
}

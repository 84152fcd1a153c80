import { Outcome, type RecordOutcomeRequest, type RecordOutcomeResponse } from '@recsys/contracts/ranking';
import { InvalidArgumentError, NotFoundError } from '@recsys/service-kit';
import type { Pool } from 'pg';
import type { LogRow, RecommendationLog } from '../log/recommendation-log';
import type { SessionMemory } from '../recommend/session-memory';
import { decimal, itemId, notInFuture, uuid } from '../validation/fields';

type Target = { kind: 'answer'; requestId: string } | { kind: 'session'; websiteId: string; sessionId: string };

/**
 * RecordOutcome. First click and first conversion win: every update is
 * conditional on the flag still being false, so replays change nothing.
 * Rows still in the log buffer take the outcome in memory and are written
 * with it; rows being written right now are updated once that write ends.
 */
export class OutcomeRecorder {
  constructor(
    private readonly pool: Pool,
    private readonly log: RecommendationLog,
    private readonly sessions?: SessionMemory,
  ) {}

  async record(req: RecordOutcomeRequest): Promise<RecordOutcomeResponse> {
    const now = new Date();
    const target = parseTarget(req);
    const item = itemId(req.itemId, 'item_id');
    if (req.outcome !== Outcome.OUTCOME_CLICK && req.outcome !== Outcome.OUTCOME_CONVERSION) {
      throw new InvalidArgumentError('must be OUTCOME_CLICK or OUTCOME_CONVERSION', 'outcome');
    }
    const click = req.outcome === Outcome.OUTCOME_CLICK;
    if (click && req.revenue) throw new InvalidArgumentError('must be empty for a CLICK', 'revenue');
    const revenue = req.revenue ? decimal(req.revenue, 'revenue') : null;
    const at = req.occurredAt ? notInFuture(req.occurredAt, now, 'occurred_at') : now;

    const match = (r: LogRow) =>
      r.itemId === item &&
      (target.kind === 'answer' ? r.requestId === target.requestId : r.websiteId === target.websiteId && r.sessionId === target.sessionId && r.shownAt <= at);
    if (target.kind === 'session') this.sessions?.remember(target.websiteId, target.sessionId, item);
    let pending = this.log.findPending(match);
    if (pending.writing) {
      await this.log.settled();
      pending = this.log.findPending(match);
    }
    let updated = 0;
    for (const r of pending.buffered) {
      if (click && !r.clickedAt) {
        r.clickedAt = at;
        updated++;
      } else if (!click && !r.convertedAt) {
        r.convertedAt = at;
        r.revenue = revenue;
        updated++;
      }
    }
    if (target.kind === 'answer' && pending.buffered[0]) this.sessions?.remember(pending.buffered[0].websiteId, pending.buffered[0].sessionId, item);
    if (pending.buffered.length > 0 && target.kind === 'answer') return { rowsUpdated: updated };

    const websiteId = target.kind === 'answer' ? await this.websiteOfAnswer(target.requestId) : target.websiteId;
    if (target.kind === 'session' && !(await this.websiteExists(websiteId))) throw new NotFoundError(`session.website_id: website ${websiteId} does not exist`);
    const where =
      target.kind === 'answer'
        ? 'website_id = $1 AND request_id = $2 AND item_id = $3'
        : 'website_id = $1 AND session_id = $2 AND item_id = $3 AND shown_at <= $4';
    const key = target.kind === 'answer' ? [websiteId, target.requestId, item] : [websiteId, target.sessionId, item, at];
    const n = key.length;
    const sql = click
      ? `UPDATE recommendations SET clicked = true, clicked_at = $${n + 1} WHERE ${where} AND clicked IS NOT TRUE`
      : `UPDATE recommendations SET converted = true, converted_at = $${n + 1}, revenue = $${n + 2}::numeric WHERE ${where} AND converted IS NOT TRUE`;
    const res = await this.pool.query(`${sql} RETURNING session_id`, click ? [...key, at] : [...key, at, revenue]);
    updated += res.rowCount ?? 0;
    if (target.kind === 'answer' && res.rows[0]) this.sessions?.remember(websiteId, res.rows[0].session_id, item);
    if (updated === 0 && target.kind === 'answer') {
      const exists = await this.pool.query(`SELECT 1 FROM recommendations WHERE ${where} LIMIT 1`, key);
      if (exists.rowCount === 0) throw new NotFoundError(`item_id: item ${JSON.stringify(item)} is not part of recommendation ${target.requestId}`);
    }
    return { rowsUpdated: updated };
  }

  /** The one lookup not scoped by website: the request carries only the answer's id (index from migration 016). */
  private async websiteOfAnswer(requestId: string): Promise<string> {
    const res = await this.pool.query('SELECT website_id FROM recommendations WHERE request_id = $1 LIMIT 1', [requestId]);
    if (res.rowCount === 0) throw new NotFoundError(`recommendation_id: recommendation ${requestId} is unknown (never logged, a dry run, or too old)`);
    return res.rows[0].website_id;
  }

  private async websiteExists(websiteId: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM website WHERE website_id = $1', [websiteId])).rowCount === 1;
  }
}

function parseTarget(req: RecordOutcomeRequest): Target {
  const t = req.target;
  if (!t) throw new InvalidArgumentError('must be set: recommendation_id or session', 'target');
  if (t.$case === 'recommendationId') return { kind: 'answer', requestId: uuid(t.value, 'recommendation_id') };
  return { kind: 'session', websiteId: uuid(t.value.websiteId, 'session.website_id'), sessionId: uuid(t.value.sessionId, 'session.session_id') };
}

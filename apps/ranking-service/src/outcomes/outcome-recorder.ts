import { Outcome, type RecordOutcomeRequest, type RecordOutcomeResponse } from '@recsys/contracts/ranking';
import { timeOfUuidV7 } from '@recsys/db';
import { InvalidArgumentError, NotFoundError } from '@recsys/service-kit';
import type { Pool } from 'pg';
import type { ItemOutcome, OutcomeTarget } from '../log/logged-recommendation';
import type { RecommendationLog } from '../log/recommendation-log';
import type { SessionMemory } from '../recommend/session-memory';
import { decimal, itemId, notInFuture, uuid } from '../validation/fields';

/**
 * RecordOutcome. First click and first conversion win: every update is
 * conditional on the flag still being false, so replays change nothing.
 * Answers still in the log's buffer take the outcome there (recordOutcome) and
 * are written with it; rows already written are updated here.
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

    if (target.kind === 'session') this.sessions?.remember(target.websiteId, target.sessionId, item);
    const outcome: ItemOutcome = { target, itemId: item, kind: click ? 'click' : 'conversion', at, revenue };
    const buffered = await this.log.recordOutcome(outcome);
    let updated = buffered.updated;
    if (target.kind === 'recommendation' && buffered.shownIn) this.sessions?.remember(buffered.shownIn.websiteId, buffered.shownIn.sessionId, item);
    if (buffered.rows > 0 && target.kind === 'recommendation') return { rowsUpdated: updated };

    const websiteId = target.kind === 'recommendation' ? await this.websiteOfRecommendation(target.recommendationId) : target.websiteId;
    if (target.kind === 'session' && !(await this.websiteExists(websiteId))) throw new NotFoundError(`session.website_id: website ${websiteId} does not exist`);
    const { where, key } = rowsShown(target, websiteId, item, at);
    const n = key.length;
    const sql = click
      ? `UPDATE recommendations SET clicked = true, clicked_at = $${n + 1} WHERE ${where} AND clicked IS NOT TRUE`
      : `UPDATE recommendations SET converted = true, converted_at = $${n + 1}, revenue = $${n + 2}::numeric WHERE ${where} AND converted IS NOT TRUE`;
    const res = await this.pool.query(`${sql} RETURNING session_id`, click ? [...key, at] : [...key, at, revenue]);
    updated += res.rowCount ?? 0;
    if (target.kind === 'recommendation' && res.rows[0]) this.sessions?.remember(websiteId, res.rows[0].session_id, item);
    if (updated === 0 && target.kind === 'recommendation') {
      const exists = await this.pool.query(`SELECT 1 FROM recommendations WHERE ${where} LIMIT 1`, key);
      if (exists.rowCount === 0) throw new NotFoundError(`item_id: item ${JSON.stringify(item)} is not part of recommendation ${target.recommendationId}`);
    }
    return { rowsUpdated: updated };
  }

  /** The one lookup not scoped by website: the request carries only the answer's id (index from migrations 016, 022). */
  private async websiteOfRecommendation(recommendationId: string): Promise<string> {
    const window = shownWindow(recommendationId, 2);
    const res = await this.pool.query(`SELECT website_id FROM recommendations WHERE recommendation_id = $1${window.sql} LIMIT 1`, [recommendationId, ...window.params]);
    if (res.rowCount === 0) throw new NotFoundError(`recommendation_id: recommendation ${recommendationId} is unknown (never logged, a dry run, or too old)`);
    return res.rows[0].website_id;
  }

  private async websiteExists(websiteId: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM website WHERE website_id = $1', [websiteId])).rowCount === 1;
  }
}

/** The log rows an outcome is about, as a WHERE clause and its parameters ($1..). */
function rowsShown(target: OutcomeTarget, websiteId: string, item: string, at: Date): { where: string; key: unknown[] } {
  if (target.kind === 'session') {
    return { where: 'website_id = $1 AND session_id = $2 AND item_id = $3 AND shown_at <= $4', key: [websiteId, target.sessionId, item, at] };
  }
  const window = shownWindow(target.recommendationId, 4);
  return { where: `website_id = $1 AND recommendation_id = $2 AND item_id = $3${window.sql}`, key: [websiteId, target.recommendationId, item, ...window.params] };
}

/** How far an answer's shown_at may be from the time in its id (both are the same process's clock, a request apart). */
const ID_TIME_MARGIN_MS = 3_600_000;

/**
 * The condition on shown_at of an answer's rows, from the time in its id (ids made by this service are
 * time-ordered UUIDs, TimeOrderedIds), as SQL whose parameters start at `$firstParam`: it confines the
 * lookup to one or two day partitions of the log instead of probing every day's index. Nothing for
 * ids of another shape (rows logged before v7 ids).
 */
function shownWindow(recommendationId: string, firstParam: number): { sql: string; params: Date[] } {
  const t = timeOfUuidV7(recommendationId);
  if (t === undefined) return { sql: '', params: [] };
  return {
    sql: ` AND shown_at >= $${firstParam} AND shown_at < $${firstParam + 1}`,
    params: [new Date(t - ID_TIME_MARGIN_MS), new Date(t + ID_TIME_MARGIN_MS)],
  };
}

function parseTarget(req: RecordOutcomeRequest): OutcomeTarget {
  const t = req.target;
  if (!t) throw new InvalidArgumentError('must be set: recommendation_id or session', 'target');
  if (t.$case === 'recommendationId') return { kind: 'recommendation', recommendationId: uuid(t.value, 'recommendation_id') };
  return { kind: 'session', websiteId: uuid(t.value.websiteId, 'session.website_id'), sessionId: uuid(t.value.sessionId, 'session.session_id') };
}

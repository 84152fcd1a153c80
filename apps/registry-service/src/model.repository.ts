import type { Knex } from '@mikro-orm/postgresql';
import type { ModelStatusName } from './lifecycle';
import type { ModelRecord } from './model-record';

/** A connection or a transaction: every read can run in either. */
export type Queryable = Knex | Knex.Transaction;

export const ACTIVATION_CHANNEL = 'recsys_model_activation';

/** What pg_notify carries on ACTIVATION_CHANNEL: the state of one (name, scope) right after a commit. */
export interface ActivationNotice {
  name: string;
  websiteId: string | null;
  activeId: string | null;
  /** The notifying transaction's id (xid8 as text): lets a watcher drop notices its snapshot already reflects. */
  xid: string;
}

export interface ListFilter {
  name?: string;
  statuses: ModelStatusName[];
  websiteId?: string;
  activeOnly: boolean;
}

export type NewModel = Omit<ModelRecord, 'id' | 'isActive' | 'deployedAt' | 'createdAt'>;

const COLUMNS = `id, name, version, website_id, model_type, algorithm, hyperparameters, training_data_period, metrics, description,
  artifact_path, artifact_size_bytes, artifact_sha256, feature_names, input_name, output_name, status, is_active,
  trained_at, deployed_at, created_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_cursor`;

const SCOPE = `website_id IS NOT DISTINCT FROM ?::uuid`;

type Row = Record<string, any>;

// The ORM's pg type parsers leave timestamptz as text ("2026-11-25 20:13:47.012895+00").
const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

function toRecord(row: Row): ModelRecord & { cursor: string } {
  const period = row.training_data_period as { start?: string; end?: string } | null;
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    websiteId: row.website_id,
    modelType: row.model_type,
    algorithm: row.algorithm,
    hyperparameters: row.hyperparameters,
    trainingDataPeriod: period?.start && period.end ? { start: new Date(period.start), end: new Date(period.end) } : null,
    metrics: row.metrics ?? {},
    description: row.description,
    artifactPath: row.artifact_path,
    artifactSizeBytes: Number(row.artifact_size_bytes),
    artifactSha256: row.artifact_sha256,
    featureNames: row.feature_names ?? [],
    inputName: row.input_name,
    outputName: row.output_name,
    status: row.status,
    isActive: row.is_active === true,
    trainedAt: toDate(row.trained_at),
    deployedAt: toDate(row.deployed_at),
    createdAt: toDate(row.created_at)!,
    cursor: row.created_cursor,
  };
}

/**
 * ml_models and ml_model_activations, in the registry's words. Raw SQL over
 * the ORM's connection: activation needs advisory locks, row locks and
 * pg_notify in one transaction, which read better as SQL than as ORM calls.
 */
export class ModelRepository {
  constructor(private readonly knex: Knex) {}

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(fn);
  }

  /** Serialises every activation-changing transaction of one model name (all scopes). */
  async lockName(tx: Knex.Transaction, name: string): Promise<void> {
    await tx.raw(`SELECT pg_advisory_xact_lock(hashtext(?))`, [`recsys.model.${name}`]);
  }

  /** Serialises placing and removing one artifact file with the rows that reference it. */
  async lockArtifact(tx: Knex.Transaction, sha256: string): Promise<void> {
    await tx.raw(`SELECT pg_advisory_xact_lock(hashtext(?))`, [`recsys.artifact.${sha256}`]);
  }

  async findByNameVersion(name: string, version: string, q: Queryable = this.knex, forUpdate = false): Promise<ModelRecord | undefined> {
    const { rows } = await q.raw(`SELECT ${COLUMNS} FROM ml_models WHERE name = ? AND version = ?${forUpdate ? ' FOR UPDATE' : ''}`, [name, version]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async findById(id: string, q: Queryable = this.knex): Promise<ModelRecord | undefined> {
    const { rows } = await q.raw(`SELECT ${COLUMNS} FROM ml_models WHERE id = ?`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** The active version of exactly this scope. */
  async findActiveInScope(name: string, websiteId: string | null, q: Queryable = this.knex): Promise<ModelRecord | undefined> {
    const { rows } = await q.raw(`SELECT ${COLUMNS} FROM ml_models WHERE name = ? AND ${SCOPE} AND is_active FOR UPDATE`, [name, websiteId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** The version serving (name, website): website-specific first, else global. */
  async findServing(name: string, websiteId: string | null, q: Queryable = this.knex): Promise<ModelRecord | undefined> {
    const { rows } = await q.raw(
      `SELECT ${COLUMNS} FROM ml_models WHERE name = ? AND is_active AND (website_id IS NULL OR website_id = ?::uuid)
       ORDER BY website_id IS NULL LIMIT 1`,
      [name, websiteId],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** The active ids of the global and the website scope, and the snapshot they were read in (pg_snapshot text). */
  async readScopes(name: string, websiteId: string | null): Promise<{ globalId: string | null; siteId: string | null; snapshot: string }> {
    const { rows } = await this.knex.raw(
      `SELECT (SELECT id FROM ml_models WHERE name = ? AND website_id IS NULL AND is_active) AS global_id,
              (SELECT id FROM ml_models WHERE name = ? AND website_id = ?::uuid AND is_active) AS site_id,
              pg_current_snapshot()::text AS snapshot`,
      [name, name, websiteId],
    );
    return { globalId: rows[0].global_id, siteId: rows[0].site_id, snapshot: rows[0].snapshot };
  }

  async websiteExists(websiteId: string): Promise<boolean> {
    const { rows } = await this.knex.raw(`SELECT 1 FROM website WHERE website_id = ?::uuid`, [websiteId]);
    return rows.length > 0;
  }

  /** Inserts a new version; resolves undefined when (name, version) already exists (the caller re-reads). */
  async insert(m: NewModel, tx: Knex.Transaction): Promise<ModelRecord | undefined> {
    const { rows } = await tx.raw(
      `INSERT INTO ml_models (name, version, website_id, model_type, algorithm, hyperparameters, training_data_period, metrics,
         description, artifact_path, artifact_size_bytes, artifact_sha256, feature_names, input_name, output_name, status, is_active, trained_at)
       VALUES (?, ?, ?::uuid, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, false, ?)
       ON CONFLICT (name, version) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        m.name,
        m.version,
        m.websiteId,
        m.modelType,
        m.algorithm,
        m.hyperparameters === null ? null : JSON.stringify(m.hyperparameters),
        m.trainingDataPeriod === null ? null : JSON.stringify({ start: m.trainingDataPeriod.start.toISOString(), end: m.trainingDataPeriod.end.toISOString() }),
        JSON.stringify(m.metrics),
        m.description,
        m.artifactPath,
        m.artifactSizeBytes,
        m.artifactSha256,
        JSON.stringify(m.featureNames),
        m.inputName,
        m.outputName,
        m.status,
        m.trainedAt,
      ],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async deactivate(id: string, tx: Knex.Transaction): Promise<ModelRecord> {
    const { rows } = await tx.raw(`UPDATE ml_models SET is_active = false, updated_at = now() WHERE id = ? RETURNING ${COLUMNS}`, [id]);
    return toRecord(rows[0]);
  }

  /** Marks a version active, stamps deployed_at and promotes validating → production. */
  async activate(id: string, tx: Knex.Transaction): Promise<ModelRecord> {
    const { rows } = await tx.raw(
      `UPDATE ml_models SET is_active = true, deployed_at = clock_timestamp(), updated_at = now(),
         status = CASE WHEN status = 'validating' THEN 'production' ELSE status END
       WHERE id = ? RETURNING ${COLUMNS}`,
      [id],
    );
    return toRecord(rows[0]);
  }

  async recordActivation(m: ModelRecord, tx: Knex.Transaction): Promise<void> {
    await tx.raw(`INSERT INTO ml_model_activations (model_id, name, website_id) VALUES (?, ?, ?::uuid)`, [m.id, m.name, m.websiteId]);
  }

  /** Activation history of one scope, newest first, with each version's current status. */
  async activationHistory(name: string, websiteId: string | null, tx: Knex.Transaction): Promise<{ id: string; modelId: string; status: ModelStatusName }[]> {
    const { rows } = await tx.raw(
      `SELECT a.id::text AS id, a.model_id, m.status FROM ml_model_activations a JOIN ml_models m ON m.id = a.model_id
       WHERE a.name = ? AND a.${SCOPE} ORDER BY a.id DESC`,
      [name, websiteId],
    );
    return rows.map((r: Row) => ({ id: r.id, modelId: r.model_id, status: r.status }));
  }

  async deleteActivations(ids: string[], tx: Knex.Transaction): Promise<void> {
    if (ids.length > 0) await tx.raw(`DELETE FROM ml_model_activations WHERE id = ANY(?::bigint[])`, [`{${ids.join(',')}}`]); // knex expands JS arrays in bindings: pass a literal
  }

  async setStatus(id: string, status: ModelStatusName, tx: Knex.Transaction): Promise<ModelRecord> {
    const { rows } = await tx.raw(`UPDATE ml_models SET status = ?, updated_at = now() WHERE id = ? RETURNING ${COLUMNS}`, [status, id]);
    return toRecord(rows[0]);
  }

  async setMetrics(id: string, metrics: Record<string, number>, tx: Knex.Transaction): Promise<ModelRecord> {
    const { rows } = await tx.raw(`UPDATE ml_models SET metrics = ?::jsonb, updated_at = now() WHERE id = ? RETURNING ${COLUMNS}`, [JSON.stringify(metrics), id]);
    return toRecord(rows[0]);
  }

  async delete(id: string, tx: Knex.Transaction): Promise<void> {
    await tx.raw(`DELETE FROM ml_models WHERE id = ?`, [id]);
  }

  async countBySha(sha256: string, tx: Knex.Transaction): Promise<number> {
    const { rows } = await tx.raw(`SELECT count(*)::int AS n FROM ml_models WHERE artifact_sha256 = ?`, [sha256]);
    return rows[0].n;
  }

  /** Tells watchers (after commit) the state of one scope. */
  async notifyActivation(name: string, websiteId: string | null, tx: Knex.Transaction): Promise<void> {
    await tx.raw(
      `SELECT pg_notify(?, json_build_object('name', ?::text, 'websiteId', ?::uuid,
         'activeId', (SELECT id FROM ml_models WHERE name = ? AND ${SCOPE} AND is_active),
         'xid', pg_current_xact_id()::text)::text)`,
      [ACTIVATION_CHANNEL, name, websiteId, name, websiteId],
    );
  }

  /** One page, newest first; `after` is the cursor of the last row of the previous page. */
  async list(filter: ListFilter, limit: number, after?: { cursor: string; id: string }): Promise<(ModelRecord & { cursor: string })[]> {
    const where: string[] = [];
    const params: Knex.RawBinding[] = [];
    if (filter.name) (where.push('name = ?'), params.push(filter.name));
    if (filter.statuses.length > 0) (where.push(`status = ANY(?::text[])`), params.push(`{${filter.statuses.join(',')}}`));
    if (filter.websiteId) (where.push('website_id = ?::uuid'), params.push(filter.websiteId));
    if (filter.activeOnly) where.push('is_active');
    if (after) (where.push('(created_at, id) < (?::timestamptz, ?::uuid)'), params.push(after.cursor, after.id));
    params.push(limit);
    const { rows } = await this.knex.raw(
      `SELECT ${COLUMNS} FROM ml_models ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`,
      params,
    );
    return rows.map(toRecord);
  }
}

import { createHash } from 'node:crypto';
import { DataLossError, FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@recsys/service-kit';
import { ArtifactMissingError, type ArtifactStore } from './artifact-store';
import { checkActivatable, checkTransition, type ModelStatusName } from './lifecycle';
import { checkMetrics, checkName, checkVersion, checkWebsiteId, type ModelRecord } from './model-record';
import type { ListFilter, ModelRepository } from './model.repository';

const label = (m: { name: string; version: string }) => `${m.name}@${m.version}`;
export const DOWNLOAD_CHUNK_BYTES = 1024 * 1024;

export interface ModelPage {
  models: ModelRecord[];
  nextPageToken: string;
}

/**
 * The registry's domain logic past upload: lifecycle, activation and rollback
 * (one active version per name and scope, serialised per name by an advisory
 * lock and enforced by the partial unique index), reads, deletion. Throws
 * DomainErrors only; knows nothing of gRPC.
 */
export class ModelRegistryService {
  constructor(private readonly deps: { repo: ModelRepository; store: ArtifactStore }) {}

  async get(name: string, version: string): Promise<ModelRecord> {
    const found = await this.deps.repo.findByNameVersion(checkName(name), checkVersion(version));
    if (!found) throw new NotFoundError(`no model version ${label({ name, version })}`);
    return found;
  }

  async getActive(name: string, websiteId: string): Promise<ModelRecord> {
    const site = checkWebsiteId(websiteId);
    const found = await this.deps.repo.findServing(checkName(name), site);
    if (!found) throw new NotFoundError(`no active version of "${name}"${site ? ` for website ${site} or globally` : ' (global scope)'}`);
    return found;
  }

  async activate(name: string, version: string): Promise<{ model: ModelRecord; previous?: ModelRecord }> {
    const { repo } = this.deps;
    checkName(name);
    checkVersion(version);
    return repo.transaction(async (tx) => {
      await repo.lockName(tx, name);
      const target = await repo.findByNameVersion(name, version, tx, true);
      if (!target) throw new NotFoundError(`no model version ${label({ name, version })}`);
      if (target.isActive) return { model: target };
      checkActivatable(target.status, label(target));
      const current = await repo.findActiveInScope(name, target.websiteId, tx);
      const previous = current ? await repo.deactivate(current.id, tx) : undefined;
      const model = await repo.activate(target.id, tx);
      await repo.recordActivation(model, tx);
      await repo.notifyActivation(name, model.websiteId, tx);
      return { model, previous };
    });
  }

  async deactivate(name: string, version: string): Promise<{ model: ModelRecord; wasActive: boolean }> {
    const { repo } = this.deps;
    checkName(name);
    checkVersion(version);
    return repo.transaction(async (tx) => {
      await repo.lockName(tx, name);
      const target = await repo.findByNameVersion(name, version, tx, true);
      if (!target) throw new NotFoundError(`no model version ${label({ name, version })}`);
      if (!target.isActive) return { model: target, wasActive: false };
      const model = await repo.deactivate(target.id, tx);
      await repo.notifyActivation(name, model.websiteId, tx);
      return { model, wasActive: true };
    });
  }

  /**
   * Undoes the latest activation of (name, scope): its history entries are
   * removed, and the newest earlier entry whose version is still there and
   * not archived becomes active again (without a new history entry, so a
   * second rollback walks further back).
   */
  async rollback(name: string, websiteId: string): Promise<{ model: ModelRecord; rolledBack: ModelRecord }> {
    const { repo } = this.deps;
    checkName(name);
    const scope = checkWebsiteId(websiteId);
    const where = scope ? `website ${scope}` : 'the global scope';
    return repo.transaction(async (tx) => {
      await repo.lockName(tx, name);
      const current = await repo.findActiveInScope(name, scope, tx);
      if (!current) throw new FailedPreconditionError(`no active version of "${name}" in ${where}: nothing to roll back`);
      const history = await repo.activationHistory(name, scope, tx);
      const undone: string[] = [];
      let i = 0;
      for (; i < history.length && history[i].modelId === current.id; i++) undone.push(history[i].id);
      for (; i < history.length && (history[i].modelId === current.id || history[i].status === 'archived' || history[i].status === 'training'); i++) {
        undone.push(history[i].id);
      }
      const back = history[i];
      if (!back) throw new FailedPreconditionError(`"${name}" in ${where} has no earlier version to roll back to (archived and deleted versions are skipped)`);
      await repo.deleteActivations(undone, tx);
      const rolledBack = await repo.deactivate(current.id, tx);
      const model = await repo.activate(back.modelId, tx);
      await repo.notifyActivation(name, scope, tx);
      return { model, rolledBack };
    });
  }

  async updateStatus(name: string, version: string, status: ModelStatusName | undefined): Promise<ModelRecord> {
    const { repo } = this.deps;
    checkName(name);
    checkVersion(version);
    if (!status) throw new InvalidArgumentError('must be TRAINING, VALIDATING, PRODUCTION or ARCHIVED', 'status');
    return repo.transaction(async (tx) => {
      await repo.lockName(tx, name);
      const target = await repo.findByNameVersion(name, version, tx, true);
      if (!target) throw new NotFoundError(`no model version ${label({ name, version })}`);
      checkTransition(target.status, status, target.isActive, label(target));
      return target.status === status ? target : repo.setStatus(target.id, status, tx);
    });
  }

  async updateMetrics(name: string, version: string, metrics: Record<string, number>, merge: boolean): Promise<ModelRecord> {
    const { repo } = this.deps;
    checkName(name);
    checkVersion(version);
    checkMetrics(metrics);
    return repo.transaction(async (tx) => {
      const target = await repo.findByNameVersion(name, version, tx, true);
      if (!target) throw new NotFoundError(`no model version ${label({ name, version })}`);
      const next = checkMetrics(merge ? { ...target.metrics, ...metrics } : metrics);
      return repo.setMetrics(target.id, next, tx);
    });
  }

  /** Deletes an inactive version; its file goes too unless another version has the same bytes. */
  async delete(name: string, version: string): Promise<{ model: ModelRecord; artifactDeleted: boolean }> {
    const { repo, store } = this.deps;
    checkName(name);
    checkVersion(version);
    return repo.transaction(async (tx) => {
      await repo.lockName(tx, name);
      const target = await repo.findByNameVersion(name, version, tx, true);
      if (!target) throw new NotFoundError(`no model version ${label({ name, version })}`);
      if (target.isActive) {
        throw new FailedPreconditionError(`${label(target)} is active and serving: activate another version or deactivate it first`);
      }
      await repo.lockArtifact(tx, target.artifactSha256);
      await repo.delete(target.id, tx);
      const shared = (await repo.countBySha(target.artifactSha256, tx)) > 0;
      // Removed while the artifact lock is held, so a concurrent upload of the same bytes cannot lose its file.
      const artifactDeleted = shared ? false : await store.delete(target.artifactPath);
      return { model: target, artifactDeleted };
    });
  }

  async list(request: ListFilter & { pageSize: number; pageToken: string }): Promise<ModelPage> {
    if (request.name) checkName(request.name);
    const websiteId = checkWebsiteId(request.websiteId ?? '') ?? undefined;
    if (!Number.isInteger(request.pageSize) || request.pageSize < 0 || request.pageSize > 1000) {
      throw new InvalidArgumentError(`must be 0..1000 (0 = 100), got ${request.pageSize}`, 'page_size');
    }
    const limit = request.pageSize || 100;
    const filter: ListFilter = { name: request.name || undefined, statuses: [...new Set(request.statuses)].sort(), websiteId, activeOnly: request.activeOnly };
    const fingerprint = createHash('sha256').update(JSON.stringify(filter)).digest('base64url').slice(0, 16);
    let after: { cursor: string; id: string } | undefined;
    if (request.pageToken) {
      try {
        const t = JSON.parse(Buffer.from(request.pageToken, 'base64url').toString('utf8')) as { c: string; i: string; f: string };
        if (t.f !== fingerprint || typeof t.c !== 'string' || typeof t.i !== 'string') throw new Error('mismatch');
        after = { cursor: t.c, id: t.i };
      } catch {
        throw new InvalidArgumentError('not a token this service issued for these filters', 'page_token');
      }
    }
    const rows = await this.deps.repo.list(filter, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextPageToken =
      rows.length > limit && last ? Buffer.from(JSON.stringify({ c: last.cursor, i: last.id, f: fingerprint })).toString('base64url') : '';
    return { models: page.map(({ cursor: _c, ...m }) => m), nextPageToken };
  }

  /** The Model first, then the file's bytes; ends with DATA_LOSS if the stored bytes no longer match their sha256. */
  async *download(name: string, version: string): AsyncGenerator<{ model: ModelRecord } | { chunk: Buffer }> {
    const model = await this.get(name, version);
    const { store } = this.deps;
    try {
      await store.size(model.artifactPath);
    } catch (err) {
      if (err instanceof ArtifactMissingError) throw new DataLossError(`${label(model)}: ${err.message}`);
      throw err;
    }
    yield { model };
    const hash = createHash('sha256');
    let sent = 0;
    try {
      for await (const chunk of store.read(model.artifactPath, DOWNLOAD_CHUNK_BYTES)) {
        hash.update(chunk);
        sent += chunk.length;
        yield { chunk };
      }
    } catch (err) {
      if (err instanceof ArtifactMissingError) throw new DataLossError(`${label(model)}: ${err.message}`);
      throw err;
    }
    const sha = hash.digest('hex');
    if (sha !== model.artifactSha256 || sent !== model.artifactSizeBytes) {
      throw new DataLossError(`${label(model)}: the stored artifact no longer matches (sha256 ${sha}, ${sent} bytes; expected ${model.artifactSha256}, ${model.artifactSizeBytes} bytes)`);
    }
  }
}

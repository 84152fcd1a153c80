import { UnavailableError } from '@recsys/service-kit';
import type { ActivationListener } from './activation-listener';
import { checkName, checkWebsiteId, type ModelRecord } from './model-record';
import type { ActivationNotice, ModelRepository } from './model.repository';

type Event = { kind: 'notice'; notice: ActivationNotice } | { kind: 'resync' } | { kind: 'closed' };

/** Whether transaction `xid` had committed when `snapshot` (pg_snapshot text `xmin:xmax:xip,…`) was taken. */
export function visibleIn(xid: string, snapshot: string): boolean {
  const [xmin, xmax, xip] = snapshot.split(':');
  const x = BigInt(xid);
  if (x < BigInt(xmin)) return true;
  if (x >= BigInt(xmax)) return false;
  return !(xip ? xip.split(',') : []).some((p) => BigInt(p) === x);
}

/**
 * WatchActiveModel: the serving state of (name, website) now, then every
 * change, in commit order. Each notice carries the new active id of one
 * scope; notices already reflected by the last read (their transaction is
 * visible in its snapshot) are dropped, so a stream never steps back to an
 * older state. After a reconnect the state is re-read, which covers notices
 * lost while disconnected.
 */
export class ActiveModelWatch {
  constructor(private readonly deps: { repo: ModelRepository; listener: ActivationListener }) {}

  async *watch(name: string, websiteId: string, signal: AbortSignal): AsyncGenerator<ModelRecord | null> {
    checkName(name);
    const site = checkWebsiteId(websiteId);
    const queue: Event[] = [];
    let wake: (() => void) | undefined;
    const push = (e: Event) => {
      queue.push(e);
      wake?.();
    };
    const unsubscribe = this.deps.listener.subscribe({
      notice: (notice) => {
        if (notice.name === name && (notice.websiteId === null || notice.websiteId === site)) push({ kind: 'notice', notice });
      },
      resync: () => push({ kind: 'resync' }),
      closed: () => push({ kind: 'closed' }),
    });
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      // Subscribed before reading: nothing can fall between the read and the first notice.
      let state = await this.deps.repo.readScopes(name, site);
      let ids = { global: state.globalId, site: state.siteId };
      let emitted: string | null | undefined;
      const resolve = () => ids.site ?? ids.global;

      const current = async (): Promise<{ id: string | null; model: ModelRecord | null } | undefined> => {
        const id = resolve();
        if (id === emitted) return undefined;
        if (id === null) return { id, model: null };
        const model = await this.deps.repo.findById(id);
        // Deleted since (it was deactivated first): a later notice brings the state after that.
        if (!model) return undefined;
        return { id, model: { ...model, isActive: true } };
      };

      const first = await current();
      emitted = first?.id ?? null;
      yield first?.model ?? null;

      while (!signal.aborted) {
        const event = queue.shift();
        if (!event) {
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          continue;
        }
        if (event.kind === 'closed') throw new UnavailableError('registry-service is shutting down; re-subscribe to WatchActiveModel');
        if (event.kind === 'resync') {
          state = await this.deps.repo.readScopes(name, site);
          ids = { global: state.globalId, site: state.siteId };
        } else {
          const n = event.notice;
          if (visibleIn(n.xid, state.snapshot)) continue;
          if (n.websiteId === null) ids.global = n.activeId;
          else ids.site = n.activeId;
        }
        const next = await current();
        if (next) {
          emitted = next.id;
          yield next.model;
        }
      }
    } finally {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
    }
  }
}

import { Client } from 'pg';
import type { Logger } from '@recsys/service-kit';
import { ACTIVATION_CHANNEL, type ActivationNotice } from './model.repository';

export interface ActivationSubscriber {
  notice(n: ActivationNotice): void;
  /** The connection was lost and is back: notices in between are lost, so re-read state. */
  resync(): void;
  /** The listener is shutting down. */
  closed(): void;
}

/**
 * One dedicated PostgreSQL connection LISTENing on the activation channel for
 * the whole service, fanned out to every WatchActiveModel stream. When the
 * connection drops (server restart, pg_terminate_backend) it reconnects with
 * backoff and asks every subscriber to re-read the state: NOTIFY is not
 * queued for absent listeners (docs/platform-notes.md).
 */
export class ActivationListener {
  private client: Client | undefined;
  private readonly subscribers = new Set<ActivationSubscriber>();
  private closing = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  /** Resolves when the first LISTEN is in place. */
  private ready: Promise<void> | undefined;
  /** Completed reconnections, for logs and tests. */
  reconnections = 0;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly backoff = { initialMs: 50, maxMs: 5000 },
  ) {}

  start(): Promise<void> {
    return (this.ready ??= this.connect(false));
  }

  subscribe(sub: ActivationSubscriber): () => void {
    if (this.closing) {
      sub.closed();
      return () => undefined;
    }
    this.subscribers.add(sub);
    return () => this.subscribers.delete(sub);
  }

  /** The server process id of the LISTEN connection (tests cut it with pg_terminate_backend). */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  private async connect(isReconnect: boolean): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'registry-service:watch' });
    client.on('notification', (msg) => {
      if (msg.channel !== ACTIVATION_CHANNEL || !msg.payload) return;
      let notice: ActivationNotice;
      try {
        notice = JSON.parse(msg.payload) as ActivationNotice;
      } catch {
        return;
      }
      for (const sub of this.subscribers) sub.notice(notice);
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.closing) return;
      this.logger.warn({ err: err?.message }, 'lost the LISTEN connection for WatchActiveModel; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${ACTIVATION_CHANNEL}`);
    } catch (err) {
      client.end().catch(() => undefined);
      if (!isReconnect) throw err;
      this.scheduleReconnect();
      return;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    if (isReconnect) {
      this.reconnections++;
      this.logger.info('LISTEN connection for WatchActiveModel restored; watchers re-read their state');
      for (const sub of this.subscribers) sub.resync();
    }
  }

  private scheduleReconnect() {
    if (this.closing || this.reconnectTimer) return;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.attempt++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect(true);
    }, delay);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    for (const sub of this.subscribers) sub.closed();
    this.subscribers.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

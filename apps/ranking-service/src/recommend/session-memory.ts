/**
 * What this process knows of a session: the items its pages were about
 * (`context.item_id` of earlier Recommend calls) and the items clicked or
 * converted (RecordOutcome), most recent first. Used as `recent_item_ids`
 * when a call sends none (the contract's "uses what it knows of the
 * session"). In memory, per process, bounded (oldest sessions evicted) and
 * forgotten after `ttlMs` of inactivity: a hint, not a record.
 */
export class SessionMemory {
  private readonly sessions = new Map<string, { at: number; items: string[] }>();

  constructor(
    private readonly maxSessions = 100_000,
    private readonly ttlMs = 30 * 60_000,
    private readonly perSession = 20,
  ) {}

  remember(websiteId: string, sessionId: string, itemId: string, now = Date.now()): void {
    const key = `${websiteId}|${sessionId}`;
    const s = this.sessions.get(key);
    const items = s && now - s.at <= this.ttlMs ? s.items.filter((i) => i !== itemId) : [];
    items.unshift(itemId);
    if (items.length > this.perSession) items.length = this.perSession;
    // Re-insert so Map order is least recently active first.
    this.sessions.delete(key);
    this.sessions.set(key, { at: now, items });
    while (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
  }

  recent(websiteId: string, sessionId: string, now = Date.now()): string[] {
    const s = this.sessions.get(`${websiteId}|${sessionId}`);
    return s && now - s.at <= this.ttlMs ? s.items : [];
  }
}

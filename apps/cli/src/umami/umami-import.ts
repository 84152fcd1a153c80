import type { Event, TrackEventsResponse } from '@recsys/contracts/profile';
import { toTrackEvents, type SkipReason, type UmamiRow } from './umami-mapping';
import { START, type UmamiSource, type UmamiWebsite, type Watermark } from './umami-source';
import type { WatermarkFile, WebsiteState } from './watermark-file';

const DAY_MS = 86_400_000;

export interface ImportOptions {
  source: UmamiSource;
  sourceKey: string;
  watermarks: WatermarkFile;
  /** Sends one batch through profile-service's TrackEvents. */
  track: (websiteId: string, events: Event[]) => Promise<TrackEventsResponse>;
  /** Creates or updates the websites in the Recsys database (profile-service's UpsertWebsites). */
  upsertWebsites: (websites: UmamiWebsite[]) => Promise<void>;
  /** Only these websites (lowercase ids); default every website Umami has events for. */
  websites?: string[];
  batchSize: number;
  /**
   * TrackEvents batches in flight at once (1 = one after another). The next page is read while they are
   * sent; the watermark still moves only past batches that were acknowledged, in order. Profiles do not
   * depend on the order batches land in (docs/profiles.md), so any value gives the same profiles.
   */
  inFlight: number;
  /** Events newer than now - settle are left for the next run (Umami may still be committing them). */
  settleMs: number;
  /** Days before the watermark checked for events that arrived late (0: no check; at most 30, the dedupe horizon). */
  lateDays: number;
  /** Reporting currency for every website (upper case); default: each website's most common, decided once. */
  currency?: string;
  identifiedOnly: boolean;
  now: () => Date;
  onProgress?: (p: { websiteId: string; read: number; total: number }) => void;
  onWebsite?: (websiteId: string, total: number) => void;
}

export interface WebsiteSummary {
  websiteId: string;
  read: number;
  accepted: number;
  duplicates: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** Events accepted from days re-read because Umami got events there after they were imported. */
  late: number;
  profilesUpdated: number;
  currency: string | null;
  from: Watermark;
  to: Watermark;
}

export class UnknownWebsitesError extends Error {
  constructor(readonly websiteIds: string[]) {
    super(`the source has no website ${websiteIds.join(', ')} with events (or Umami deleted it)`);
  }
}

/**
 * The incremental import: copies the websites, then per website checks the
 * recent days for late events, reads events after the watermark in pages,
 * maps them, sends each page as one TrackEvents batch (up to `inFlight` at
 * once), and moves the watermark only once the service acknowledged it and
 * every batch before it. Replays are harmless
 * (event ids dedupe), so a crash between the two at worst re-sends a batch.
 */
export async function importUmami(o: ImportOptions): Promise<WebsiteSummary[]> {
  const all = await o.source.websites();
  const wanted = o.websites?.length ? o.websites : all.map((w) => w.websiteId);
  const missing = wanted.filter((id) => !all.some((w) => w.websiteId === id));
  if (missing.length) throw new UnknownWebsitesError(missing);
  const websites = all.filter((w) => wanted.includes(w.websiteId));
  for (let i = 0; i < websites.length; i += 1000) await o.upsertWebsites(websites.slice(i, i + 1000));
  const summaries: WebsiteSummary[] = [];
  for (const { websiteId } of websites) summaries.push(await importWebsite(o, websiteId));
  return summaries;
}

/** The watermark just after `row`. */
const markOf = (row: UmamiRow): Watermark => ({ createdAt: row.created_at_text, eventId: row.event_id });

async function importWebsite(o: ImportOptions, websiteId: string): Promise<WebsiteSummary> {
  const until = new Date(o.now().getTime() - o.settleMs);
  let state: WebsiteState = o.watermarks.get(o.sourceKey, websiteId) ?? { ...START };
  // Decided when first needed (a row with a currency), not on every run: --follow polls every few seconds.
  let currency = o.currency ?? state.currency ?? null;
  const from: Watermark = { createdAt: state.createdAt, eventId: state.eventId };
  const s: WebsiteSummary = { websiteId, read: 0, accepted: 0, duplicates: 0, skipped: {}, late: 0, profilesUpdated: 0, currency, from, to: from };
  const send = async (rows: UmamiRow[], count: boolean) => {
    if (currency === null && rows.some((r) => r.data?.some(([key]) => key === 'currency'))) {
      s.currency = currency = await o.source.mostCommonCurrency(websiteId);
    }
    const events: Event[] = [];
    for (const row of rows) {
      const mapped = toTrackEvents(row, { currency, identifiedOnly: o.identifiedOnly });
      if ('events' in mapped) events.push(...mapped.events);
      else if (count) s.skipped[mapped.skipped] = (s.skipped[mapped.skipped] ?? 0) + 1;
    }
    // A batch of line items may exceed the contract's 10,000 events: split it.
    for (let i = 0; i < events.length; i += 10_000) {
      const res = await o.track(websiteId, events.slice(i, i + 10_000));
      s.profilesUpdated += res.profilesUpdatedCount;
      if (count) {
        s.accepted += res.acceptedCount;
        s.duplicates += res.duplicateCount;
      } else {
        s.late += res.acceptedCount;
      }
    }
  };
  const save = async (next: WebsiteState) => {
    const oldest = Date.parse(next.createdAt) - o.lateDays * DAY_MS;
    const days = Object.fromEntries(Object.entries(next.days ?? {}).filter(([day]) => Date.parse(`${day}T23:59:59.999Z`) >= oldest));
    state = { ...next, days, ...(currency ? { currency } : {}) };
    await o.watermarks.set(o.sourceKey, websiteId, state);
  };

  // Late events: Umami accepts a client timestamp, so an event can land before the watermark.
  if (state.createdAt !== START.createdAt && o.lateDays > 0) {
    const since = new Date(Math.floor((Date.parse(state.createdAt) - o.lateDays * DAY_MS) / DAY_MS) * DAY_MS);
    const counts = await o.source.countsPerDay(websiteId, since, state);
    for (const day of Object.keys(counts).sort()) {
      if (counts[day] === (state.days?.[day] ?? 0)) continue;
      for (let after: Watermark = START; ; ) {
        const rows = await o.source.dayPage(websiteId, day, after, state, o.batchSize);
        if (rows.length === 0) break;
        await send(rows, false);
        after = markOf(rows[rows.length - 1]);
        if (rows.length < o.batchSize) break;
      }
      await save({ ...state, days: { ...state.days, [day]: counts[day] } });
    }
  }

  // The count only feeds the progress display.
  const total = o.onWebsite ? await o.source.countAfter(websiteId, s.to, until) : 0;
  o.onWebsite?.(websiteId, total);
  // Up to inFlight batches are sent while the next page is read. Each watermark is saved after its batch
  // and every batch before it were acknowledged (the saves form one chain), so a failure leaves the
  // watermark at the last batch that, with all before it, is stored.
  let days = { ...state.days };
  let saved: Promise<void> = Promise.resolve();
  const window: Promise<void>[] = [];
  for (;;) {
    const rows = await o.source.page(websiteId, s.to, until, o.batchSize);
    if (rows.length === 0) break;
    const sent = send(rows, true);
    s.read += rows.length;
    s.to = markOf(rows[rows.length - 1]);
    days = { ...days };
    for (const r of rows) days[r.created_at_text.slice(0, 10)] = (days[r.created_at_text.slice(0, 10)] ?? 0) + 1;
    const mark = { ...s.to, days };
    saved = Promise.all([saved, sent]).then(() => save({ ...state, ...mark }));
    // Awaited below or at the end; this handler only keeps a failure from counting as unhandled meanwhile.
    saved.catch(() => undefined);
    window.push(saved);
    if (window.length >= o.inFlight) await window.shift();
    o.onProgress?.({ websiteId, read: s.read, total });
    if (rows.length < o.batchSize) break;
  }
  await saved;
  if (currency && state.currency !== currency) await save(state);
  return s;
}

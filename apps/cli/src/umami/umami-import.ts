import type { Event, TrackEventsResponse } from '@recsys/contracts/profile';
import { toTrackEvent } from './umami-mapping';
import { START, type UmamiSource, type Watermark } from './umami-source';
import type { WatermarkFile } from './watermark-file';

export interface ImportOptions {
  source: UmamiSource;
  sourceKey: string;
  watermarks: WatermarkFile;
  /** Sends one batch through profile-service's TrackEvents. */
  track: (websiteId: string, events: Event[]) => Promise<TrackEventsResponse>;
  websites?: string[];
  batchSize: number;
  /** Events newer than now - settle are left for the next run (Umami may still commit older ones). */
  settleMs: number;
  now: () => Date;
  onProgress?: (p: { websiteId: string; read: number; total: number }) => void;
  onWebsite?: (websiteId: string, total: number) => void;
}

export interface WebsiteSummary {
  websiteId: string;
  read: number;
  accepted: number;
  duplicates: number;
  skipped: number;
  profilesUpdated: number;
  from: Watermark;
  to: Watermark;
}

/**
 * The incremental import: per website, read events after the watermark in
 * pages, map them, send each page as one TrackEvents batch, and move the
 * watermark only once the service acknowledged it. Replays are harmless
 * (event ids dedupe), so a crash between the two at worst re-sends a batch.
 */
export async function importUmami(o: ImportOptions): Promise<WebsiteSummary[]> {
  const until = new Date(o.now().getTime() - o.settleMs);
  const websites = o.websites?.length ? o.websites : await o.source.websites();
  const summaries: WebsiteSummary[] = [];
  for (const websiteId of websites) {
    const from = o.watermarks.get(o.sourceKey, websiteId) ?? START;
    const total = await o.source.countAfter(websiteId, from, until);
    o.onWebsite?.(websiteId, total);
    const s: WebsiteSummary = { websiteId, read: 0, accepted: 0, duplicates: 0, skipped: 0, profilesUpdated: 0, from, to: from };
    for (;;) {
      const rows = await o.source.page(websiteId, s.to, until, o.batchSize);
      if (rows.length === 0) break;
      const events = rows.map(toTrackEvent).filter((e): e is Event => e !== null);
      s.skipped += rows.length - events.length;
      if (events.length > 0) {
        const res = await o.track(websiteId, events);
        s.accepted += res.acceptedCount;
        s.duplicates += res.duplicateCount;
        s.profilesUpdated += res.profilesUpdatedCount;
      }
      s.read += rows.length;
      const last = rows[rows.length - 1];
      s.to = { createdAt: last.created_at_text, eventId: last.event_id };
      await o.watermarks.set(o.sourceKey, websiteId, s.to);
      o.onProgress?.({ websiteId, read: s.read, total });
      if (rows.length < o.batchSize) break;
    }
    summaries.push(s);
  }
  return summaries;
}

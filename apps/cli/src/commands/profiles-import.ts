import { ProfileServiceClient, type Event, type TrackEventsResponse } from '@recsys/contracts/profile';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { channelCredentials, type CliContext } from '../cli-context';
import { EXIT, exitCodeForStatus } from '../exit-codes';
import { isServiceError, unaryCall, UUID } from '../command-action';
import { importUmami, UnknownWebsitesError, type ImportOptions, type WebsiteSummary } from '../umami/umami-import';
import { UmamiSource, type UmamiWebsite } from '../umami/umami-source';
import { WatermarkFile } from '../umami/watermark-file';


interface ImportFlags {
  sourceDatabaseUrl: string;
  sourceSchema?: string;
  website: string[];
  batchSize: string;
  inFlight: string;
  settleSeconds: string;
  lateDays: string;
  currency?: string;
  identifiedOnly?: boolean;
  stateFile?: string;
  follow?: boolean;
  intervalSeconds: string;
}

/** `recsys profiles import-umami`: build profiles from an Umami database, once or following it. */
export function registerUmamiImport(profiles: Command, ctx: () => CliContext): void {
  profiles
    .command('import-umami')
    .description(
      'Build profiles from an Umami database (2.x, 3.0, 3.1: session, website_event, event_data), incrementally: ' +
        'a run reads events newer than the last one read, and the recent days again where Umami got late events. ' +
        'Websites are copied to the Recsys database (UpsertWebsites), events go through TrackEvents.',
    )
    .requiredOption('--source-database-url <url>', 'the Umami PostgreSQL database to read (read-only; may be the one Recsys uses)')
    .option('--source-schema <name>', "the schema holding Umami's tables (default: the connection's search path)")
    .option('--website <uuid>', 'only this website (repeatable); default: every website with events', (v, acc: string[]) => [...acc, v], [])
    .option('--batch-size <n>', 'Umami events per TrackEvents batch, 1..10000', '1000')
    .option('--in-flight <n>', 'TrackEvents batches sent at once while the next page is read, 1..16', '4')
    .option('--settle-seconds <n>', 'leave events younger than this for the next run (Umami may still be committing older ones)', '60')
    .option('--late-days <n>', 'days before the watermark re-checked for late events (Umami accepts client timestamps), 0..30', '3')
    .option('--currency <code>', "the websites' reporting currency (default: each website's most common, decided at its first import)")
    .option('--identified-only', 'import only visitors the site identified (session.distinct_id set)')
    .option('--state-file <path>', 'where watermarks are kept (default: $RECSYS_STATE_DIR/umami-import.json or ~/.recsys/umami-import.json)')
    .option('--follow', 'keep importing new events until Ctrl-C')
    .option('--interval-seconds <n>', 'with --follow: seconds between polls when there is nothing new', '5')
    .action(async (flags: ImportFlags) => {
      const c = ctx();
      const [batchSize, inFlight, settleSeconds, lateDays, interval] = [flags.batchSize, flags.inFlight, flags.settleSeconds, flags.lateDays, flags.intervalSeconds].map(Number);
      const bad = [
        !/^postgres(ql)?:\/\/.+/.test(flags.sourceDatabaseUrl) && '--source-database-url must be a postgres:// URL',
        !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000) && '--batch-size must be 1..10000',
        !(Number.isInteger(inFlight) && inFlight >= 1 && inFlight <= 16) && '--in-flight must be 1..16',
        !(Number.isFinite(settleSeconds) && settleSeconds >= 0) && '--settle-seconds must be a number >= 0',
        !(Number.isInteger(lateDays) && lateDays >= 0 && lateDays <= 30) && '--late-days must be a whole number 0..30 (event ids are remembered for 30 days)',
        !(Number.isFinite(interval) && interval > 0) && '--interval-seconds must be a number > 0',
        flags.currency !== undefined && !/^[A-Za-z]{3}$/.test(flags.currency) && '--currency must be a three-letter code such as EUR',
        ...flags.website.filter((w) => !UUID.test(w)).map((w) => `--website ${w} is not a UUID`),
      ].filter(Boolean);
      if (bad.length) {
        c.err.write(`recsys: ${bad.join('; ')}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      await runImport(c, flags, { batchSize, inFlight, settleMs: settleSeconds * 1000, lateDays, intervalMs: interval * 1000 });
    });
}

async function runImport(c: CliContext, flags: ImportFlags, n: { batchSize: number; inFlight: number; settleMs: number; lateDays: number; intervalMs: number }) {
  const client = new ProfileServiceClient(c.addresses.profile, channelCredentials());
  let source: UmamiSource | undefined;
  let bar: SingleBar | undefined;
  const stop = new AbortController();
  const onSignal = () => {
    if (!flags.follow) process.exit(130);
    c.err.write('\nrecsys: stopping after the current batch…\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    source = await UmamiSource.open(flags.sourceDatabaseUrl, flags.sourceSchema);
    const options: ImportOptions = {
      source,
      sourceKey: WatermarkFile.sourceKey(flags.sourceDatabaseUrl, flags.sourceSchema),
      watermarks: await WatermarkFile.open(flags.stateFile ?? WatermarkFile.defaultPath(process.env)),
      track: (websiteId: string, events: Event[]) => unaryCall<TrackEventsResponse>(c, client, 'trackEvents', { websiteId, events }),
      upsertWebsites: async (websites: UmamiWebsite[]) => {
        await unaryCall(c, client, 'upsertWebsites', { websites });
      },
      websites: flags.website.map((w) => w.toLowerCase()),
      batchSize: n.batchSize,
      inFlight: n.inFlight,
      settleMs: n.settleMs,
      lateDays: n.lateDays,
      currency: flags.currency?.toUpperCase(),
      identifiedOnly: Boolean(flags.identifiedOnly),
      now: () => new Date(),
    };
    if (!flags.follow) return void (await importOnce(c, options, () => bar, (b) => (bar = b)));
    await follow(c, options, n.intervalMs, stop.signal);
  } catch (err) {
    bar?.stop();
    if (isServiceError(err)) {
      c.err.write(`recsys: profile-service refused a batch: ${err.details || err.message}\n`);
      process.exitCode = exitCodeForStatus(err.code);
    } else {
      const message = err instanceof Error ? err.message : String(err);
      c.err.write(`recsys: ${message}\n`);
      // A source without Umami's tables is bad input, a website it lacks not found; anything else an unreachable database or service.
      process.exitCode = err instanceof UnknownWebsitesError ? EXIT.notFound : /has no Umami table/.test(message) ? EXIT.dataError : EXIT.unavailable;
    }
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    client.close();
    await source?.close().catch(() => undefined);
  }
}

async function importOnce(c: CliContext, options: ImportOptions, getBar: () => SingleBar | undefined, setBar: (b: SingleBar | undefined) => void) {
  const started = Date.now();
  const summaries = await importUmami({
    ...options,
    onWebsite: (websiteId, total) => {
      getBar()?.stop();
      setBar(undefined);
      if (!c.interactive) return void c.out.write(`website ${websiteId}: ${total} new events\n`);
      const bar = new SingleBar({ format: `${websiteId.slice(0, 8)} [{bar}] {value}/{total} events | {eta}s left`, stream: c.err as NodeJS.WriteStream });
      bar.start(total, 0);
      setBar(bar);
    },
    onProgress: ({ read }) => getBar()?.update(read),
  });
  getBar()?.stop();
  const table = new Table({
    head: ['website', 'read', 'accepted', 'duplicates', 'skipped', 'late', 'profile updates', 'currency', 'watermark'],
    // No colour codes when the output goes to a file or a pipe.
    style: c.interactive ? {} : { head: [], border: [] },
  });
  for (const s of summaries) {
    table.push([s.websiteId, s.read, s.accepted, s.duplicates, skippedText(s), s.late, s.profilesUpdated, s.currency ?? '-', s.to.createdAt]);
  }
  const read = summaries.reduce((sum, s) => sum + s.read, 0);
  const seconds = (Date.now() - started) / 1000;
  c.out.write(`${table.toString()}\n`);
  c.out.write(`imported ${read} events from ${summaries.length} website(s) in ${seconds.toFixed(1)} s (${Math.round(read / Math.max(seconds, 0.001))} events/s)\n`);
}

/** "12 (link 3, performance 9)" */
function skippedText(s: WebsiteSummary): string {
  const entries = Object.entries(s.skipped).filter(([, v]) => v);
  const total = entries.reduce((sum, [, v]) => sum + (v ?? 0), 0);
  return entries.length ? `${total} (${entries.map(([k, v]) => `${k.replace('_', ' ')} ${v}`).join(', ')})` : '0';
}

/** `--follow`: import, then poll every interval (at once while batches come back full) until stopped. */
async function follow(c: CliContext, options: ImportOptions, intervalMs: number, signal: AbortSignal) {
  let total = 0;
  let late = 0;
  while (!signal.aborted) {
    const summaries = await importUmami(options);
    const read = summaries.reduce((sum, s) => sum + s.read, 0);
    total += summaries.reduce((sum, s) => sum + s.accepted, 0);
    late += summaries.reduce((sum, s) => sum + s.late, 0);
    const newest = summaries.map((s) => s.to.createdAt).filter((t) => t !== '-infinity').sort().pop();
    const lag = newest ? `${((Date.now() - Date.parse(newest)) / 1000).toFixed(1)} s behind` : 'nothing imported yet';
    const line = `following ${summaries.length} website(s): ${total} events accepted, ${late} late; newest ${newest ?? '-'} (${lag})`;
    if (c.interactive) c.err.write(`\r${line}\x1b[K`);
    else if (read > 0) c.out.write(`${line}\n`);
    if (summaries.some((s) => s.read >= options.batchSize)) continue;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
  if (c.interactive) c.err.write('\n');
  c.out.write(`stopped: ${total} events accepted, ${late} late\n`);
}

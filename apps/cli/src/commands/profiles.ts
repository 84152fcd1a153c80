import { ProfileServiceClient, type Event, type TrackEventsResponse } from '@recsys/contracts/profile';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { callMetadata, channelCredentials, type CliContext } from '../cli-context';
import { EXIT, exitCodeForStatus } from '../exit-codes';
import { isServiceError } from '../command-action';
import { importUmami } from '../umami/umami-import';
import { UmamiSource } from '../umami/umami-source';
import { WatermarkFile } from '../umami/watermark-file';
import type { CommandGroup } from './index';
import { registerProfileQueries } from './profile-queries';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ImportFlags {
  sourceDatabaseUrl: string;
  website: string[];
  batchSize: string;
  settleSeconds: string;
  stateFile?: string;
}

/** `recsys profiles …`: reading and erasing profiles (profile-queries.ts), building them from an existing Umami database. */
export const registerProfileCommands: CommandGroup = (program: Command, ctx) => {
  const profiles = program.command('profiles').description('User profiles (profile-service).');
  registerProfileQueries(profiles, ctx);
  profiles
    .command('import-umami')
    .description(
      'Build profiles from an Umami database (session, website_event, event_data), incrementally: ' +
        'a second run only reads events newer than the last one read. Events go through profile-service TrackEvents.',
    )
    .requiredOption('--source-database-url <url>', 'the Umami PostgreSQL database to read (read-only; may be the one Recsys uses)')
    .option('--website <uuid>', 'only this website (repeatable); default: every website with events', (v, acc: string[]) => [...acc, v], [])
    .option('--batch-size <n>', 'events per TrackEvents batch, 1..10000', '1000')
    .option('--settle-seconds <n>', 'leave events younger than this for the next run (Umami may still be committing older ones)', '60')
    .option('--state-file <path>', 'where watermarks are kept (default: $RECSYS_STATE_DIR/umami-import.json or ~/.recsys/umami-import.json)')
    .action(async (flags: ImportFlags) => {
      const c = ctx();
      const batchSize = Number(flags.batchSize);
      const settleSeconds = Number(flags.settleSeconds);
      const bad = [
        !/^postgres(ql)?:\/\/.+/.test(flags.sourceDatabaseUrl) && '--source-database-url must be a postgres:// URL',
        !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000) && '--batch-size must be 1..10000',
        !(Number.isFinite(settleSeconds) && settleSeconds >= 0) && '--settle-seconds must be a number >= 0',
        ...flags.website.filter((w) => !UUID.test(w)).map((w) => `--website ${w} is not a UUID`),
      ].filter(Boolean);
      if (bad.length) {
        c.err.write(`recsys: ${bad.join('; ')}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      await runImport(c, flags, batchSize, settleSeconds * 1000);
    });
};

async function runImport(c: CliContext, flags: ImportFlags, batchSize: number, settleMs: number) {
  const client = new ProfileServiceClient(c.addresses.profile, channelCredentials());
  let source: UmamiSource | undefined;
  let bar: SingleBar | undefined;
  const started = Date.now();
  try {
    source = await UmamiSource.open(flags.sourceDatabaseUrl);
    const watermarks = await WatermarkFile.open(flags.stateFile ?? WatermarkFile.defaultPath(process.env));
    const track = (websiteId: string, events: Event[]) =>
      new Promise<TrackEventsResponse>((resolve, reject) =>
        client.trackEvents({ websiteId, events }, callMetadata(c), (err, res) => (err ? reject(err) : resolve(res))),
      );
    const summaries = await importUmami({
      source,
      sourceKey: WatermarkFile.sourceKey(flags.sourceDatabaseUrl),
      watermarks,
      track,
      websites: flags.website.map((w) => w.toLowerCase()),
      batchSize,
      settleMs,
      now: () => new Date(),
      onWebsite: (websiteId, total) => {
        bar?.stop();
        bar = undefined;
        if (!c.interactive) return void c.out.write(`website ${websiteId}: ${total} new events\n`);
        bar = new SingleBar({ format: `${websiteId.slice(0, 8)} [{bar}] {value}/{total} events | {eta}s left`, stream: c.err as NodeJS.WriteStream });
        bar.start(total, 0);
      },
      onProgress: ({ read }) => bar?.update(read),
    });
    bar?.stop();
    const table = new Table({
      head: ['website', 'read', 'accepted', 'duplicates', 'skipped', 'profile updates', 'watermark'],
      // No colour codes when the output goes to a file or a pipe.
      style: c.interactive ? {} : { head: [], border: [] },
    });
    for (const s of summaries) table.push([s.websiteId, s.read, s.accepted, s.duplicates, s.skipped, s.profilesUpdated, s.to.createdAt]);
    const read = summaries.reduce((n, s) => n + s.read, 0);
    const seconds = (Date.now() - started) / 1000;
    c.out.write(`${table.toString()}\n`);
    c.out.write(`imported ${read} events from ${summaries.length} website(s) in ${seconds.toFixed(1)} s (${Math.round(read / Math.max(seconds, 0.001))} events/s)\n`);
  } catch (err) {
    bar?.stop();
    if (isServiceError(err)) {
      c.err.write(`recsys: profile-service refused a batch: ${err.details || err.message}\n`);
      process.exitCode = exitCodeForStatus(err.code);
    } else {
      const message = err instanceof Error ? err.message : String(err);
      c.err.write(`recsys: ${message}\n`);
      // A source without Umami's tables is bad input; anything else here is an unreachable database or service.
      process.exitCode = /has no Umami table/.test(message) ? EXIT.dataError : EXIT.unavailable;
    }
  } finally {
    client.close();
    await source?.close().catch(() => undefined);
  }
}

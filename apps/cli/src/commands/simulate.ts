import { randomUUID } from 'node:crypto';
import { ProfileServiceClient } from '@recsys/contracts/profile';
import { RankingServiceClient } from '@recsys/contracts/ranking';
import { simulate, type SimulationReport } from '@recsys/simulator';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { callMetadata, channelCredentials } from '../cli-context';
import { clientAction, UsageError } from '../command-action';
import type { CommandGroup } from './index';

interface SimulateOptions {
  website?: string;
  seed: string;
  items: string;
  users: string;
  historyDays: string;
  sessions: string;
  run: string;
  json?: boolean;
}

/** A whole number within [min, max], or a usage error naming the flag. */
function count(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag}: expected a whole number ${min}..${max}, got ${JSON.stringify(value)}`);
  return n;
}

function print(website: string, r: SimulationReport, out: NodeJS.WritableStream) {
  const table = new Table({ head: ['measure', 'value'], style: { head: [], border: [] } });
  table.push(
    ['history events tracked', String(r.historyEvents)],
    ['live visits: events tracked', String(r.liveEvents)],
    ['items shown by Recommend', String(r.shown)],
    ['clicks', String(r.clicks)],
    ['CTR (clicks / shown)', r.ctr.toFixed(4)],
    ['conversions of clicked items', String(r.conversions)],
    ["shown in the visitor's favourite categories", r.tasteShare.toFixed(4)],
    ['answers by strategy', Object.entries(r.strategies).map(([s, n]) => `${s} ${n}`).join(', ') || '-'],
  );
  out.write(`simulated website ${website}\n${table.toString()}\n`);
  if (!r.signalsServed) out.write('note: ranking was not seen serving the history\'s item signals within 2 minutes; the live visits ran anyway\n');
}

export const registerSimulateCommands: CommandGroup = (program: Command, ctx) => {
  program
    .command('simulate')
    .description(
      'Simulate a shop against the running services: a catalog, visitors with hidden tastes, days of history, then live visits that ask Recommend on every product page and click and buy by their tastes. Prints CTR and conversions.',
    )
    .option('--website <uuid>', 'website to create or reuse (default: a new one)')
    .option('--seed <n>', 'seed: the same seed, the same shop and visitors', '7')
    .option('--items <n>', 'catalog items (1..100000)', '300')
    .option('--users <n>', 'visitors (1..100000)', '200')
    .option('--history-days <n>', 'days of history tracked before the live visits (0..365)', '30')
    .option('--sessions <n>', 'live visits (0..100000)', '200')
    .option('--run <n>', 'another run on the same shop (same --website and --seed, say --history-days 0): new visits and event ids, not replays of run 0 (0..1000)', '0')
    .option('--json', 'print the report as JSON')
    .action(
      clientAction(
        ctx,
        (c) => ({ profile: new ProfileServiceClient(c.addresses.profile, channelCredentials()), ranking: new RankingServiceClient(c.addresses.ranking, channelCredentials()), close() { this.profile.close(); this.ranking.close(); } }),
        async (c, clients, opts: SimulateOptions) => {
          const website = opts.website ?? randomUUID();
          const report = await simulate(
            { profile: clients.profile, ranking: clients.ranking, metadata: callMetadata(c) },
            {
              websiteId: website,
              seed: count('seed', opts.seed, 0, 2 ** 31),
              items: count('items', opts.items, 1, 100_000),
              users: count('users', opts.users, 1, 100_000),
              historyDays: count('history-days', opts.historyDays, 0, 365),
              liveSessions: count('sessions', opts.sessions, 0, 100_000),
              run: count('run', opts.run, 0, 1000),
              shown: 5,
              onProgress: c.interactive ? (phase, done, total) => c.err.write(`\r${phase}: ${done}/${total}   `) : undefined,
            },
          );
          if (c.interactive) c.err.write('\n');
          if (opts.json) c.out.write(`${JSON.stringify({ websiteId: website, ...report })}\n`);
          else print(website, report, c.out);
        },
      ),
    );
};

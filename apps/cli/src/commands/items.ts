import { UpsertItemsRequest, type UpsertItemsResponse } from '@recsys/contracts/ranking';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { EXIT } from '../exit-codes';
import type { CommandGroup } from './index';
import { ItemFileError, parseItemsFile } from './items-file';
import { rankingAction, rankingUnary, readInputFile, UsageError } from './recommend-call';

/** UpsertItems takes at most 1,000 items per call. */
const MAX_BATCH = 1000;

export const registerItemCommands: CommandGroup = (program: Command, ctx) => {
  const items = program.command('items').description('Manage the item catalog of ranking-service.');
  items
    .command('import')
    .description('Upsert catalog items from a CSV (header row) or JSON-lines file, in batches, with a progress bar.')
    .argument('<file>', 'CSV or .jsonl/.ndjson file')
    .requiredOption('--website <uuid>', 'website id')
    .option('--batch <n>', `items per UpsertItems call (1..${MAX_BATCH})`, '500')
    .action(
      rankingAction(ctx, async (c, client, file: string, opts: { website: string; batch: string }) => {
        const batch = Number(opts.batch);
        if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH) throw new UsageError(`--batch: expected 1..${MAX_BATCH}, got ${JSON.stringify(opts.batch)}`);
        const text = await readInputFile(file);
        let parsed;
        try {
          parsed = parseItemsFile(text, file);
        } catch (err) {
          if (!(err instanceof ItemFileError)) throw err;
          c.err.write(`recsys: ${file}: ${err.message}\n`);
          process.exitCode = EXIT.dataError;
          return;
        }
        const bar = c.interactive ? new SingleBar({ format: 'importing [{bar}] {value}/{total} items', stream: c.err as NodeJS.WriteStream }) : undefined;
        bar?.start(parsed.length, 0);
        let done = 0;
        try {
          for (let i = 0; i < parsed.length; i += batch) {
            const slice = parsed.slice(i, i + batch);
            try {
              const res = await rankingUnary<UpsertItemsRequest, UpsertItemsResponse>(
                c,
                client,
                'upsertItems',
                UpsertItemsRequest.fromPartial({ websiteId: opts.website, items: slice.map((p) => p.item) }),
              );
              done += res.upsertedCount;
              bar?.update(done);
            } catch (err) {
              // Name the file line of `items[k]` in the server's message; earlier batches stay imported.
              const details = (err as { details?: string }).details;
              const k = details ? /^items\[(\d+)\]/.exec(details)?.[1] : undefined;
              if (details && k !== undefined) (err as { details: string }).details = `${file} line ${slice[Number(k)]?.line}: ${details}`;
              if (details) (err as { details: string }).details += ` (${done} items imported before this batch)`;
              throw err;
            }
          }
        } finally {
          bar?.stop();
        }
        c.out.write(`imported ${done} items into website ${opts.website}\n`);
      }),
    );
};

import { writeFile, rename, rm } from 'node:fs/promises';
import type { Dataset, RankingSet } from '@recsys/training';
import { Float32, Int32, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import type { Command } from 'commander';
import { localAction, UsageError } from '../command-action';
import type { CommandGroup } from './index';
import { datasetSource, loadDataset, type DatasetFlags } from './training-data';

interface ExportOptions extends DatasetFlags {
  format: string;
  out: string;
}

/**
 * The dataset as one Arrow table, a row per example: `split` (train /
 * validation), `group_id` (rows of one group — a session or a logged answer —
 * share it, and come together), `example_id`, `label` (0 untouched, 1 viewed
 * or clicked, 2 carted, 3 bought), then one float32 column per feature, named
 * as in the vocabulary (docs/features.md), with the values `recsys train`
 * learns from and serving assembles.
 */
export function datasetTable(data: Dataset): Table {
  const parts = [
    { split: 'train', set: data.train },
    { split: 'validation', set: data.validation },
  ];
  const rows = parts.reduce((n, p) => n + p.set.labels.length, 0);
  const split: string[] = [];
  const ids: string[] = [];
  const groups = new Int32Array(rows);
  const labels = new Int32Array(rows);
  const columns = data.featureNames.map(() => new Float32Array(rows));
  let r = 0;
  let group = 0;
  for (const { split: name, set } of parts) {
    let start = 0;
    for (const size of set.groupSizes) {
      for (let i = start; i < start + size; i++, r++) {
        split.push(name);
        ids.push(set.rowIds[i]!.replace(/\u0000/g, '/'));
        groups[r] = group;
        labels[r] = set.labels[i]!;
        copyRow(set, i, columns, r);
      }
      start += size;
      group++;
    }
  }
  return new Table({
    split: vectorFromArray(split, new Utf8()),
    group_id: makeVector({ type: new Int32(), data: groups }),
    example_id: vectorFromArray(ids, new Utf8()),
    label: makeVector({ type: new Int32(), data: labels }),
    ...Object.fromEntries(data.featureNames.map((name, f) => [name, makeVector({ type: new Float32(), data: columns[f]! })])),
  });
}

function copyRow(set: RankingSet, i: number, columns: Float32Array[], r: number) {
  for (let f = 0; f < columns.length; f++) columns[f]![r] = set.x[i * set.width + f]!;
}

export const registerDatasetCommands: CommandGroup = (program: Command, ctx) => {
  const dataset = program.command('dataset').description('The training dataset, for training elsewhere (LightGBM, XGBoost, Spark…).');
  dataset
    .command('export')
    .description("Write the dataset recsys train learns from — the website's sessions and clicked answers, features as of each example's time — as an Arrow IPC file.")
    .requiredOption('--website <uuid>', 'website whose behaviour to export')
    .requiredOption('--out <file>', 'the file to write (e.g. dataset.arrow)')
    .option('--format <format>', 'arrow (Arrow IPC file: pyarrow.ipc.open_file, polars.read_ipc, DuckDB)', 'arrow')
    .option('--half-life-days <n>', "profile-service's ITEM_SIGNAL_HALF_LIFE_DAYS", '30')
    .option('--database-url <url>', 'the database to read (default: DATABASE_URL)')
    .action(
      localAction(ctx, async (c, opts: ExportOptions) => {
        const { website, url, halfLifeDays, step } = datasetSource(c, opts);
        if (opts.format !== 'arrow') throw new UsageError(`--format: expected arrow, got ${JSON.stringify(opts.format)}`);
        const { data } = await loadDataset(c, url, website, halfLifeDays, step);
        const table = datasetTable(data);
        // Written aside and renamed: a reader never sees half a file.
        const part = `${opts.out}.part`;
        try {
          await writeFile(part, tableToIPC(table, 'file'));
          await rename(part, opts.out);
        } catch (err) {
          await rm(part, { force: true });
          throw err;
        }
        const groups = data.train.groupSizes.length + data.validation.groupSizes.length;
        c.out.write(`wrote ${opts.out}: ${table.numRows} rows in ${groups} groups (${data.train.groupSizes.length} train, ${data.validation.groupSizes.length} validation), ${data.featureNames.length} features\n`);
      }),
    );
};

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRegistryClient } from '@recsys/contracts/registry';
import { buildTreeEnsembleModel } from '@recsys/onnx';
import { compareOnValidation, DEFAULT_LAMBDAMART, trainLambdaMart } from '@recsys/training';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { channelCredentials } from '../cli-context';
import { clientAction, unaryCall, UsageError } from '../command-action';
import { EXIT } from '../exit-codes';
import { progressLine } from '../progress-line';
import type { CommandGroup } from './index';
import { uploadFile } from './model-upload';
import { activeModel, scoreActive } from './active-model';
import { datasetSource, loadDataset, type DatasetFlags } from './training-data';

interface TrainOptions extends DatasetFlags {
  name: string;
  version?: string;
  activate?: boolean;
  activateIfBetter?: string;
  json?: boolean;
}

const K = 10;

export const registerTrainCommands: CommandGroup = (program: Command, ctx) => {
  program
    .command('train')
    .description(
      "Train a ranking model from a website's interaction log (LambdaMART trees, no Python), compare it with popularity, the behaviour heuristic and the active model on a later time split, and upload it to the registry with its metrics.",
    )
    .requiredOption('--website <uuid>', 'website whose behaviour to learn from')
    .option('--name <name>', 'registry model name', 'default')
    .option('--version <version>', 'version to upload as (default: trained-<time>)')
    .option('--activate', 'activate the uploaded version for the website')
    .option('--activate-if-better <margin>', 'activate only when its NDCG@10 beats the active version (or, without one, the heuristic) by this much')
    .option('--half-life-days <n>', "profile-service's ITEM_SIGNAL_HALF_LIFE_DAYS", '30')
    .option('--database-url <url>', 'the database to read (default: DATABASE_URL)')
    .option('--json', 'print the report as JSON')
    .action(
      clientAction(
        ctx,
        (c) => new ModelRegistryClient(c.addresses.registry, channelCredentials()),
        async (c, client, opts: TrainOptions) => {
          const { website, url, halfLifeDays, step } = datasetSource(c, opts);
          const margin = opts.activateIfBetter === undefined ? undefined : Number(opts.activateIfBetter);
          if (margin !== undefined && !(margin >= 0)) throw new UsageError(`--activate-if-better: expected a number >= 0, got ${JSON.stringify(opts.activateIfBetter)}`);

          const active = await activeModel(c, client, opts.name, website);
          const { log, data, validationFrom } = await loadDataset(c, url, website, halfLifeDays, step, active?.trainingDataPeriod?.end);
          step(`training on ${data.train.groupSizes.length} sessions, validating on ${data.validation.groupSizes.length}`);
          const rounds = progressLine(c, 'training');
          const trained = trainLambdaMart(data.train, data.validation, { k: K }, (round, ndcg) => rounds.update(round, DEFAULT_LAMBDAMART.trees, `rounds, validation NDCG@${K} ${ndcg.toFixed(4)}`));
          rounds.end();
          step(`${trained.trees.length} trees kept of ${trained.validationNdcg.length - 1} rounds`);
          if (trained.trees.length === 0) {
            c.err.write(`recsys: no tree improved validation NDCG@${K} over the untrained start (${trained.validationNdcg[0]!.toFixed(4)}): nothing to upload\n`);
            process.exitCode = EXIT.notBetter;
            return;
          }
          const scores = compareOnValidation(trained.trees, data.validation, data.validationBaselines, K);
          if (active) step(`scoring the active ${opts.name}@${active.version} on the same validation sessions`);
          const activeScore = active && (await scoreActive(c, client, active, data.validation, data.featureNames, K));
          const activeNdcg = activeScore?.ndcg;

          const bytes = buildTreeEnsembleModel({ trees: trained.trees, featureNames: [...data.featureNames] });
          const dir = await mkdtemp(join(tmpdir(), 'recsys-train-'));
          const version = opts.version ?? `trained-${new Date().toISOString().replace(/[:.]/g, '-')}`;
          let uploaded;
          try {
            const file = join(dir, 'model.onnx');
            await writeFile(file, bytes);
            uploaded = await uploadFile(c, client, file, {
              name: opts.name,
              version,
              website,
              algorithm: 'lambdamart',
              type: 'ranking',
              description: `recsys train: ${data.train.groupSizes.length} training sessions of ${data.period.start.toISOString()}..${new Date(validationFrom).toISOString()}`,
              metrics: { [`ndcg@${K}`]: scores.model, [`popularity_ndcg@${K}`]: scores.popularity, [`heuristic_ndcg@${K}`]: scores.heuristic },
              hyperparameters: { ...trained.options, bestRound: trained.bestRound, halfLifeDays },
              trainingDataPeriod: { start: data.period.start, end: data.period.end },
            });
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
          // The bar to clear: the active version's NDCG on the same split (else its recorded one), else the heuristic serving without a model.
          const bar = activeNdcg ?? scores.heuristic;
          const activate = opts.activate || (margin !== undefined && scores.model > bar + margin);
          if (activate) await unaryCall(c, client, 'activateModel', { name: opts.name, version: uploaded.model!.version });

          const report = {
            model: `${opts.name}@${uploaded.model!.version}`,
            interactions: log.length,
            trainSessions: data.train.groupSizes.length,
            validationSessions: data.validation.groupSizes.length,
            trees: trained.trees.length,
            ndcg: { model: scores.model, popularity: scores.popularity, heuristic: scores.heuristic, active: activeNdcg ?? null },
            active: active ? { version: active.version, scored: activeScore!.source, ...(activeScore!.source === 'recorded' ? { why: activeScore!.why } : {}) } : null,
            validationFrom: new Date(validationFrom).toISOString(),
            activated: activate,
          };
          if (opts.json) c.out.write(`${JSON.stringify(report)}\n`);
          else {
            const table = new Table({ head: [`ranking (validation sessions, NDCG@${K})`, 'NDCG'], style: { head: [], border: [] } });
            table.push(['trained model', scores.model.toFixed(4)], ['behaviour heuristic', scores.heuristic.toFixed(4)], ['popularity', scores.popularity.toFixed(4)]);
            if (active) {
              const how = activeScore!.source === 'validation' ? 'same sessions' : `its recorded value: ${activeScore!.why}`;
              table.push([`active ${opts.name}@${active.version} (${how})`, activeNdcg === undefined ? '-' : activeNdcg.toFixed(4)]);
            }
            c.out.write(`${table.toString()}\n${trained.trees.length} trees; ${activate ? 'activated' : 'not activated'}\n`);
          }
          if (margin !== undefined && !activate) process.exitCode = EXIT.notBetter;
        },
      ),
    );
};

import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import * as registry from '@recsys/contracts/registry';
import { ModelRegistryClient } from '@recsys/contracts/registry';
import { MODEL_STATUSES } from '@recsys/contracts/vocabularies';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { channelCredentials, type CliContext } from '../cli-context';
import { clientAction, unaryCall, UsageError } from '../command-action';
import { streamModel } from './model-download';
import { statusName, uploadFile } from './model-upload';
import type { CommandGroup } from './index';

/** Runs a command body against the registry (see clientAction for failures and exit codes). */
function action<A extends unknown[]>(ctx: () => CliContext, body: (c: CliContext, client: ModelRegistryClient, ...args: A) => Promise<void>) {
  return clientAction(ctx, (c) => new ModelRegistryClient(c.addresses.registry, channelCredentials()), body);
}

function unary<Req, Res>(c: CliContext, client: ModelRegistryClient, method: keyof ModelRegistryClient, request: Req): Promise<Res> {
  return unaryCall<Res>(c, client, method, request);
}

/** A model version for `--json`: every field, its status by name (`production`). */
const modelJson = (m: registry.Model) => ({ ...m, status: statusName(m.status) });

function describe(m: registry.Model): string {
  const rows: [string, string][] = [
    ['model', `${m.name}@${m.version}`],
    ['status', `${statusName(m.status)}${m.isActive ? ' (active)' : ''}`],
    ['scope', m.websiteId || 'global'],
    ['sha256', m.artifactSha256],
    ['size', `${m.artifactSizeBytes} bytes`],
    ['input', `${m.inputName} [N, ${m.featureNames.length}]`],
    ['output', m.outputName],
    ['features', m.featureNames.join(', ')],
    ['type / algorithm', [m.modelType, m.algorithm].filter(Boolean).join(' / ') || '-'],
    ['metrics', Object.entries(m.metrics).map(([k, v]) => `${k}=${v}`).join(', ') || '-'],
    ['created', m.createdAt?.toISOString() ?? '-'],
    ['deployed', m.deployedAt?.toISOString() ?? '-'],
  ];
  if (m.description) rows.push(['description', m.description]);
  return rows.map(([k, v]) => `${k.padEnd(17)} ${v}`).join('\n') + '\n';
}

async function downloadTo(c: CliContext, client: ModelRegistryClient, name: string, version: string, out: string) {
  const part = `${out}.part`;
  const file = createWriteStream(part);
  try {
    const { bytes, sha256 } = await streamModel(c, client, name, version, async (chunk) => {
      if (!file.write(chunk)) await once(file, 'drain');
    });
    file.end();
    await once(file, 'finish');
    await rename(part, out);
    c.out.write(`downloaded ${name}@${version} to ${out} (${bytes} bytes, sha256 ${sha256})\n`);
  } catch (err) {
    file.destroy();
    await rm(part, { force: true });
    throw err;
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

/** `recsys models …`: upload, activate, deactivate, rollback, list, show, download, status, delete. */
export const registerModelCommands: CommandGroup = (program: Command, ctx) => {
  const models = program.command('models').description('the model registry: upload, activate, roll back, inspect ONNX models');

  models
    .command('upload <file>')
    .description('upload an ONNX model (validated by the registry before it is registered)')
    .requiredOption('--name <name>', 'model name, e.g. default')
    .requiredOption('--version <version>', 'version, e.g. 2026-11-25.1')
    .option('--features <names>', 'feature names in input column order, comma-separated (default: the model metadata "feature_names")', collect)
    .option('--website <uuid>', 'scope the model to one website (default: global)')
    .option('--description <text>', 'free-form description')
    .option('--algorithm <name>', 'e.g. logistic_regression')
    .option('--type <kind>', 'e.g. ranking')
    .action(
      action(ctx, async (c, client, file: string, opts: Parameters<typeof uploadFile>[3]) => {
        await uploadFile(c, client, file, opts);
      }),
    );

  models
    .command('activate <name> <version>')
    .description('make a version the active one of its name and scope')
    .action(
      action(ctx, async (c, client, name: string, version: string) => {
        const res = await unary<registry.ActivateModelRequest, registry.ActivateModelResponse>(c, client, 'activateModel', { name, version });
        c.out.write(`active: ${name}@${res.model!.version}${res.previousModel ? ` (was ${res.previousModel.version})` : ''}\n`);
      }),
    );

  models
    .command('deactivate <name> <version>')
    .description('take a version out of service (ranking falls back to the global model or heuristics)')
    .action(
      action(ctx, async (c, client, name: string, version: string) => {
        const res = await unary<registry.DeactivateModelRequest, registry.DeactivateModelResponse>(c, client, 'deactivateModel', { name, version });
        c.out.write(res.wasActive ? `deactivated ${name}@${version}\n` : `${name}@${version} was not active\n`);
      }),
    );

  models
    .command('rollback <name>')
    .description('return (name, scope) to the version active before the current one')
    .option('--website <uuid>', 'the website scope (default: global)')
    .action(
      action(ctx, async (c, client, name: string, opts: { website?: string }) => {
        const res = await unary<registry.RollbackModelRequest, registry.RollbackModelResponse>(c, client, 'rollbackModel', { name, websiteId: opts.website ?? '' });
        c.out.write(`active: ${name}@${res.model!.version} (rolled back from ${res.rolledBackModel!.version})\n`);
      }),
    );

  models
    .command('list')
    .description('list model versions, newest first')
    .option('--name <name>', 'only this model name')
    .option('--status <status>', 'only this status: training, validating, production, archived')
    .option('--website <uuid>', 'only versions scoped to this website')
    .option('--active', 'only active versions')
    .option('--limit <n>', 'at most this many rows', '100')
    .option('--json', 'print the versions as a JSON array')
    .action(
      action(ctx, async (c, client, opts: { name?: string; status?: string; website?: string; active?: boolean; limit: string; json?: boolean }) => {
        if (opts.status && !MODEL_STATUSES.has(opts.status)) throw new UsageError(`--status must be one of ${MODEL_STATUSES.names.join(', ')}, got ${opts.status}`);
        const statuses = opts.status ? [MODEL_STATUSES.valueOf(opts.status)] : [];
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, got ${opts.limit}`);
        const rows: registry.Model[] = [];
        let pageToken = '';
        do {
          const page = await unary<registry.ListModelsRequest, registry.ListModelsResponse>(c, client, 'listModels', {
            name: opts.name ?? '',
            statuses,
            websiteId: opts.website ?? '',
            activeOnly: Boolean(opts.active),
            pageSize: Math.min(1000, limit - rows.length),
            pageToken,
          });
          rows.push(...page.models);
          pageToken = page.nextPageToken;
        } while (pageToken && rows.length < limit);
        if (opts.json) return void c.out.write(`${JSON.stringify(rows.map(modelJson), null, 2)}\n`);
        const table = new Table({ head: ['name', 'version', 'status', 'active', 'scope', 'features', 'size', 'created'], style: { head: [], border: [] } });
        for (const m of rows) {
          table.push([m.name, m.version, statusName(m.status), m.isActive ? 'yes' : '', m.websiteId || 'global', String(m.featureNames.length), String(m.artifactSizeBytes), m.createdAt?.toISOString() ?? '']);
        }
        c.out.write(`${table.toString()}\n`);
      }),
    );

  models
    .command('show <name> <version>')
    .description('show one version')
    .option('--json', 'print the version as JSON')
    .action(
      action(ctx, async (c, client, name: string, version: string, opts: { json?: boolean }) => {
        const res = await unary<registry.GetModelRequest, registry.GetModelResponse>(c, client, 'getModel', { name, version });
        c.out.write(opts.json ? `${JSON.stringify(modelJson(res.model!), null, 2)}\n` : describe(res.model!));
      }),
    );

  models
    .command('download <name> <version>')
    .description('download a version, verifying its size and sha256')
    .option('-o, --output <file>', 'where to write it (default: <name>-<version>.onnx)')
    .action(action(ctx, (c, client, name: string, version: string, opts: { output?: string }) => downloadTo(c, client, name, version, opts.output ?? `${name}-${version}.onnx`)));

  models
    .command('status <name> <version> <status>')
    .description('move a version through its lifecycle: validating, production, archived')
    .action(
      action(ctx, async (c, client, name: string, version: string, status: string) => {
        if (!MODEL_STATUSES.has(status)) throw new UsageError(`status must be one of ${MODEL_STATUSES.names.join(', ')}, got ${status}`);
        const res = await unary<registry.UpdateModelStatusRequest, registry.UpdateModelStatusResponse>(c, client, 'updateModelStatus', { name, version, status: MODEL_STATUSES.valueOf(status) });
        c.out.write(`${name}@${version}: ${statusName(res.model!.status)}\n`);
      }),
    );

  models
    .command('delete <name> <version>')
    .description('delete an inactive version and its artifact')
    .action(
      action(ctx, async (c, client, name: string, version: string) => {
        const res = await unary<registry.DeleteModelRequest, registry.DeleteModelResponse>(c, client, 'deleteModel', { name, version });
        c.out.write(`deleted ${name}@${version}${res.artifactDeleted ? '' : ' (artifact kept: another version has the same bytes)'}\n`);
      }),
    );
};

import { randomUUID } from 'node:crypto';
import { PageType, RecommendRequest, type RecommendResponse } from '@recsys/contracts/ranking';
import { DEVICES, FALLBACK_REASONS, RECOMMENDATION_TYPES } from '@recsys/contracts/vocabularies';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { enumName } from '../enum-names';
import type { CommandGroup } from './index';
import { rankingAction, rankingUnary, readInputFile, UsageError } from './recommend-call';


interface RecommendOptions {
  website: string;
  user?: string;
  session?: string;
  type: string;
  count: string;
  candidates?: string;
  item?: string;
  device?: string;
  exclude?: string;
  maxPerCategory?: string;
  model?: string;
  explain?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** `--candidates a,b,c` or `--candidates @file` (one id per line, optionally `id,key=value,…` for candidate.* features). */
async function parseCandidates(spec: string): Promise<{ itemId: string; features: Record<string, number> }[]> {
  const text = spec.startsWith('@') ? await readInputFile(spec.slice(1)) : spec.replaceAll(',', '\n');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [itemId, ...pairs] = line.split(spec.startsWith('@') ? ',' : /\s+/);
      const features: Record<string, number> = {};
      for (const p of pairs) {
        const [k, v] = p.split('=');
        if (!k || v === undefined || !Number.isFinite(Number(v))) throw new UsageError(`--candidates: bad feature ${JSON.stringify(p)} (expected key=number)`);
        features[k] = Number(v);
      }
      return { itemId: itemId!, features };
    });
}

/** The response for `--json`: every field, the fallback reason by name (`no_active_model`; `-` when ranked by a model). */
const recommendationJson = (res: RecommendResponse) => ({ ...res, fallbackReason: enumName(FALLBACK_REASONS, res.fallbackReason) });

function print(res: RecommendResponse, explain: boolean, out: NodeJS.WritableStream) {
  const ranking = res.fallback ? `heuristic (fallback: ${enumName(FALLBACK_REASONS, res.fallbackReason)})` : `model ${res.model?.name}@${res.model?.version}`;
  out.write(`recommendation ${res.recommendationId}: ${res.items.length} items, ranked by ${ranking}, profile ${res.profileUsed ? 'used' : 'not used'}\n`);
  const head = ['rank', 'item', 'score', 'strategy', 'source'];
  if (explain) head.push('reasons');
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const it of res.items) {
    const row = [String(it.rank), it.itemId, it.score.toFixed(4), it.strategy, it.source];
    if (explain) row.push(it.reasons.join('\n'));
    table.push(row);
  }
  out.write(`${table.toString()}\n`);
}

export const registerRecommendCommands: CommandGroup = (program: Command, ctx) => {
  program
    .command('recommend')
    .description('Ask ranking-service for recommendations and print them as a table.')
    .requiredOption('--website <uuid>', 'website id')
    .option('--user <id>', 'user id (empty: anonymous)')
    .option('--session <uuid>', 'session id (default: a new random one)')
    .option('--type <type>', 'product, content or offer', 'product')
    .option('--count <n>', 'how many items (1..100)', '10')
    .option('--candidates <ids>', 'items to rank: a,b,c or @file (one per line: id[,key=value...])')
    .option('--item <id>', 'the item the page is about (seeds co-visitation)')
    .option('--device <device>', 'mobile, tablet or desktop')
    .option('--exclude <ids>', 'comma-separated ids never to return')
    .option('--max-per-category <n>', 'diversity cap per category')
    .option('--model <name>', 'registry model name to rank with (default: the MODEL_NAME of the service)')
    .option('--explain', 'show reasons (and keep feature values in --json)')
    .option('--dry-run', 'rank without logging')
    .option('--json', 'print the response as JSON')
    .action(
      rankingAction(ctx, async (c, client, opts: RecommendOptions) => {
        if (!RECOMMENDATION_TYPES.has(opts.type)) throw new UsageError(`--type: expected product, content or offer, got ${JSON.stringify(opts.type)}`);
        if (opts.device !== undefined && !DEVICES.has(opts.device)) throw new UsageError(`--device: expected mobile, tablet or desktop, got ${JSON.stringify(opts.device)}`);
        const count = Number(opts.count);
        if (!Number.isInteger(count)) throw new UsageError(`--count: expected a whole number, got ${JSON.stringify(opts.count)}`);
        const request = RecommendRequest.fromPartial({
          websiteId: opts.website,
          userId: opts.user ?? '',
          sessionId: opts.session ?? randomUUID(),
          type: RECOMMENDATION_TYPES.valueOf(opts.type),
          count,
          context: { itemId: opts.item ?? '', device: DEVICES.valueOf(opts.device), pageType: opts.item ? PageType.PAGE_TYPE_PRODUCT : PageType.PAGE_TYPE_UNSPECIFIED },
          candidates: opts.candidates ? await parseCandidates(opts.candidates) : [],
          excludeItemIds: opts.exclude ? opts.exclude.split(',').filter(Boolean) : [],
          maxItemsPerCategory: opts.maxPerCategory ? Number(opts.maxPerCategory) : 0,
          modelName: opts.model ?? '',
          explain: Boolean(opts.explain),
          dryRun: Boolean(opts.dryRun),
        });
        const res = await rankingUnary<RecommendRequest, RecommendResponse>(c, client, 'recommend', request);
        if (opts.json) c.out.write(`${JSON.stringify(recommendationJson(res), null, 2)}\n`);
        else print(res, Boolean(opts.explain), c.out);
      }),
    );
};

// `npm run bench:train`: how long `recsys train` takes on a website with
// BENCH_INTERACTIONS interactions (1,000,000) over BENCH_ITEMS items (10,000),
// end to end as an operator runs it: the CLI as its own process reading the
// database, training, and uploading to a registry-service process.
//
// The website, its catalog (20 categories) and its interaction log
// (interaction-log.ts) are written through SQL. Baseline in the same run:
// the CLI's own read of those rows, timed from its progress lines (reading
// is the least any training pays).
// Env: BENCH_INTERACTIONS, BENCH_ITEMS, BENCH_DATABASE_URL (see bench-kit).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withClient } from '@recsys/db';
import { envNumber, out, withBenchDatabase } from './bench-kit';
import { writeInteractionLog } from './interaction-log';
import { runCli, startApp, type StartedProcess } from './bench-processes';

const INTERACTIONS = envNumber('BENCH_INTERACTIONS', 1_000_000);
const ITEMS = envNumber('BENCH_ITEMS', 10_000);

async function writeShop(url: string, website: string) {
  await withClient(url, async (c) => {
    await c.query(`INSERT INTO website (website_id, name, created_at) VALUES ($1, 'train bench', now())`, [website]);
    await c.query(
      `INSERT INTO catalog_items (website_id, item_id, item_type, title, category, price)
       SELECT $1, 'item-' || i, 'product', 'item ' || i, 'category-' || (i % 20), 10 + (i % 90) FROM generate_series(0, $2 - 1) i`,
      [website, ITEMS],
    );
    await writeInteractionLog(c, website, INTERACTIONS, ITEMS);
  });
}

/** Seconds at each of the CLI's "[12.3 s] …" progress lines. */
function stepsOf(output: string): { at: number; line: string }[] {
  return [...output.matchAll(/^\[(\d+(?:\.\d+)?) s\] (.*)$/gm)].map((m) => ({ at: Number(m[1]), line: m[2]! }));
}

async function run(url: string) {
  const dir = await mkdtemp(join(tmpdir(), 'recsys-bench-train-'));
  let registry: StartedProcess | undefined;
  try {
    registry = await startApp('registry-service', { DATABASE_URL: url, ARTIFACT_DIR: join(dir, 'artifacts') });
    const website = randomUUID();
    const t = performance.now();
    await writeShop(url, website);
    const writeSeconds = (performance.now() - t) / 1000;
    const res = await runCli({ RECSYS_REGISTRY_ADDR: registry.address, DATABASE_URL: url }, ['train', '--website', website, '--version', 'bench']);
    const steps = stepsOf(res.output);
    const at = (prefix: string) => steps.find((s) => s.line.startsWith(prefix))?.at ?? Number.NaN;
    const read = at('building the dataset');
    const dataset = at('training on') - read;
    const kept = steps.find((s) => / trees kept of /.test(s.line))?.at ?? Number.NaN;
    const training = kept - at('training on');
    out(`recsys train: one website, ${INTERACTIONS.toLocaleString('en')} interactions over ${ITEMS.toLocaleString('en')} items (written through SQL in ${writeSeconds.toFixed(0)} s)`);
    out();
    out('| step | seconds | × baseline |');
    out('|---|---|---|');
    out(`| baseline: reading the interactions and catalog (the CLI's first step) | ${read.toFixed(1)} | 1.0 |`);
    out(`| dataset (replaying the log, features as of each session) | ${dataset.toFixed(1)} | ${(dataset / read).toFixed(1)} |`);
    out(`| training (LambdaMART, early stopping) | ${training.toFixed(1)} | ${(training / read).toFixed(1)} |`);
    out(`| recsys train, end to end (process start to upload) | ${res.seconds.toFixed(1)} | ${(res.seconds / read).toFixed(1)} |`);
    out();
    out(steps.map((s) => `  [${s.at.toFixed(1)} s] ${s.line}`).join('\n'));
    out(res.output.split('\n').filter((l) => /trained model|heuristic|popularity|trees/.test(l)).join('\n'));
  } finally {
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

withBenchDatabase('recsys_bench_train', run).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

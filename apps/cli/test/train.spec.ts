import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from 'pg';
import type { TestDatabase } from '@recsys/db/testing';
import { tableFromIPC } from 'apache-arrow';
import { buildDataset, TRAINED_FEATURES } from '@recsys/training';
import { readWebsiteHistory, validationStart } from '../src/commands/training-data';
import { EXIT } from '../src/exit-codes';
import { runCli } from './support/run-cli';
import { startStack, type Stack } from './support/stack';

/** `recsys train` end to end: a simulated website's history → a trained model in the registry → Recommend ranks with it. */
describe('recsys train', () => {
  let stack: Stack;
  let db: TestDatabase;
  let dir: string;
  let sql: Client;
  const website = randomUUID();
  const recsys = (...args: string[]) => runCli(stack.addresses, args);

  beforeAll(async () => {
    stack = await startStack('train', { registry: true });
    ({ db, dir, sql } = stack);
    const simulated = await recsys('simulate', '--website', website, '--items', '60', '--users', '80', '--history-days', '30', '--sessions', '0');
    expect(simulated.code).toBe(EXIT.ok);
  }, 120_000);
  afterAll(() => stack?.stop(), 30_000);

  it('uploads the model with its metrics, hyperparameters and period; with --activate Recommend ranks with it', async () => {
    const res = await recsys('train', '--website', website, '--version', 't1', '--activate', '--database-url', db.url, '--json');
    expect(res.code).toBe(EXIT.ok);
    const report = JSON.parse(res.out.trim().split('\n').pop()!) as { model: string; trees: number; activated: boolean; ndcg: Record<string, number | null> };
    expect(report).toMatchObject({ model: 'default@t1', activated: true });
    expect(report.trees).toBeGreaterThan(0);
    const row = (
      await sql.query<{ website_id: string; algorithm: string; metrics: Record<string, number>; hyperparameters: Record<string, unknown>; training_data_period: { start: string; end: string } }>(
        "SELECT website_id, algorithm, metrics, hyperparameters, training_data_period FROM ml_models WHERE name = 'default' AND version = 't1'",
      )
    ).rows[0]!;
    expect(row).toMatchObject({ website_id: website, algorithm: 'lambdamart' });
    expect(row.metrics['ndcg@10']).toBeCloseTo(report.ndcg.model!, 9);
    expect(row.metrics['heuristic_ndcg@10']).toBeCloseTo(report.ndcg.heuristic!, 9);
    expect(row.hyperparameters).toMatchObject({ k: 10, maxDepth: 4 });
    expect(new Date(row.training_data_period.end).getTime()).toBeGreaterThan(new Date(row.training_data_period.start).getTime());
    // ranking-service picks the activated version up from the registry and ranks with it.
    for (const deadline = Date.now() + 20_000; ; ) {
      const answer = await recsys('recommend', '--website', website, '--user', 'sim-user-1', '--dry-run', '--json');
      const parsed = JSON.parse(answer.out) as { strategy: string; model?: { version: string } };
      if (parsed.strategy === 'model') {
        expect(parsed.model?.version).toBe('t1');
        break;
      }
      if (Date.now() > deadline) throw new Error(`still ${parsed.strategy} after 20 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  it('--activate-if-better refuses a model that does not clear the bar: uploaded, not activated, exit 3', async () => {
    const res = await recsys('train', '--website', website, '--version', 't2', '--activate-if-better', '1', '--database-url', db.url, '--json');
    expect(res.code).toBe(EXIT.notBetter);
    expect(JSON.parse(res.out.trim().split('\n').pop()!)).toMatchObject({ model: 'default@t2', activated: false });
    const active = (await sql.query<{ version: string }>("SELECT version FROM ml_models WHERE name = 'default' AND is_active")).rows.map((r) => r.version);
    expect(active).toEqual(['t1']);
  }, 120_000);

  it('scores the active model on the same validation sessions: retrained on the same log, the same trees score the same and do not clear a zero margin', async () => {
    const res = await recsys('train', '--website', website, '--version', 't3', '--activate-if-better', '0', '--database-url', db.url, '--json');
    expect(res.code).toBe(EXIT.notBetter);
    const report = JSON.parse(res.out.trim().split('\n').pop()!) as { activated: boolean; active: { version: string; scored: string }; ndcg: { model: number; active: number } };
    expect(report.active).toEqual({ version: 't1', scored: 'validation' });
    // t1 downloaded and run by onnxruntime on the split, t3 scored in memory: one number (float32 scores, so not bit for bit).
    expect(Math.abs(report.ndcg.active - report.ndcg.model)).toBeLessThan(1e-6);
    expect(report.activated).toBe(false);
  }, 120_000);

  it('dataset export writes the same dataset as an Arrow file: a row per example, features named as in the vocabulary', async () => {
    const file = join(dir, 'dataset.arrow');
    const res = await recsys('dataset', 'export', '--website', website, '--out', file, '--database-url', db.url);
    expect(res).toMatchObject({ code: EXIT.ok, out: expect.stringContaining(`wrote ${file}`) });
    const table = tableFromIPC(await readFile(file));
    expect(table.schema.fields.map((f) => f.name)).toEqual(['split', 'group_id', 'example_id', 'label', ...TRAINED_FEATURES]);
    // The dataset recsys train builds, built here from the same rows.
    const history = await readWebsiteHistory(db.url, website);
    const data = buildDataset(history.log, history.catalog, { halfLifeDays: 30, validationFrom: validationStart(history.log, undefined) }, history.answers);
    const sets = [...Array.from({ length: data.train.labels.length }, (_, i) => [data.train, i] as const), ...Array.from({ length: data.validation.labels.length }, (_, i) => [data.validation, i] as const)];
    expect(table.numRows).toBe(sets.length);
    const groupIds = table.getChild('group_id')!.toArray() as Int32Array;
    for (const [r, [set, i]] of sets.entries()) {
      expect(table.getChild('split')!.get(r)).toBe(set === data.train ? 'train' : 'validation');
      expect(table.getChild('label')!.get(r)).toBe(set.labels[i]);
      expect(table.getChild('example_id')!.get(r)).toBe(set.rowIds[i]!.replace(/\u0000/g, '/'));
      for (const [f, name] of TRAINED_FEATURES.entries()) expect(table.getChild(name)!.get(r)).toBe(set.x[i * set.width + f]);
      if (r > 0) expect(groupIds[r]! - groupIds[r - 1]!).toBeGreaterThanOrEqual(0); // a group's rows come together
    }
    expect(new Set(groupIds).size).toBe(data.train.groupSizes.length + data.validation.groupSizes.length);
  }, 120_000);

  it('refuses a missing database and a malformed website with usage errors', async () => {
    expect(await recsys('train', '--website', website)).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('set DATABASE_URL or pass --database-url') });
    expect(await recsys('train', '--website', 'nope', '--database-url', db.url)).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('--website: expected a UUID') });
    expect(await recsys('dataset', 'export', '--website', website, '--out', join(dir, 'x.parquet'), '--format', 'parquet', '--database-url', db.url)).toMatchObject({
      code: EXIT.usage,
      err: expect.stringContaining('--format: expected arrow'),
    });
    // A website with no history: too little to learn from, exit 65.
    expect(await recsys('dataset', 'export', '--website', randomUUID(), '--out', join(dir, 'y.arrow'), '--database-url', db.url)).toMatchObject({
      code: EXIT.dataError,
      err: expect.stringContaining('0 interactions: too few to learn from'),
    });
  });
});

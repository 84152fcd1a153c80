import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { spawnService, type ServiceProcess } from '@recsys/service-kit/testing';
import { EXIT } from '../src/exit-codes';
import { runCli } from './support/run-cli';
import { csvRecords } from '../src/commands/items-file';

const ROOT = join(__dirname, '../../..');

/** ranking-service as its own process (apps never import apps). */
const spawnRanking = (env: Record<string, string>) => spawnService(join(ROOT, 'apps/ranking-service/src/main.ts'), 'ranking-service', env);

describe('recsys items import / recsys recommend', () => {
  let db: TestDatabase;
  let dir: string;
  let ranking: { proc: ServiceProcess; address: string };
  let sql: Client;
  let website: string;

  const recsys = (...args: string[]) => runCli({ ranking: ranking.address }, args);

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'recsys-cli-items-'));
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    website = randomUUID();
    await sql.query(`INSERT INTO website (website_id, name) VALUES ($1, 'shop')`, [website]);
    // Its own empty model cache (the default directory may hold a model from another run): answers come from the heuristic.
    ranking = await spawnRanking({ DATABASE_URL: db.url, MODEL_CACHE_DIR: join(dir, 'models') });
  });
  afterAll(async () => {
    ranking?.proc.child.kill('SIGTERM');
    await ranking?.proc.exited;
    await sql?.end();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a CSV (quoted fields, tags, attributes) in batches', async () => {
    const file = join(dir, 'items.csv');
    await writeFile(
      file,
      [
        'item_id,item_type,title,category,brand,price,tags,available,attr.color',
        'sku-1,product,"Shoe, red ""classic""",shoes,acme,19.99,sale|new,true,red',
        'sku-2,product,Hat,hats,acme,5,,true,',
        'sku-3,product,Old bag,bags,,12.5,,false,',
      ].join('\n'),
    );
    const res = await recsys('items', 'import', file, '--website', website, '--batch', '2');
    expect(res).toMatchObject({ code: EXIT.ok, out: `imported 3 items into website ${website}\n` });
    const rows = (await sql.query('SELECT item_id, title, price::text, tags, attributes, in_stock FROM catalog_items WHERE website_id = $1 ORDER BY item_id', [website])).rows;
    expect(rows).toEqual([
      { item_id: 'sku-1', title: 'Shoe, red "classic"', price: '19.9900', tags: ['sale', 'new'], attributes: { color: 'red' }, in_stock: true },
      { item_id: 'sku-2', title: 'Hat', price: '5.0000', tags: [], attributes: {}, in_stock: true },
      { item_id: 'sku-3', title: 'Old bag', price: '12.5000', tags: [], attributes: {}, in_stock: false },
    ]);
  });

  it('imports JSON lines', async () => {
    const file = join(dir, 'items.jsonl');
    await writeFile(file, `{"item_id":"art-1","item_type":"ITEM_TYPE_CONTENT","title":"Guide","category":"guides"}\n\n{"itemId":"sku-4","price":"3.50"}\n`);
    expect(await recsys('items', 'import', file, '--website', website)).toMatchObject({ code: EXIT.ok, out: `imported 2 items into website ${website}\n` });
    expect((await sql.query(`SELECT item_type FROM catalog_items WHERE website_id = $1 AND item_id = 'art-1'`, [website])).rows).toEqual([{ item_type: 'content' }]);
  });

  it('names the file line of an item the server rejects, exit 65', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(file, 'item_id,price\nok-1,1\nbad-1,12.3.4\n');
    const res = await recsys('items', 'import', file, '--website', website);
    expect(res.code).toBe(EXIT.dataError);
    expect(res.err).toMatch(/bad\.csv line 3: items\[1\]\.price: /);
  });

  it('recommend prints a table of ranked items with reasons', async () => {
    const res = await recsys('recommend', '--website', website, '--user', 'u1', '--count', '3', '--explain');
    expect(res.code).toBe(EXIT.ok);
    expect(res.out).toMatch(/ranked by heuristic \(fallback: no_active_model\), profile not used/);
    for (const id of ['sku-1', 'sku-2', 'sku-4']) expect(res.out).toContain(id);
    expect(res.out).not.toContain('sku-3'); // unavailable
    expect(res.out).toContain('popular on this website');
  });

  it('recommend ranks caller candidates; an unknown website is exit 66', async () => {
    const res = await recsys('recommend', '--website', website, '--candidates', 'sku-2,zzz', '--dry-run');
    expect(res.code).toBe(EXIT.ok);
    expect(res.out).toMatch(/│ 1 +│ (sku-2|zzz)/);
    expect((await recsys('recommend', '--website', randomUUID())).code).toBe(EXIT.notFound);
    expect((await recsys('recommend', '--website', website, '--type', 'car')).code).toBe(EXIT.usage);
  });

  it('recommend --candidates @file sends caller features', async () => {
    const file = join(dir, 'candidates.txt');
    await writeFile(file, 'sku-1,relevance=0.9\nsku-2\n');
    const res = await recsys('recommend', '--website', website, '--candidates', `@${file}`, '--json', '--dry-run');
    expect(res.code).toBe(EXIT.ok);
    const body = JSON.parse(res.out) as { items: { itemId: string; source: string }[]; fallback: boolean; fallbackReason: unknown };
    expect(body.items.map((i) => i.itemId).sort()).toEqual(['sku-1', 'sku-2']);
    // No registry is running, so the heuristic answers; the reason is printed by name, not as the enum's number.
    expect(body).toMatchObject({ fallback: true, fallbackReason: 'no_active_model' });
    expect(body.items.every((i) => i.source === 'caller')).toBe(true);
    const missing = await recsys('recommend', '--website', website, '--candidates', `@${file}x`);
    expect(missing).toMatchObject({ code: EXIT.notFound, err: expect.stringMatching(/^recsys: cannot read .*candidates\.txtx/) });
    expect((await recsys('items', 'import', `${file}x`, '--website', website)).code).toBe(EXIT.notFound);
  });

  it('parses CSV records across quoted newlines', () => {
    expect(csvRecords('a,b\n"x\ny",2\r\n\n3,4')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x\ny', '2'] },
      { line: 5, fields: ['3', '4'] },
    ]);
  });
});

import { randomUUID } from 'node:crypto';
import { WebsiteSchema } from './entities';
import { openDatabase } from './database';
import { readMigrationFiles } from './migrator';
import { createTestDatabase, type TestDatabase } from './testing';

/** openDatabase: what each service's bootstrap calls. */
let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase({ migrated: false });
});
afterEach(async () => {
  await db.drop();
});

it('migrates an empty database, then serves the ORM, then closes idempotently', async () => {
  const files = await readMigrationFiles();
  const database = await openDatabase({ url: db.url, orm: { pool: { min: 0, max: 2 } } });
  try {
    expect(database.appliedMigrations).toEqual(files.map((f) => f.name));
    const em = database.orm.em.fork();
    em.create(WebsiteSchema, { websiteId: randomUUID(), name: 'Shop' });
    await em.flush();
    expect(await database.orm.em.fork().count(WebsiteSchema)).toBe(1);
  } finally {
    await database.close();
    await database.close();
  }
  const again = await openDatabase({ url: db.url, orm: { pool: { min: 0, max: 1 } } });
  expect(again.appliedMigrations).toEqual([]);
  await again.close();
});

it('leaves the schema alone with migrate: false', async () => {
  const database = await openDatabase({ url: db.url, migrate: false, orm: { pool: { min: 0, max: 1 } } });
  try {
    expect(database.appliedMigrations).toEqual([]);
    const rows = await database.orm.em.getConnection().execute(`SELECT to_regclass('website') AS t`);
    expect(rows).toEqual([{ t: null }]);
  } finally {
    await database.close();
  }
});

it("routes the query builder's own messages to the service's logger, not the console (logs stay JSON lines)", async () => {
  const warnings: [object, string | undefined][] = [];
  const logger = { info: () => undefined, warn: (obj: object, msg?: string) => void warnings.push([obj, msg]) };
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const database = await openDatabase({ url: db.url, logger, orm: { pool: { min: 0, max: 1 } } });
  try {
    // What knex does when a pooled connection broke (client.js: `Connection Error: …`).
    const knexLogger = (database.orm.em.getConnection().getKnex().client as unknown as { logger: { warn(m: string): void } }).logger;
    knexLogger.warn('Connection Error: Error: Connection terminated unexpectedly');
    expect(warnings).toContainEqual([{ driver: 'knex' }, 'Connection Error: Error: Connection terminated unexpectedly']);
    expect(log).not.toHaveBeenCalled();
  } finally {
    log.mockRestore();
    await database.close();
  }
});

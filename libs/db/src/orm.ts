import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities';
import { MIGRATIONS_TABLE } from './migrator';

/** What callers usually tune; anything else goes through `overrides`. */
export interface OrmOptions {
  /** Connection pool size. Default: MikroORM's (min 2, max 10). */
  pool?: { min?: number; max?: number };
  /** Log every query through MikroORM's logger. Default false. */
  debug?: boolean;
  /**
   * Where the query builder's own messages go (knex prints `Connection Error: …`
   * to the console during an outage); default: its console logger. Services pass
   * theirs so every line stays JSON.
   */
  driverLogger?: { warn(obj: object, msg?: string): void };
  /** Passed last, wins over everything above. */
  overrides?: Partial<Options>;
}

/**
 * The MikroORM configuration for the Recsys schema. The schema itself comes
 * from migrations/*.sql (see runMigrations), never from the ORM: the entities
 * describe it, and a test keeps the two equal.
 */
export function createOrmConfig(databaseUrl: string, options: OrmOptions = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    // The migrator owns the schema; the ORM never creates databases or tables.
    ensureDatabase: false,
    debug: options.debug ?? false,
    pool: options.pool,
    discovery: { warnWhenNoEntities: true },
    schemaGenerator: { skipTables: [MIGRATIONS_TABLE] },
    ...(options.driverLogger ? { driverOptions: { log: knexLog(options.driverLogger) } } : {}),
    ...options.overrides,
  });
}

/** knex's logger interface, writing through `logger` (debug messages are dropped, the rest are warnings). */
function knexLog(logger: { warn(obj: object, msg?: string): void }) {
  const warn = (message: unknown) => logger.warn({ driver: 'knex' }, String(message));
  return { warn, error: warn, deprecate: warn, debug: () => undefined };
}

/** A connected MikroORM instance. The caller owns it: `await orm.close()` on shutdown. */
export async function createOrm(databaseUrl: string, options: OrmOptions = {}): Promise<MikroORM> {
  return MikroORM.init(createOrmConfig(databaseUrl, options));
}

import { ProfileServiceService } from '@recsys/contracts/profile';
import { runMigrations, waitForDatabase } from '@recsys/db';
import { registerService, startService, type Logger, type StartedService } from '@recsys/service-kit';
import { Pool } from 'pg';
import { systemClock, type Clock } from './clock';
import type { ServiceConfig } from './config';
import { DerivedJob } from './derived-job';
import { ItemSignals } from './item-signals';
import { LifecycleJob } from './lifecycle-job';
import { ProfileHandler } from './profile.handler';
import { ProfileStore } from './store/profile-store';

export interface BootstrapOptions {
  /** Replaces the logger built from config (tests pass a silent or capturing one). */
  logger?: Logger;
  /** Where "now" comes from (tests move time with it). */
  clock?: Clock;
}

export interface ProfileService extends StartedService {
  /** The periodic lifecycle job, exposed so tests (and operators' scripts) can run it on demand. */
  readonly lifecycleJob: LifecycleJob;
  readonly derivedJob: DerivedJob;
}

/**
 * The composition root of profile-service: database → store → handler, built
 * with constructors. Returns once the service is SERVING.
 *
 * The hot paths are hand-written set-based SQL, so the service talks to
 * PostgreSQL through a plain pg pool rather than the ORM (whose entities
 * still describe these tables for the schema-diff test).
 */
export async function bootstrap(config: ServiceConfig, options: BootstrapOptions = {}): Promise<ProfileService> {
  const clock = options.clock ?? systemClock;
  let job: LifecycleJob | undefined;
  let derivedJob: DerivedJob | undefined;
  const started = await startService({
    name: 'profile-service',
    config,
    logger: options.logger,
    init: async ({ logger, metrics }) => {
      await waitForDatabase(config.databaseUrl);
      if (config.migrateOnStart) await runMigrations({ databaseUrl: config.databaseUrl, logger });
      const pool = new Pool({ connectionString: config.databaseUrl, max: config.profiles.dbPoolMax });
      // An idle connection dropped by the server must not crash the process; the next query reconnects.
      // Only the message and code: the pg error carries its whole client object.
      pool.on('error', (err: Error & { code?: string }) => logger.warn({ error: err.message, code: err.code }, 'idle database connection lost'));
      const store = new ProfileStore(pool, {
        lifecycle: config.profiles.lifecycle,
        eventIdRetentionDays: config.profiles.eventIdRetentionDays,
        profileRetentionDays: config.profiles.profileRetentionDays,
        priceReferenceTtlMs: config.profiles.priceReferenceTtlMs,
        interactionRetentionDays: config.profiles.interactionRetentionDays,
        clock,
      });
      // The interaction log's partitions for this month and the next two, before the first batch.
      await store.interactions.maintain(clock.now());
      job = new LifecycleJob(store, clock, logger, config.profiles.lifecycleRefreshIntervalMs);
      job.start();
      derivedJob = new DerivedJob(store, clock, logger, config.profiles.derivedSettleIntervalMs);
      derivedJob.start();
      const handler = new ProfileHandler(store, clock, config.profiles.lifecycle, new ItemSignals(store, clock, config.profiles.itemSignals, metrics.registry));
      return {
        services: [registerService(ProfileServiceService, handler, { default: 'service', admin: ['deleteProfile'] })],
        close: async () => {
          await job?.stop();
          await derivedJob?.stop();
          await pool.end();
        },
      };
    },
  });
  return Object.assign(started, { lifecycleJob: job!, derivedJob: derivedJob! });
}

import type { PoolClient } from 'pg';
import type { Clock } from '../clock';
import type { LifecycleThresholds } from '../config';
import type { TimePartitions } from '@recsys/db';

export interface ProfileStoreOptions {
  lifecycle: LifecycleThresholds;
  eventIdRetentionDays: number;
  /** Visitors not seen for this long are forgotten: profile and per-visitor rows (profile-retention.ts). */
  profileRetentionDays: number;
  priceReferenceTtlMs: number;
  /** How long interactions are kept (whole monthly partitions are dropped after it). */
  interactionRetentionDays: number;
  clock: Clock;
}

/**
 * What one website's profiles (WebsiteProfiles) need from the store: its
 * connection, settings and the caches shared by all websites. ProfileStore
 * implements it; naming it here keeps the two files from importing each other.
 */
export interface ProfileDatabase {
  readonly options: ProfileStoreOptions;
  /** Each website's reference price and when it was read (PRICE_REFERENCE_TTL_MS). */
  readonly referencePrices: Map<string, { median: number | null; at: number }>;
  /** The interaction log's partitions: made before a batch writes a month. */
  readonly interactions: TimePartitions;
  /** Runs `fn` in one transaction on one connection; rolls back on any error. */
  transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T>;
  /** One statement outside a transaction; `name` makes it a prepared statement. */
  query<R extends object>(sql: string, params: unknown[], name?: string): Promise<R[]>;
}

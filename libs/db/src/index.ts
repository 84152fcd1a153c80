export * from './connection';
export * from './database';
export { embeddedPostgresEntry, findFreePort, startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres';
export * from './entities';
export * from './migrator';
export * from './orm';
export { withTransaction } from './transaction';
export { TimePartitions, type BeforeDrop, type PartitionInfo, type PartitionUnit, type TimePartitionsOptions } from './time-partitions';
export { TimeOrderedIds, timeOfUuidV7 } from './time-ordered-ids';

export * from './env';
export * from './test-database';

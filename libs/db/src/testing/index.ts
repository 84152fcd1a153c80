export * from './env';
export * from './test-database';
export * from './umami-fixtures';
export * from './cutting-proxy';

// Shared by every project's jest.config.js. @swc/jest strips types without
// type-checking (2-3x faster than ts-jest); `npm run typecheck` checks types.
const path = require('node:path');

/** @param {string} dir the project's directory (pass __dirname) */
module.exports = function jestProject(dir) {
  const root = __dirname;
  return {
    displayName: path.relative(root, dir),
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    transform: {
      '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    // Integration suites start servers and processes on a 2-core machine: a guard rail, not a speed assertion.
    testTimeout: 30_000,
    globalSetup: path.join(root, 'tools/test/global-setup.js'),
    globalTeardown: path.join(root, 'tools/test/global-teardown.js'),
  };
};

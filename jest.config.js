// `npm test` runs every project's suites in one jest process; each project's
// own jest.config.js (via jest.preset.js) also works alone: `npx jest libs/db`.
module.exports = {
  projects: ['<rootDir>/apps/*/jest.config.js', '<rootDir>/libs/*/jest.config.js', '<rootDir>/tools/jest.config.js'],
  reporters: ['default', '<rootDir>/tools/test/summary-reporter.js'],
};

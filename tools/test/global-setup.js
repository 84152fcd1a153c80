// Jest globalSetup for every project (wired in jest.preset.js). Plain JS
// because jest.preset.js names this file; the work is TypeScript in
// libs/db/src/testing/global-hooks.ts. Jest requires globalSetup files with
// its transform hook active (ScriptTransformer.requireAndTranspileModule), so
// the .ts files required here go through the preset's @swc/jest transform.
// It picks TEST_DATABASE_URL, else DATABASE_URL, else starts an embedded
// PostgreSQL; creates this run's migrated template database; and exports
// RECSYS_TEST_ADMIN_URL / RECSYS_TEST_TEMPLATE / RECSYS_TEST_RUN_ID to workers.
module.exports = async function globalSetup() {
  const { testGlobalSetup } = require('../../libs/db/src/testing/global-hooks.ts');
  await testGlobalSetup();
};

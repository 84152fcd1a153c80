// Jest globalTeardown (see global-setup.js): drops this run's databases and
// stops the embedded PostgreSQL if the setup started one.
module.exports = async function globalTeardown() {
  const { testGlobalTeardown } = require('../../libs/db/src/testing/global-hooks.ts');
  await testGlobalTeardown();
};

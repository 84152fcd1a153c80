const base = require('../jest.preset.js')(__dirname);
// Workspace tooling keeps its specs beside the code in any folder.
module.exports = { ...base, testMatch: ['<rootDir>/**/*.spec.ts'] };

// Entry point of the model-validation worker thread. Running from source (node
// --import tsx, jest), a worker does not inherit the parent's TypeScript
// loader, so this plain-JS shim registers tsx's CommonJS hook and loads the
// TypeScript worker. A production bundle builds validation.worker.ts as its
// own entry and ships it next to this file as validation.worker.js.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundled = join(__dirname, 'validation.worker.js');
if (existsSync(bundled)) {
  require(bundled);
} else {
  require('tsx/cjs/api').register();
  require('./validation.worker.ts');
}

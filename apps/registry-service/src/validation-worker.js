// Entry point of the model-validation worker thread when running from source
// (node --import tsx, jest): a worker does not inherit the parent's TypeScript
// loader, so this plain-JS shim registers tsx's CommonJS hook and loads the
// TypeScript worker. A production bundle (npm run build) builds
// validation.worker.ts into validation.worker.js beside main.js instead, and
// model-validator.ts starts that file directly.
require('tsx/cjs/api').register();
require('./validation.worker.ts');

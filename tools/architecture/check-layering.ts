// `npm run lint:layers`: exits 1 and lists each violation of the import layering and of table ownership.
import { resolve } from 'node:path';
import { findLayeringViolations } from './layering';
import { findOwnershipViolations } from './table-ownership';

const root = resolve(__dirname, '../..');
const violations = findLayeringViolations(root);
for (const v of violations) process.stderr.write(`${v.file}: "${v.specifier}": ${v.rule}\n`);
const tables = findOwnershipViolations(root);
for (const v of tables) process.stderr.write(`${v.file}: table ${v.table}: ${v.rule}\n`);
if (violations.length + tables.length > 0) process.exit(1);
process.stdout.write('layering and table ownership: ok\n');

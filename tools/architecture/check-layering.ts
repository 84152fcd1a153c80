// `npm run lint:layers`: exits 1 and lists each violation.
import { resolve } from 'node:path';
import { findLayeringViolations } from './layering';

const violations = findLayeringViolations(resolve(__dirname, '../..'));
for (const v of violations) process.stderr.write(`${v.file}: "${v.specifier}": ${v.rule}\n`);
if (violations.length > 0) process.exit(1);
process.stdout.write('layering: ok\n');

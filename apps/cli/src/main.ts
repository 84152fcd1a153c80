import { contextFromEnv } from './cli-context';
import { buildProgram, run } from './program';

run(buildProgram((flags) => contextFromEnv(process.env, flags)), process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`recsys: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(70);
  },
);

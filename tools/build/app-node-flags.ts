// An app's node flags (apps/<app>/package.json, "recsys": { "nodeFlags": [...] }): flags
// V8 cannot take once the process runs, which every way of starting the app must pass —
// the built package's start script (build-app.ts), `npm start` (tools/dev/start.ts) and
// the benchmarks' service processes (tools/bench/ranking-fixture.ts).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The node flags `apps/<app>/package.json` lists under recsys.nodeFlags (none when
 * absent), from the checkout at `checkout`. Each must be one `--flag` token.
 */
export function appNodeFlags(app: string, checkout = resolve(__dirname, '../..')): string[] {
  const pkg = JSON.parse(readFileSync(join(checkout, 'apps', app, 'package.json'), 'utf8'));
  const flags: unknown = pkg.recsys?.nodeFlags ?? [];
  if (!Array.isArray(flags) || !flags.every((f) => typeof f === 'string' && /^--[a-z0-9-]+(=\S+)?$/.test(f))) {
    throw new Error(`apps/${app}/package.json: recsys.nodeFlags must be a list of --flags, got ${JSON.stringify(flags)}`);
  }
  return flags as string[];
}


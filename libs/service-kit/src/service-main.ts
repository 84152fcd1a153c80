import { setFlagsFromString } from 'node:v8';
import { ConfigError } from './config';

export interface RunningService {
  close(): Promise<void>;
}

/** Exit codes a supervisor can act on (sysexits.h). */
export const EXIT_CONFIG = 78;
export const EXIT_START_FAILED = 1;

/**
 * V8 flags every service process runs with, set before the service starts.
 *
 * `--no-allocation-site-pretenuring`: V8 watches which allocation sites'
 * objects survive young-generation collections and, past a threshold, makes
 * such a site allocate straight into the old generation for good. A burst
 * (start-up loads, many calls in flight at once) is enough to flip the sites
 * of the request path — the decoded request, the candidates, the feature
 * rows — after which every call's garbage goes to the old generation: measured
 * on ranking-service at ~640 calls/s, ~6 MB promoted per scavenge, scavenges
 * of 4–12 ms instead of 1–1.5 ms and a full mark-compact every ~2 s; with the
 * flag, the heap stays flat (BENCHMARKS.md). A service's request garbage is
 * short-lived by design, which is the case the young generation is for.
 */
export const SERVICE_V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

/**
 * The whole of a service's `main.ts`: apply SERVICE_V8_FLAGS, load config
 * (exit 78 with the problems listed when it is invalid), bootstrap, and turn
 * SIGTERM/SIGINT into a graceful close. A second signal while closing exits at once.
 */
export function runServiceMain<C>(
  name: string,
  loadConfig: () => C,
  bootstrap: (config: C) => Promise<RunningService>,
): void {
  for (const flag of SERVICE_V8_FLAGS) setFlagsFromString(flag);
  let config: C;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${name}: ${err.message}\n`);
    process.exit(EXIT_CONFIG);
  }

  bootstrap(config).then(
    (service) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          process.stderr.write(`${name}: ${signal} again, exiting without waiting\n`);
          process.exit(EXIT_START_FAILED);
        }
        stopping = true;
        service.close().then(
          () => process.exit(0),
          (err) => {
            process.stderr.write(`${name}: shutdown failed: ${err instanceof Error ? err.stack : String(err)}\n`);
            process.exit(EXIT_START_FAILED);
          },
        );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    },
    (err) => {
      process.stderr.write(`${name}: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(EXIT_START_FAILED);
    },
  );
}

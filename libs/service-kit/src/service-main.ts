import { ConfigError } from './config';

export interface RunningService {
  close(): Promise<void>;
}

/** Exit codes a supervisor can act on (sysexits.h). */
export const EXIT_CONFIG = 78;
export const EXIT_START_FAILED = 1;

/**
 * The whole of a service's `main.ts`: load config (exit 78 with the problems
 * listed when it is invalid), bootstrap, and turn SIGTERM/SIGINT into a
 * graceful close. A second signal while closing exits at once.
 */
export function runServiceMain<C>(
  name: string,
  loadConfig: () => C,
  bootstrap: (config: C) => Promise<RunningService>,
): void {
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

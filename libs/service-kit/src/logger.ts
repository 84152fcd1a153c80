import pino from 'pino';

export type Logger = pino.Logger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  /** The service name, put on every line as `service`. */
  name: string;
  level: LogLevel;
  /** Defaults to stdout; tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/** Structured JSON logs (one object per line), ready for any log shipper. */
export function createLogger({ name, level, destination }: LoggerOptions): Logger {
  // Synchronous stdout: a line logged just before exit (or a crash) is never lost. Per-call
  // lines are debug-level, so at the default level the write volume is small.
  return pino({ level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? pino.destination({ dest: 1, sync: true }));
}

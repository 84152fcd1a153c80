// Makes the services' JSON log lines readable in a terminal; anything that is
// not a JSON log line is passed through as it came.
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export function formatLogLine(service: string, line: string): string {
  const prefix = `[${service}]`;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return `${prefix} ${line}`;
  }
  const { level, msg, time, service: _s, pid: _p, hostname: _h, ...rest } = entry;
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  return `${prefix} ${clock} ${LEVELS[Number(level)] ?? level} ${msg ?? ''}${extra}`;
}

/**
 * Local hour and weekday of an instant in an IANA zone. Intl formatters are
 * expensive to build, so one is kept per zone; the last answer is memoised
 * because every row of one request shares the same time.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
let last: { ms: number; zone: string | undefined; value: { hour: number; day: number } } | undefined;
const WEEKDAY: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export function isKnownTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let fmt = formatters.get(zone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
    formatters.set(zone, fmt);
  }
  return fmt;
}

export function localHourAndDay(time: Date, zone: string | undefined): { hour: number; day: number } {
  const ms = time.getTime();
  if (last && last.ms === ms && last.zone === zone) return last.value;
  let value: { hour: number; day: number };
  if (!zone || zone === 'UTC') {
    value = { hour: time.getUTCHours(), day: (time.getUTCDay() + 6) % 7 };
  } else {
    const parts = formatterFor(zone).formatToParts(time);
    const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
    const day = WEEKDAY[parts.find((p) => p.type === 'weekday')?.value ?? 'Mon'] ?? 0;
    value = { hour: hour % 24, day };
  }
  last = { ms, zone, value };
  return value;
}

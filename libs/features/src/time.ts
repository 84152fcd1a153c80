/**
 * Local hour and weekday of an instant in an IANA zone. Intl formatters are
 * expensive to build, so one is kept per zone; so is each zone's last answer,
 * by UTC minute: since 1980 every zone's offset is a whole number of minutes,
 * so local hour and weekday only change on a UTC minute boundary, and every
 * request within one minute skips formatToParts.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const lastByZone = new Map<string, { minute: number; value: { hour: number; day: number } }>();
const MINUTE_MS = 60_000;
const MINUTE_OFFSETS_SINCE = Date.UTC(1980, 0, 1);
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
  if (!zone || zone === 'UTC') return { hour: time.getUTCHours(), day: (time.getUTCDay() + 6) % 7 };
  const ms = time.getTime();
  const minute = Math.floor(ms / MINUTE_MS);
  const cached = lastByZone.get(zone);
  if (cached && cached.minute === minute && ms >= MINUTE_OFFSETS_SINCE) return cached.value;
  const parts = formatterFor(zone).formatToParts(time);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const day = WEEKDAY[parts.find((p) => p.type === 'weekday')?.value ?? 'Mon'] ?? 0;
  const value = { hour: hour % 24, day };
  if (ms >= MINUTE_OFFSETS_SINCE) lastByZone.set(zone, { minute, value });
  return value;
}

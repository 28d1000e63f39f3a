// Dates typed in forms and written in exports are wall-clock times of the organisation's time zone;
// the database holds UTC milliseconds. These convert between the two (daylight saving included).
const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(millis: number, timeZone: string): WallClock {
  const parts = Object.fromEntries(partsFormatter(timeZone).formatToParts(millis).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** How far the zone's clock is ahead of UTC at `millis`. */
function offsetAt(millis: number, timeZone: string): number {
  const w = wallClock(millis, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - (millis - (((millis % 1000) + 1000) % 1000));
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * "2026-03-01T14:05" read in `timeZone`, as UTC milliseconds; null when it is not such a time (or
 * names a day that does not exist). A time skipped by a daylight saving change moves forward.
 *
 * @example
 * zonedDateTimeToUtc('2026-07-01T09:00', 'Europe/Paris') // Date.UTC(2026, 6, 1, 7, 0)
 */
export function zonedDateTimeToUtc(value: string, timeZone: string): number | null {
  const match = DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59) return null;
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const asDate = new Date(guess);
  if (asDate.getUTCFullYear() !== year || asDate.getUTCMonth() !== month - 1 || asDate.getUTCDate() !== day) return null;
  const first = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(first, timeZone);
  return first === second ? first : Math.max(first, second);
}

/**
 * The end of the day "2026-03-01" in `timeZone` (the first millisecond of the next day), or null.
 * "Pinned until 1 March" means: until that day is over, where the organisation is.
 */
export function endOfZonedDay(value: string, timeZone: string): number | null {
  const match = DATE.exec(value);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const start = zonedDateTimeToUtc(`${value}T00:00`, timeZone);
  if (start === null) return null;
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  const iso = next.toISOString().slice(0, 10);
  return zonedDateTimeToUtc(`${iso}T00:00`, timeZone);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** UTC milliseconds as a datetime-local value ("2026-03-01T14:05") in `timeZone`. */
export function toZonedDateTimeInput(millis: number, timeZone: string): string {
  const w = wallClock(millis, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** The day a pin set by `endOfZonedDay` lasts until, as a date input value ("2026-03-01"). */
export function pinnedUntilInput(pinnedUntil: number, timeZone: string): string {
  return toZonedDateTimeInput(pinnedUntil - 1, timeZone).slice(0, 10);
}

/** "2026-03-01 14:05" in `timeZone`: sortable, and read the same by every spreadsheet. */
export function zonedSortable(millis: number, timeZone: string): string {
  return toZonedDateTimeInput(millis, timeZone).replace('T', ' ');
}

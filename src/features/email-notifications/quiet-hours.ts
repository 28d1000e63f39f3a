// Quiet hours (the right to disconnect): when no email goes out, in wall-clock time of the
// organisation's time zone. Pure functions of a time, the hours and the zone: unit tested.
import type { Millis } from '../../db/schema.js';

export interface QuietHours {
  /** Minutes after midnight when the quiet period starts (20:00 = 1200). */
  start: number;
  /** Minutes after midnight when it ends (07:30 = 450); before `start` when it spans midnight. Equal: no daily quiet period. */
  end: number;
  /** Saturdays and Sundays are quiet all day. */
  weekends: boolean;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall clock at `time` in `timeZone`: date, minutes after midnight, weekday (0 = Sunday). */
export function wallClockAt(time: Millis, timeZone: string): { year: number; month: number; day: number; minutes: number; weekday: number } {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(time).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday ?? 'Mon'] ?? 1,
  };
}

/** The UTC time of a wall-clock time in `timeZone` (a time skipped by a clock change moves forward). */
export function zonedTime(year: number, month: number, day: number, minutes: number, timeZone: string): Millis {
  const guess = Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60);
  const offsetAt = (t: number) => {
    const w = wallClockAt(t, timeZone);
    const seconds = new Date(t).getUTCSeconds() * 1000 + new Date(t).getUTCMilliseconds();
    return Date.UTC(w.year, w.month - 1, w.day, Math.floor(w.minutes / 60), w.minutes % 60) - (t - seconds);
  };
  const first = guess - offsetAt(guess);
  const second = guess - offsetAt(first);
  return first === second ? first : Math.max(first, second);
}

/** True when `time` falls in the quiet hours. */
export function isQuiet(time: Millis, hours: QuietHours, timeZone: string): boolean {
  const clock = wallClockAt(time, timeZone);
  if (hours.weekends && (clock.weekday === 0 || clock.weekday === 6)) return true;
  if (hours.start === hours.end) return false;
  if (hours.start < hours.end) return clock.minutes >= hours.start && clock.minutes < hours.end;
  return clock.minutes >= hours.start || clock.minutes < hours.end;
}

/** The next time after `time` when the wall clock reads `minutes` (tomorrow's when today's has passed). */
export function nextWallClock(time: Millis, minutes: number, timeZone: string): Millis {
  const clock = wallClockAt(time, timeZone);
  for (let days = 0; days < 3; days++) {
    const date = new Date(Date.UTC(clock.year, clock.month - 1, clock.day + days));
    const candidate = zonedTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), minutes, timeZone);
    if (candidate > time) return candidate;
  }
  throw new Error('unreachable: a wall-clock time comes back within three days');
}

/**
 * When the quiet period holding `time` ends (the first moment emails may go out again), or null
 * when `time` is not quiet. Friday 21:00 with weekends quiet: Monday at the end time.
 *
 * @example
 * quietUntil(Date.UTC(2026, 0, 7, 20, 0), { start: 1200, end: 450, weekends: true }, 'Europe/Paris') // Thursday 07:30 in Paris
 */
export function quietUntil(time: Millis, hours: QuietHours, timeZone: string): Millis | null {
  if (!isQuiet(time, hours, timeZone)) return null;
  let t = time;
  // The quiet period can only end at the end time or at midnight (a weekend's end): step through those.
  for (let step = 0; step < 20 && isQuiet(t, hours, timeZone); step++) {
    const candidates = [nextWallClock(t, 0, timeZone)];
    if (hours.start !== hours.end) candidates.push(nextWallClock(t, hours.end, timeZone));
    t = Math.min(...candidates);
  }
  return t;
}

/** "07:30" -> 450; null when it is not a time of day written HH:MM. */
export function parseTimeOfDay(value: string): number | null {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** 450 -> "07:30". */
export function formatTimeOfDay(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

// The article form's dates are wall-clock times where the organisation is: these conversions decide
// when a scheduled article appears and until when a pin lasts, daylight saving included.
import { describe, expect, it } from 'vitest';
import { endOfZonedDay, pinnedUntilInput, toZonedDateTimeInput, zonedDateTimeToUtc, zonedSortable } from '../../src/features/news/zoned-time.js';

describe('zoned times', () => {
  it('reads a datetime-local value in the zone, both sides of UTC', () => {
    expect(zonedDateTimeToUtc('2030-07-01T09:00', 'Europe/Paris')).toBe(Date.UTC(2030, 6, 1, 7, 0));
    expect(zonedDateTimeToUtc('2030-01-15T09:00', 'Europe/Paris')).toBe(Date.UTC(2030, 0, 15, 8, 0));
    expect(zonedDateTimeToUtc('2030-01-15T21:30', 'America/New_York')).toBe(Date.UTC(2030, 0, 16, 2, 30));
    expect(zonedDateTimeToUtc('2030-01-15T09:00', 'UTC')).toBe(Date.UTC(2030, 0, 15, 9, 0));
    expect(zonedDateTimeToUtc('2030-01-15T09:00', 'Asia/Kolkata')).toBe(Date.UTC(2030, 0, 15, 3, 30));
  });

  it('moves a time skipped by the spring change forward, and takes the later of a repeated one', () => {
    // Paris, 31 March 2030: 02:00 CET becomes 03:00 CEST.
    expect(zonedDateTimeToUtc('2030-03-31T02:30', 'Europe/Paris')).toBe(Date.UTC(2030, 2, 31, 1, 30));
    // Paris, 27 October 2030: 02:30 happens twice.
    expect(zonedDateTimeToUtc('2030-10-27T02:30', 'Europe/Paris')).toBe(Date.UTC(2030, 9, 27, 1, 30));
  });

  it('refuses what is not a real date and time', () => {
    for (const value of ['2030-02-30T09:00', '2030-13-01T09:00', '2030-01-01T24:00', '2030-01-01T09:60', '2030-01-01 09:00', '', 'tomorrow', '2030-1-1T9:00']) {
      expect(zonedDateTimeToUtc(value, 'Europe/Paris'), value).toBe(null);
    }
    expect(endOfZonedDay('2030-02-29', 'Europe/Paris')).toBe(null);
    expect(endOfZonedDay('31/12/2030', 'Europe/Paris')).toBe(null);
  });

  it('ends a pinned day at midnight where the organisation is, and shows it back as that day', () => {
    const end = endOfZonedDay('2030-03-30', 'Europe/Paris')!;
    // The next day starts at 00:00 CET = 23:00 UTC.
    expect(end).toBe(Date.UTC(2030, 2, 30, 23, 0));
    expect(pinnedUntilInput(end, 'Europe/Paris')).toBe('2030-03-30');
    // Over the change to summer time, the next day starts at 00:00 CEST.
    expect(endOfZonedDay('2030-03-31', 'Europe/Paris')).toBe(Date.UTC(2030, 2, 31, 22, 0));
    expect(endOfZonedDay('2030-12-31', 'Europe/Paris')).toBe(Date.UTC(2030, 11, 31, 23, 0));
  });

  it('writes times back for forms and exports', () => {
    expect(toZonedDateTimeInput(Date.UTC(2030, 6, 1, 7, 0), 'Europe/Paris')).toBe('2030-07-01T09:00');
    expect(zonedSortable(Date.UTC(2026, 0, 15, 23, 30), 'Europe/Paris')).toBe('2026-01-16 00:30');
  });
});

// Quiet hours in the organisation's time zone: when an email is held, and when it is released.
import { describe, expect, it } from 'vitest';
import { isQuiet, parseTimeOfDay, quietUntil, zonedTime, type QuietHours } from '../../src/features/email-notifications/quiet-hours.js';

const PARIS = 'Europe/Paris';
const DEFAULT: QuietHours = { start: 20 * 60, end: 7 * 60 + 30, weekends: true };
/** A wall-clock time in Paris. 2027-01-06 is a Wednesday. */
const paris = (date: string, time: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return zonedTime(y, m, d, parseTimeOfDay(time)!, PARIS);
};

describe('quiet hours', () => {
  it('are quiet on weekday evenings and nights, not during the day', () => {
    expect(isQuiet(paris('2027-01-06', '21:00'), DEFAULT, PARIS)).toBe(true);
    expect(isQuiet(paris('2027-01-06', '20:00'), DEFAULT, PARIS)).toBe(true);
    expect(isQuiet(paris('2027-01-06', '19:59'), DEFAULT, PARIS)).toBe(false);
    expect(isQuiet(paris('2027-01-07', '07:29'), DEFAULT, PARIS)).toBe(true);
    expect(isQuiet(paris('2027-01-07', '07:30'), DEFAULT, PARIS)).toBe(false);
    expect(isQuiet(paris('2027-01-07', '12:00'), DEFAULT, PARIS)).toBe(false);
  });

  it('hold a weekday evening email until 07:30 the next morning, in the organisation’s zone', () => {
    expect(quietUntil(paris('2027-01-06', '21:00'), DEFAULT, PARIS)).toBe(paris('2027-01-07', '07:30'));
    expect(quietUntil(paris('2027-01-07', '03:00'), DEFAULT, PARIS)).toBe(paris('2027-01-07', '07:30'));
    // 07:30 in Paris in winter is 06:30 UTC.
    expect(new Date(paris('2027-01-07', '07:30')).toISOString()).toBe('2027-01-07T06:30:00.000Z');
    expect(quietUntil(paris('2027-01-07', '10:00'), DEFAULT, PARIS)).toBeNull();
  });

  it('hold a Friday evening or weekend email until Monday 07:30', () => {
    expect(quietUntil(paris('2027-01-08', '20:30'), DEFAULT, PARIS)).toBe(paris('2027-01-11', '07:30'));
    expect(quietUntil(paris('2027-01-09', '12:00'), DEFAULT, PARIS)).toBe(paris('2027-01-11', '07:30'));
    expect(quietUntil(paris('2027-01-10', '23:59'), DEFAULT, PARIS)).toBe(paris('2027-01-11', '07:30'));
  });

  it('release at midnight on Monday when only weekends are quiet', () => {
    const weekendsOnly: QuietHours = { start: 0, end: 0, weekends: true };
    expect(isQuiet(paris('2027-01-06', '23:00'), weekendsOnly, PARIS)).toBe(false);
    expect(quietUntil(paris('2027-01-09', '15:00'), weekendsOnly, PARIS)).toBe(paris('2027-01-11', '00:00'));
  });

  it('work for hours within one day and without weekends', () => {
    const lunch: QuietHours = { start: 12 * 60, end: 14 * 60, weekends: false };
    expect(quietUntil(paris('2027-01-09', '13:00'), lunch, PARIS)).toBe(paris('2027-01-09', '14:00'));
    expect(quietUntil(paris('2027-01-09', '15:00'), lunch, PARIS)).toBeNull();
  });

  it('follow daylight saving changes (summer time in Paris is UTC+2)', () => {
    // 2027-03-28 is the Sunday clocks go forward; Monday 29 at 07:30 is 05:30 UTC.
    expect(new Date(quietUntil(paris('2027-03-26', '22:00'), DEFAULT, PARIS)!).toISOString()).toBe('2027-03-29T05:30:00.000Z');
  });

  it('depend on the time zone', () => {
    // 21:00 in Paris is 15:00 in New York (not quiet there on a Wednesday).
    const t = paris('2027-01-06', '21:00');
    expect(isQuiet(t, DEFAULT, 'America/New_York')).toBe(false);
  });

  it('read times written HH:MM only', () => {
    expect(parseTimeOfDay('07:30')).toBe(450);
    expect(parseTimeOfDay('7:30')).toBe(450);
    expect(parseTimeOfDay('23:59')).toBe(1439);
    for (const bad of ['24:00', '7h30', '07:60', '', 'soon', '07:30:00', '<script>']) expect(parseTimeOfDay(bad)).toBeNull();
  });
});

/** Calendars and local-time helpers shared by the calendar tests (not a test file itself). */
import { DateTime } from 'luxon';
import type { CalendarInput } from './calendar.schema';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

const nineToFive = [{ start: '09:00', end: '17:00' }];
const allDay = [{ start: '00:00', end: '24:00' }];

export const weekdays = (hours: { start: string; end: string }[]): CalendarInput['workingHours'] => ({
  mon: hours,
  tue: hours,
  wed: hours,
  thu: hours,
  fri: hours,
});

/** Mon-Fri 09:00-17:00 in Berlin, no holidays. */
export const BERLIN_9_TO_5 = { name: 'berlin-9-5', timeZone: 'Europe/Berlin', workingHours: weekdays(nineToFive) };

/** The same, with Bavaria's public holidays. */
export const BAVARIA = { ...BERLIN_9_TO_5, name: 'bavaria', holidays: { country: 'DE', region: 'BY' } };

/** Mon-Fri 08:00-12:00 and 13:00-17:00 in New York, US public holidays, two closed days. */
export const NEW_YORK_SPLIT = {
  name: 'ny-split',
  timeZone: 'America/New_York',
  workingHours: weekdays([
    { start: '08:00', end: '12:00' },
    { start: '13:00', end: '17:00' },
  ]),
  holidays: { country: 'US' },
  closedDates: ['2026-03-10', '2026-11-02'],
};

/** Every hour of every day. */
export const ALWAYS_BERLIN = {
  name: 'always',
  timeZone: 'Europe/Berlin',
  workingHours: { ...weekdays(allDay), sat: allDay, sun: allDay },
};

/**
 * Intervals that cross New York's DST changes (02:00 on the second Sunday of March and the first
 * Sunday of November) and midnight-adjacent ones: the awkward cases for the zone arithmetic.
 */
export const NEW_YORK_AWKWARD = {
  name: 'ny-awkward',
  timeZone: 'America/New_York',
  workingHours: {
    sat: [{ start: '22:00', end: '24:00' }],
    sun: [
      { start: '00:00', end: '00:30' },
      { start: '01:15', end: '02:30' },
      { start: '02:45', end: '03:15' },
    ],
    wed: [{ start: '12:00', end: '12:01' }],
  },
};

/** A wall time in `zone`, as an instant: `local('Europe/Berlin', '2026-01-09T17:00')`. */
export function local(zone: string, isoLocal: string): Date {
  const dt = DateTime.fromISO(isoLocal, { zone });
  if (!dt.isValid) throw new Error(`bad local time ${isoLocal}`);
  return dt.toJSDate();
}

/** An instant as `Wed 2026-01-14 17:00 +01:00` in `zone`, for readable expectations. */
export function shown(zone: string, at: Date): string {
  return DateTime.fromJSDate(at, { zone }).setLocale('en-US').toFormat('ccc yyyy-MM-dd HH:mm ZZ');
}

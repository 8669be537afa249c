import { compileCalendar, type BusinessCalendar } from './business-calendar';
import { CalendarArgumentError, CalendarHorizonError, InvalidCalendarError } from './calendar-errors';
import {
  ALWAYS_BERLIN,
  BAVARIA,
  BERLIN_9_TO_5,
  HOUR,
  local,
  MINUTE,
  NEW_YORK_AWKWARD,
  NEW_YORK_SPLIT,
  shown,
  weekdays,
} from './calendar-test-fixtures';

const berlin = compileCalendar(BERLIN_9_TO_5);
const bavaria = compileCalendar(BAVARIA);
const newYork = compileCalendar(NEW_YORK_SPLIT);

/** `from` plus `hours` of working time, shown in the calendar's zone. */
const plusHours = (cal: BusinessCalendar, from: string, hours: number) =>
  shown(cal.timeZone, cal.addBusinessTime(local(cal.timeZone, from), hours * HOUR));
const plusDays = (cal: BusinessCalendar, from: string, days: number) =>
  shown(cal.timeZone, cal.addBusinessDays(local(cal.timeZone, from), days));
const hoursBetween = (cal: BusinessCalendar, a: string, b: string) =>
  cal.businessTimeBetween(local(cal.timeZone, a), local(cal.timeZone, b)) / HOUR;

describe('compileCalendar', () => {
  it('gives a frozen calendar that keeps its name and zone', () => {
    expect(Object.isFrozen(berlin)).toBe(true);
    expect(berlin.name).toBe('berlin-9-5');
    expect(berlin.timeZone).toBe('Europe/Berlin');
  });

  it('throws InvalidCalendarError, a validation error listing every problem with its path', () => {
    let thrown: unknown;
    try {
      compileCalendar({ ...BERLIN_9_TO_5, timeZone: 'Europe/Nowhere', closedDates: ['2026-13-01'] });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidCalendarError);
    const error = thrown as InvalidCalendarError;
    expect(error.kind).toBe('validation');
    expect(error.code).toBe('INVALID_CALENDAR');
    expect(error.message).toMatch(/^the calendar has 2 problems: timeZone: unknown time zone/);
    expect(error.problems.map((p) => p.path)).toEqual(['timeZone', 'closedDates[0]']);
  });
});

describe('a Mon-Fri 09:00-17:00 calendar (Europe/Berlin)', () => {
  it('24 working hours from Friday 17:00 end on Wednesday 17:00: three 8-hour days', () => {
    // The issue says "Tuesday 17:00": that is 16 working hours, or 2 business days (below).
    expect(plusHours(berlin, '2026-01-09T17:00', 24)).toBe('Wed 2026-01-14 17:00 +01:00');
    expect(plusHours(berlin, '2026-01-09T17:00', 16)).toBe('Tue 2026-01-13 17:00 +01:00');
  });

  it('one business day from Friday 17:00 is Monday 17:00; two is Tuesday 17:00', () => {
    expect(plusDays(berlin, '2026-01-09T17:00', 1)).toBe('Mon 2026-01-12 17:00 +01:00');
    expect(plusDays(berlin, '2026-01-09T17:00', 2)).toBe('Tue 2026-01-13 17:00 +01:00');
    expect(plusDays(berlin, '2026-01-09T17:00', 3)).toBe('Wed 2026-01-14 17:00 +01:00');
  });

  it('skips the weekend, and counts from the next opening when it starts outside working time', () => {
    expect(plusHours(berlin, '2026-01-09T16:00', 2)).toBe('Mon 2026-01-12 10:00 +01:00');
    expect(plusHours(berlin, '2026-01-10T11:00', 1)).toBe('Mon 2026-01-12 10:00 +01:00');
    expect(plusHours(berlin, '2026-01-12T07:00', 1)).toBe('Mon 2026-01-12 10:00 +01:00');
    expect(plusHours(berlin, '2026-01-12T18:00', 1)).toBe('Tue 2026-01-13 10:00 +01:00');
  });

  it('ends on a closing instant rather than the next opening: 8 hours from Friday 09:00 is Friday 17:00', () => {
    expect(plusHours(berlin, '2026-01-09T09:00', 8)).toBe('Fri 2026-01-09 17:00 +01:00');
  });

  it('adds 0 as the starting instant itself, even outside working time', () => {
    const saturday = local('Europe/Berlin', '2026-01-10T11:00');
    expect(berlin.addBusinessTime(saturday, 0)).toEqual(saturday);
    expect(berlin.addBusinessDays(saturday, 0)).toEqual(saturday);
  });

  it('counts working time in [a, b) only', () => {
    expect(hoursBetween(berlin, '2026-01-09T09:00', '2026-01-12T17:00')).toBe(16);
    expect(hoursBetween(berlin, '2026-01-09T16:30', '2026-01-12T09:30')).toBe(1);
    expect(hoursBetween(berlin, '2026-01-10T00:00', '2026-01-11T23:59')).toBe(0);
    expect(hoursBetween(berlin, '2026-01-12T10:00', '2026-01-12T09:00')).toBe(0);
    expect(hoursBetween(berlin, '2026-01-05T00:00', '2026-02-02T00:00')).toBe(4 * 40);
  });

  it('treats an opening as working time and a closing as not', () => {
    expect(berlin.isWorkingTime(local('Europe/Berlin', '2026-01-09T09:00'))).toBe(true);
    expect(berlin.isWorkingTime(local('Europe/Berlin', '2026-01-09T16:59:59.999'))).toBe(true);
    expect(berlin.isWorkingTime(local('Europe/Berlin', '2026-01-09T17:00'))).toBe(false);
    expect(berlin.isWorkingTime(local('Europe/Berlin', '2026-01-10T12:00'))).toBe(false);
    expect(shown('Europe/Berlin', berlin.nextWorkingInstant(local('Europe/Berlin', '2026-01-09T17:00')))).toBe(
      'Mon 2026-01-12 09:00 +01:00',
    );
    const inside = local('Europe/Berlin', '2026-01-09T12:34');
    expect(berlin.nextWorkingInstant(inside)).toEqual(inside);
  });
});

describe('addBusinessDays', () => {
  it('keeps the position in the working day: Friday 10:00 + 1 is Monday 10:00', () => {
    expect(plusDays(berlin, '2026-01-09T10:00', 1)).toBe('Mon 2026-01-12 10:00 +01:00');
    expect(plusDays(berlin, '2026-01-09T10:00', 5)).toBe('Fri 2026-01-16 10:00 +01:00');
  });

  it('from outside working time is due at the close of the next working day', () => {
    expect(plusDays(berlin, '2026-01-10T11:00', 1)).toBe('Mon 2026-01-12 17:00 +01:00');
    expect(plusDays(berlin, '2026-01-09T08:00', 1)).toBe('Fri 2026-01-09 17:00 +01:00');
    // an opening is the same business moment as the close before it: one full day from it
    expect(plusDays(berlin, '2026-01-12T09:00', 1)).toBe('Mon 2026-01-12 17:00 +01:00');
  });

  it('counts only days with working time, skipping holidays', () => {
    expect(plusDays(bavaria, '2026-12-24T10:00', 1)).toBe('Mon 2026-12-28 10:00 +01:00');
    expect(plusDays(bavaria, '2026-12-23T10:00', 2)).toBe('Mon 2026-12-28 10:00 +01:00');
  });

  it('caps the position at a shorter day\'s closing', () => {
    const shortFriday = compileCalendar({
      name: 'short-friday',
      timeZone: 'Europe/Berlin',
      workingHours: { ...weekdays([{ start: '09:00', end: '17:00' }]), fri: [{ start: '09:00', end: '13:00' }] },
    });
    expect(plusDays(shortFriday, '2026-01-08T15:00', 1)).toBe('Fri 2026-01-09 13:00 +01:00');
    expect(plusDays(shortFriday, '2026-01-08T12:00', 1)).toBe('Fri 2026-01-09 12:00 +01:00');
  });

  it('measures the position in working time on split days', () => {
    // Monday 14:00 is 5 working hours into 08:00-12:00 + 13:00-17:00
    expect(plusDays(newYork, '2026-01-12T14:00', 1)).toBe('Tue 2026-01-13 14:00 -05:00');
    expect(plusDays(newYork, '2026-01-12T11:00', 1)).toBe('Tue 2026-01-13 11:00 -05:00');
  });

  it('keeps the wall time across a DST change', () => {
    expect(plusDays(berlin, '2026-03-27T10:00', 1)).toBe('Mon 2026-03-30 10:00 +02:00');
  });

  it('skips plain weeks quickly and agrees with a day-by-day count', () => {
    const from = local('Europe/Berlin', '2026-01-07T11:00');
    const far = bavaria.addBusinessDays(from, 2000);
    let stepped = from;
    for (let i = 0; i < 2000; i++) stepped = bavaria.addBusinessDays(stepped, 1);
    expect(far).toEqual(stepped);
    expect(shown('Europe/Berlin', far)).toMatch(/ 11:00 /);
  });
});

describe('public holidays (date-holidays, type public) and closed dates', () => {
  it('skips Christmas Day in Bavaria (Friday 2026-12-25)', () => {
    expect(plusHours(bavaria, '2026-12-24T16:00', 2)).toBe('Mon 2026-12-28 10:00 +01:00');
    expect(bavaria.isWorkingTime(local('Europe/Berlin', '2026-12-25T10:00'))).toBe(false);
    expect(berlin.isWorkingTime(local('Europe/Berlin', '2026-12-25T10:00'))).toBe(true);
  });

  it('follows the region: Corpus Christi (Thursday 2026-06-04) is a holiday in Bavaria, not in Berlin', () => {
    const berlinState = compileCalendar({ ...BAVARIA, name: 'berlin-state', holidays: { country: 'DE', region: 'BE' } });
    expect(plusHours(bavaria, '2026-06-03T17:00', 1)).toBe('Fri 2026-06-05 10:00 +02:00');
    expect(plusHours(berlinState, '2026-06-03T17:00', 1)).toBe('Thu 2026-06-04 10:00 +02:00');
  });

  it('has no effect for a holiday on a weekend (German Unity Day, Saturday 2026-10-03)', () => {
    expect(plusHours(bavaria, '2026-10-02T16:00', 2)).toBe(plusHours(berlin, '2026-10-02T16:00', 2));
  });

  it('closes the observed US Independence Day (Friday 2026-07-03)', () => {
    expect(plusHours(newYork, '2026-07-02T16:30', 1)).toBe('Mon 2026-07-06 08:30 -04:00');
  });

  it('closes the closedDates as whole local dates', () => {
    const withClosed = compileCalendar({ ...BERLIN_9_TO_5, name: 'closed', closedDates: ['2026-01-12'] });
    expect(plusHours(withClosed, '2026-01-09T16:00', 2)).toBe('Tue 2026-01-13 10:00 +01:00');
    const nightShift = compileCalendar({
      name: 'ny-always',
      timeZone: 'America/New_York',
      workingHours: ALWAYS_BERLIN.workingHours,
      closedDates: ['2026-03-10'],
    });
    const at = (text: string) => nightShift.isWorkingTime(local('America/New_York', text));
    expect([at('2026-03-09T23:59'), at('2026-03-10T00:00'), at('2026-03-10T23:59'), at('2026-03-11T00:00')]).toEqual([
      true,
      false,
      false,
      true,
    ]);
  });
});

describe('split days', () => {
  it('leaves the lunch break out', () => {
    expect(plusHours(newYork, '2026-01-12T11:30', 1)).toBe('Mon 2026-01-12 13:30 -05:00');
    expect(hoursBetween(newYork, '2026-01-12T11:00', '2026-01-12T14:00')).toBe(2);
    expect(newYork.isWorkingTime(local('America/New_York', '2026-01-12T12:30'))).toBe(false);
    expect(shown('America/New_York', newYork.nextWorkingInstant(local('America/New_York', '2026-01-12T12:30')))).toBe(
      'Mon 2026-01-12 13:00 -05:00',
    );
  });

  it('ends at the morning\'s close when the hours run out exactly there', () => {
    expect(plusHours(newYork, '2026-01-12T08:00', 4)).toBe('Mon 2026-01-12 12:00 -05:00');
  });
});

describe('DST: working hours are wall-clock times; lengths are real time', () => {
  it('a 9-to-5 week across Berlin\'s spring forward (2026-03-29) keeps its 8-hour days', () => {
    expect(plusHours(berlin, '2026-03-27T17:00', 8)).toBe('Mon 2026-03-30 17:00 +02:00');
    expect(hoursBetween(berlin, '2026-03-27T09:00', '2026-03-30T17:00')).toBe(16);
  });

  it('Berlin\'s spring-forward day has 23 hours and its fall-back day 25', () => {
    const always = compileCalendar(ALWAYS_BERLIN);
    expect(hoursBetween(always, '2026-03-29T00:00', '2026-03-30T00:00')).toBe(23);
    expect(hoursBetween(always, '2026-10-25T00:00', '2026-10-26T00:00')).toBe(25);
    expect(hoursBetween(always, '2026-03-23T00:00', '2026-03-30T00:00')).toBe(7 * 24 - 1);
    expect(shown('Europe/Berlin', always.addBusinessTime(local('Europe/Berlin', '2026-03-29T01:30'), HOUR))).toBe(
      'Sun 2026-03-29 03:30 +02:00',
    );
  });

  it('an interval spanning the skipped hour is an hour shorter (Berlin, 01:00-05:00 on 2026-03-29)', () => {
    const night = compileCalendar({ name: 'night', timeZone: 'Europe/Berlin', workingHours: { sun: [{ start: '01:00', end: '05:00' }] } });
    expect(hoursBetween(night, '2026-03-29T00:00', '2026-03-30T00:00')).toBe(3);
    expect(hoursBetween(night, '2026-03-22T00:00', '2026-03-23T00:00')).toBe(4);
    expect(hoursBetween(night, '2026-10-25T00:00', '2026-10-26T00:00')).toBe(5);
  });

  it('places a skipped wall time at the jump, and a repeated one at its first showing (New York)', () => {
    const awkward = compileCalendar(NEW_YORK_AWKWARD);
    const minutes = (a: string, b: string) => hoursBetween(awkward, a, b) * 60;
    // 00:00-00:30, 01:15-02:30, 02:45-03:15 on Sundays
    expect(minutes('2026-03-01T00:00', '2026-03-02T00:00')).toBe(30 + 75 + 30);
    // spring forward 02:00 -> 03:00: 02:30 and 02:45 are both 03:00 EDT
    expect(minutes('2026-03-08T00:00', '2026-03-09T00:00')).toBe(30 + 45 + 15);
    // fall back 02:00 -> 01:00: 01:15 is its first showing (EDT), 02:30 comes after the repeat
    expect(minutes('2026-11-01T00:00', '2026-11-02T00:00')).toBe(30 + 135 + 30);
    const sundayMarch = local('America/New_York', '2026-03-08T00:00');
    expect(shown('America/New_York', awkward.addBusinessTime(sundayMarch, 75 * MINUTE))).toBe('Sun 2026-03-08 03:00 -04:00');
    expect(shown('America/New_York', awkward.addBusinessTime(sundayMarch, 76 * MINUTE))).toBe('Sun 2026-03-08 03:01 -04:00');
    // Saturday 22:00-24:00 runs into Sunday 00:00-00:30 without a gap
    expect(shown('America/New_York', awkward.addBusinessTime(local('America/New_York', '2026-03-07T23:00'), 90 * MINUTE))).toBe(
      'Sun 2026-03-08 00:30 -05:00',
    );
  });

  it('a 9-to-5 week across New York\'s changes keeps its 8-hour days; closed dates still count', () => {
    // Tuesday 2026-03-10 and Monday 2026-11-02 are closed dates of this calendar
    expect(plusHours(newYork, '2026-03-06T17:00', 8)).toBe('Mon 2026-03-09 17:00 -04:00');
    expect(plusHours(newYork, '2026-03-06T17:00', 9)).toBe('Wed 2026-03-11 09:00 -04:00');
    expect(plusHours(newYork, '2026-10-30T17:00', 1)).toBe('Tue 2026-11-03 09:00 -05:00');
    expect(hoursBetween(newYork, '2026-10-30T08:00', '2026-11-04T08:00')).toBe(8 + 8); // Fri, Tue
  });
});

describe('bounded work', () => {
  const from = local('Europe/Berlin', '2026-01-05T09:00');

  it('adds 10,000 working hours (about five years) and lands on working time', () => {
    const end = bavaria.addBusinessTime(from, 10_000 * HOUR);
    expect(bavaria.businessTimeBetween(from, end)).toBe(10_000 * HOUR);
    expect(bavaria.isWorkingTime(new Date(end.getTime() - 1))).toBe(true);
    expect(end.getUTCFullYear()).toBe(2030);
  });

  it('refuses an answer beyond the 50-year horizon with CalendarHorizonError', () => {
    // 50 years of 40-hour weeks are about 104,000 hours
    expect(() => berlin.addBusinessTime(from, 200_000 * HOUR)).toThrow(CalendarHorizonError);
    expect(() => berlin.addBusinessTime(from, Number.MAX_SAFE_INTEGER)).toThrow(CalendarHorizonError);
    expect(() => berlin.addBusinessDays(from, 20_000)).toThrow(CalendarHorizonError);
    expect(() => berlin.businessTimeBetween(from, local('Europe/Berlin', '2077-01-01T00:00'))).toThrow(CalendarHorizonError);
    try {
      berlin.addBusinessTime(from, 200_000 * HOUR);
    } catch (err) {
      expect(err).toMatchObject({ kind: 'unprocessable', code: 'CALENDAR_HORIZON_EXCEEDED', details: { horizonYears: 50 } });
    }
  });

  it('finds the next opening across 1000 closed dates', () => {
    const closedDates = Array.from({ length: 1000 }, (_, week) => new Date(Date.UTC(2026, 0, 10 + 7 * week)).toISOString().slice(0, 10));
    const saturdays = compileCalendar({ name: 'sat', timeZone: 'UTC', workingHours: { sat: [{ start: '10:00', end: '11:00' }] }, closedDates });
    expect(saturdays.nextWorkingInstant(new Date('2026-01-09T00:00:00Z')).toISOString()).toBe(
      new Date(Date.UTC(2026, 0, 10 + 7 * 1000, 10)).toISOString(),
    );
  });
});

describe('arguments', () => {
  const from = local('Europe/Berlin', '2026-01-05T09:00');

  it.each([
    ['a negative amount', () => berlin.addBusinessTime(from, -1)],
    ['a fractional amount', () => berlin.addBusinessTime(from, 1.5)],
    ['NaN', () => berlin.addBusinessTime(from, Number.NaN)],
    ['fractional days', () => berlin.addBusinessDays(from, 0.5)],
    ['an invalid Date', () => berlin.businessTimeBetween(new Date(Number.NaN), from)],
    ['a Date before 1900', () => berlin.isWorkingTime(new Date('1899-12-31T00:00:00Z'))],
    ['a Date after 8999', () => berlin.nextWorkingInstant(new Date('9000-01-01T00:00:00Z'))],
  ])('refuses %s with CalendarArgumentError', (_what, call) => {
    expect(call).toThrow(CalendarArgumentError);
  });
});

/**
 * Properties of the business-time arithmetic, on fixed calendars and on generated ones (random
 * zones with DST quirks, random split days, random closed dates), with instants biased towards
 * DST changes. What holds, for a calendar c, instants a <= b and amounts ms >= 0:
 *
 * - round trip: c.businessTimeBetween(a, c.addBusinessTime(a, ms)) === ms
 * - addBusinessTime is monotonic (non-decreasing) in ms and in from
 * - t = c.addBusinessTime(a, c.businessTimeBetween(a, b)) is b moved back over trailing
 *   non-working time: t <= b, between(a, t) === between(a, b), between(t, b) === 0, and t === b
 *   when between(a, b) > 0 and the millisecond before b is working time. (So t is the earliest
 *   instant with as much working time since a as b has.)
 * - businessTimeBetween is additive: between(a, c) === between(a, b) + between(b, c)
 * - nextWorkingInstant(x) >= x, is working time, and has no working time before it from x;
 *   isWorkingTime(x) exactly when nextWorkingInstant(x) equals x
 * - it agrees with a naive day-by-day count written with luxon (on calendars whose hours never
 *   touch a skipped or repeated wall time, where luxon's placement and ours coincide)
 */
import fc from 'fast-check';
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { compileCalendar, type BusinessCalendar } from './business-calendar';
import { WEEKDAYS, type CalendarInput } from './calendar.schema';
import { ALWAYS_BERLIN, BAVARIA, BERLIN_9_TO_5, HOUR, NEW_YORK_AWKWARD, NEW_YORK_SPLIT } from './calendar-test-fixtures';

const DAY = 24 * HOUR;
const RUNS = { numRuns: 150 };

const FIXED: readonly CalendarInput[] = [BERLIN_9_TO_5, BAVARIA, NEW_YORK_SPLIT, NEW_YORK_AWKWARD, ALWAYS_BERLIN];
const compiled = new Map(FIXED.map((input) => [input.name, compileCalendar(input)]));
const fixedCalendar = fc.constantFrom(...FIXED.map((input) => compiled.get(input.name)!));

/** DST changes of the zones used here, in 2026 (UTC): instants near them are the hard cases. */
const CHANGES = [
  '2026-03-08T07:00:00Z', // America/New_York spring forward
  '2026-11-01T06:00:00Z', // America/New_York fall back
  '2026-03-29T01:00:00Z', // Europe/Berlin
  '2026-10-25T01:00:00Z',
  '2026-04-04T15:00:00Z', // Australia/Lord_Howe (30 minutes)
  '2026-04-05T03:00:00Z', // America/Santiago (at midnight local)
  '2026-03-28T22:00:00Z', // Asia/Beirut (at midnight local)
].map((text) => Date.parse(text));

const instant = fc.oneof(
  fc.integer({ min: Date.UTC(2025, 11, 1), max: Date.UTC(2027, 1, 1) }),
  fc.tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -4 * DAY, max: 4 * DAY })).map(([at, delta]) => at + delta),
);
const date = instant.map((ms) => new Date(ms));

/** Amounts of working time: small, up to about two months of 40-hour weeks, and exact hours. */
const amount = fc.oneof(
  fc.integer({ min: 0, max: 10 * HOUR }),
  fc.integer({ min: 0, max: 400 * HOUR }),
  fc.integer({ min: 0, max: 400 }).map((hours) => hours * HOUR),
  fc.constantFrom(0, 1, 8 * HOUR),
);

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** 0 to 3 sorted, non-overlapping intervals on a day, on a 15-minute grid (so they hit DST edges). */
const daySchedule = fc
  .integer({ min: 0, max: 3 })
  .chain((count) => fc.uniqueArray(fc.integer({ min: 0, max: 96 }), { minLength: 2 * count, maxLength: 2 * count }))
  .map((marks) => {
    const sorted = [...marks].sort((x, y) => x - y).map((q) => q * 15);
    const intervals = [];
    for (let i = 0; i < sorted.length; i += 2) intervals.push({ start: hhmm(sorted[i]!), end: hhmm(sorted[i + 1]!) });
    return intervals;
  });

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Beirut', 'Asia/Kolkata'];

const generatedInput = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    days: fc.tuple(...WEEKDAYS.map(() => daySchedule)),
    closed: fc.uniqueArray(fc.integer({ min: 0, max: 450 }), { maxLength: 40 }),
    holidays: fc.constantFrom(null, { country: 'DE', region: 'BY' }, { country: 'CN' }),
  })
  .filter(({ days }) => days.some((d) => d.length > 0))
  .map(
    ({ timeZone, days, closed, holidays }): CalendarInput => ({
      name: 'generated',
      timeZone,
      workingHours: Object.fromEntries(WEEKDAYS.map((weekday, i) => [weekday, days[i]!])),
      holidays,
      closedDates: closed.map((offset) => new Date(Date.UTC(2025, 11, 1) + offset * DAY).toISOString().slice(0, 10)),
    }),
  );

/** A generated calendar, with amounts scaled to its week so that no answer passes the horizon. */
const generated = generatedInput.chain((input) => {
  const weekMs = WEEKDAYS.flatMap((d) => input.workingHours[d] ?? []).reduce(
    (sum, i) => sum + (minutes(i.end) - minutes(i.start)) * 60_000,
    0,
  );
  return fc.record({
    calendar: fc.constant(compileCalendar(input)),
    ms: fc.oneof(fc.integer({ min: 0, max: 3 * HOUR }), fc.integer({ min: 0, max: 20 * weekMs })),
  });
});

function minutes(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
}

const ms = (d: Date) => d.getTime();

function roundTrip(cal: BusinessCalendar, from: Date, amountMs: number): void {
  expect(cal.businessTimeBetween(from, cal.addBusinessTime(from, amountMs))).toBe(amountMs);
}

function backOverIdleTime(cal: BusinessCalendar, a: Date, b: Date): void {
  const worked = cal.businessTimeBetween(a, b);
  const t = cal.addBusinessTime(a, worked);
  expect(ms(t)).toBeLessThanOrEqual(ms(b));
  expect(cal.businessTimeBetween(a, t)).toBe(worked);
  expect(cal.businessTimeBetween(t, b)).toBe(0);
  if (worked > 0 && cal.isWorkingTime(new Date(ms(b) - 1))) expect(t).toEqual(b);
  if (worked === 0) expect(t).toEqual(a);
}

const ordered = <T extends Date>(x: T, y: T): [T, T] => (ms(x) <= ms(y) ? [x, y] : [y, x]);

describe('addBusinessTime and businessTimeBetween on fixed calendars', () => {
  it('round-trip: between(from, add(from, ms)) === ms, from inside or outside working time', () => {
    fc.assert(fc.property(fixedCalendar, date, amount, (cal, from, x) => roundTrip(cal, from, x)), RUNS);
  });

  it('addBusinessTime is monotonic in ms', () => {
    fc.assert(
      fc.property(fixedCalendar, date, amount, amount, (cal, from, x, y) => {
        const [small, large] = x <= y ? [x, y] : [y, x];
        expect(ms(cal.addBusinessTime(from, small))).toBeLessThanOrEqual(ms(cal.addBusinessTime(from, large)));
        if (large > small) expect(ms(cal.addBusinessTime(from, small))).toBeLessThan(ms(cal.addBusinessTime(from, large)));
      }),
      RUNS,
    );
  });

  it('addBusinessTime is monotonic in from', () => {
    fc.assert(
      fc.property(fixedCalendar, date, date, amount, (cal, x, y, amountMs) => {
        const [early, late] = ordered(x, y);
        expect(ms(cal.addBusinessTime(early, amountMs))).toBeLessThanOrEqual(ms(cal.addBusinessTime(late, amountMs)));
      }),
      RUNS,
    );
  });

  it('add(a, between(a, b)) is b moved back over trailing non-working time', () => {
    fc.assert(
      fc.property(fixedCalendar, date, date, (cal, x, y) => {
        const [a, b] = ordered(x, y);
        backOverIdleTime(cal, a, b);
      }),
      RUNS,
    );
  });

  it('businessTimeBetween is additive over a split point', () => {
    fc.assert(
      fc.property(fixedCalendar, date, date, date, (cal, x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => ms(p) - ms(q)) as [Date, Date, Date];
        expect(cal.businessTimeBetween(a, c)).toBe(cal.businessTimeBetween(a, b) + cal.businessTimeBetween(b, c));
      }),
      RUNS,
    );
  });

  it('nextWorkingInstant is the first working instant at or after its argument', () => {
    fc.assert(
      fc.property(fixedCalendar, date, (cal, at) => {
        const next = cal.nextWorkingInstant(at);
        expect(ms(next)).toBeGreaterThanOrEqual(ms(at));
        expect(cal.isWorkingTime(next)).toBe(true);
        expect(cal.businessTimeBetween(at, next)).toBe(0);
        expect(cal.isWorkingTime(at)).toBe(ms(next) === ms(at));
        if (ms(next) > ms(at)) expect(cal.isWorkingTime(new Date(ms(next) - 1))).toBe(false);
      }),
      RUNS,
    );
  });

  it('addBusinessDays is monotonic in days and lands on working time or a closing', () => {
    fc.assert(
      fc.property(fixedCalendar, date, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (cal, from, x, y) => {
        const [few, many] = x <= y ? [x, y] : [y, x];
        const early = cal.addBusinessDays(from, few);
        const late = cal.addBusinessDays(from, many);
        expect(ms(early)).toBeLessThanOrEqual(ms(late));
        if (many > few) expect(cal.businessTimeBetween(early, late)).toBeGreaterThan(0);
        if (many > 0) expect(cal.isWorkingTime(new Date(ms(late) - 1))).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('the same properties on generated calendars', () => {
  const SOME = { numRuns: 60 };

  it('round-trip, monotonic in ms and in from', () => {
    fc.assert(
      fc.property(generated, date, date, (g, x, y) => {
        const [early, late] = ordered(x, y);
        roundTrip(g.calendar, early, g.ms);
        roundTrip(g.calendar, late, g.ms);
        expect(ms(g.calendar.addBusinessTime(early, g.ms))).toBeLessThanOrEqual(ms(g.calendar.addBusinessTime(late, g.ms)));
        expect(ms(g.calendar.addBusinessTime(early, Math.floor(g.ms / 2)))).toBeLessThanOrEqual(
          ms(g.calendar.addBusinessTime(early, g.ms)),
        );
      }),
      SOME,
    );
  });

  it('moving back over idle time, additivity and the next working instant', () => {
    fc.assert(
      fc.property(generated, date, date, date, (g, x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => ms(p) - ms(q)) as [Date, Date, Date];
        const cal = g.calendar;
        backOverIdleTime(cal, a, c);
        expect(cal.businessTimeBetween(a, c)).toBe(cal.businessTimeBetween(a, b) + cal.businessTimeBetween(b, c));
        const next = cal.nextWorkingInstant(b);
        expect(cal.isWorkingTime(next)).toBe(true);
        expect(cal.businessTimeBetween(b, next)).toBe(0);
        expect(cal.isWorkingTime(b)).toBe(ms(next) === ms(b));
      }),
      SOME,
    );
  });
});

/**
 * A naive count, one local date at a time, with luxon placing each wall time and date-holidays'
 * public holidays taken by their date: independent of the week skipping and zone tables.
 */
const naiveHolidays = new Map<string, Set<string>>();

/** date-holidays' public holidays of 2024-2032 by their date, read once per calendar. */
function publicHolidayDates(input: CalendarInput): Set<string> {
  let dates = naiveHolidays.get(input.name);
  if (!dates) {
    dates = new Set();
    const region = input.holidays;
    const holidays = region
      ? region.region
        ? new Holidays(region.country, region.region, { timezone: 'UTC' })
        : new Holidays(region.country, { timezone: 'UTC' })
      : undefined;
    for (let year = 2024; year <= 2032; year++) {
      for (const h of holidays?.getHolidays(year) ?? []) if (h.type === 'public') dates.add(h.date.slice(0, 10));
    }
    naiveHolidays.set(input.name, dates);
  }
  return dates;
}

function naiveBetween(input: CalendarInput, a: Date, b: Date): number {
  const zone = input.timeZone;
  const holidayDates = publicHolidayDates(input);
  let total = 0;
  for (let day = DateTime.fromJSDate(a, { zone }).startOf('day'); day.toMillis() < b.getTime(); day = day.plus({ days: 1 })) {
    const iso = day.toISODate()!;
    if (holidayDates.has(iso) || input.closedDates?.includes(iso)) continue;
    const weekday = WEEKDAYS[day.weekday - 1]!;
    for (const interval of input.workingHours[weekday] ?? []) {
      const at = (time: string) =>
        time === '24:00' ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: Math.floor(minutes(time) / 60), minute: minutes(time) % 60 });
      const start = Math.max(at(interval.start).toMillis(), a.getTime());
      const end = Math.min(at(interval.end).toMillis(), b.getTime());
      if (end > start) total += end - start;
    }
  }
  return total;
}

describe('agreement with a naive day-by-day count', () => {
  const PLAIN = [BAVARIA, NEW_YORK_SPLIT, ALWAYS_BERLIN];

  it('businessTimeBetween over ranges of up to 90 days', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PLAIN), date, fc.integer({ min: 0, max: 90 * DAY }), (input, a, length) => {
        const b = new Date(ms(a) + length);
        expect(compiled.get(input.name)!.businessTimeBetween(a, b)).toBe(naiveBetween(input, a, b));
      }),
      { numRuns: 60 },
    );
  });

  it('10,000 working hours in Bavaria, counted naively over the five years', () => {
    const from = new Date('2026-01-07T10:15:00Z');
    const end = compiled.get(BAVARIA.name)!.addBusinessTime(from, 10_000 * HOUR);
    expect(naiveBetween(BAVARIA, from, end)).toBe(10_000 * HOUR);
  });
});

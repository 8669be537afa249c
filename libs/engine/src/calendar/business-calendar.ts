/**
 * A tenant's business calendar, compiled: working time as a set of half-open instant intervals
 * [open, close), and the arithmetic over it that SLAs need. Pure: no clock, no I/O.
 *
 * The rules, in one place:
 * - Working hours are wall-clock times in the calendar's zone. Each is placed on the real time
 *   line as "the first instant the local clock shows that time or later" (zone-clock.ts): a time
 *   the clock shows twice (after a fall back) is its first showing; a time the clock skips (a
 *   spring forward) is the instant of the jump. Interval lengths are then real elapsed time, so an
 *   interval that contains a spring forward's skipped hour is an hour shorter (Berlin 2026-03-29,
 *   01:00-05:00 is 3 real hours), one containing the repeated hour an hour longer, and one that
 *   does not contain the change (09:00-17:00 in Europe or the US) keeps its 8 hours.
 * - A public holiday (date-holidays type 'public') of the country/region, or a `closedDates`
 *   entry, closes the whole local date in the calendar's zone.
 * - `addBusinessTime(from, ms)` is the EARLIEST instant t >= from with businessTimeBetween(from, t)
 *   >= ms. So `ms = 0` gives `from` itself (not the next opening: use nextWorkingInstant for that),
 *   8 hours from an opening is that day's closing (Fri 09:00 + 8h = Fri 17:00, not Mon 09:00),
 *   and `businessTimeBetween(from, addBusinessTime(from, ms)) === ms` always.
 * - Every search looks at most CALENDAR_HORIZON_YEARS ahead and throws CalendarHorizonError beyond.
 *   Long searches skip whole weeks that hold no closed date and no UTC offset change: such a week
 *   holds exactly the nominal weekly working time.
 */
import { CALENDAR_HORIZON_YEARS, CalendarArgumentError, CalendarHorizonError, InvalidCalendarError } from './calendar-errors';
import { minutesOfTime, validateCalendar, WEEKDAYS, type CalendarInput } from './calendar.schema';
import { closedDays } from './closed-days';
import { DAY_MS, MINUTE_MS, zoneClock } from './zone-clock';

export interface BusinessCalendar {
  readonly name: string;
  readonly timeZone: string;
  /** Whether `at` lies in working time: in [open, close) of an interval of an open day. */
  isWorkingTime(at: Date): boolean;
  /** `at` if it is working time, else the next opening. */
  nextWorkingInstant(at: Date): Date;
  /**
   * The earliest instant by which `ms` of working time have passed since `from`: counting starts
   * at the next opening when `from` is outside working time, and the answer may be a closing
   * instant. `ms` is a whole number >= 0; 0 gives `from`.
   */
  addBusinessTime(from: Date, ms: number): Date;
  /** The working milliseconds in [a, b); 0 when b <= a. */
  businessTimeBetween(a: Date, b: Date): number;
  /**
   * `days` working days after `from`, a working day being a local date with working time. The
   * answer sits as far into the target day as `from` sits into its own working day (working time
   * since that day's first opening; a `from` outside working time counts from the next opening),
   * capped at the target day's closing, and is then the earliest instant with the same working
   * time since `from`, which turns "at the target day's opening" into "at the close of the working
   * day before it". On a Mon-Fri 09:00-17:00 calendar: Fri 17:00 + 1 = Mon 17:00, Fri 10:00 + 1 =
   * Mon 10:00, Sat 11:00 + 1 = Mon 17:00, Mon 09:00 + 1 = Mon 17:00. `days` = 0 gives `from`.
   */
  addBusinessDays(from: Date, days: number): Date;
}

/** 50 years of 365.2425 days. */
const HORIZON_MS = Math.round(CALENDAR_HORIZON_YEARS * 365.2425 * DAY_MS);
const HORIZON_DAYS = Math.ceil(HORIZON_MS / DAY_MS);
/** date-holidays and the zone tables are meant for dates of this range; nothing sensible lies outside it. */
const MIN_INSTANT = Date.UTC(1900, 0, 1);
const MAX_INSTANT = Date.UTC(9000, 0, 1);

interface Span {
  readonly start: number;
  readonly end: number;
}

/** 0 = mon .. 6 = sun, the index into WEEKDAYS. Local day 0, 1970-01-01, was a Thursday. */
const weekdayOf = (day: number): number => (((day + 3) % 7) + 7) % 7;

/** Validate a raw calendar body and compile it; throws InvalidCalendarError listing every problem. */
export function compileCalendar(raw: unknown): BusinessCalendar {
  const validation = validateCalendar(raw);
  if (!validation.ok) throw new InvalidCalendarError(validation.problems);
  return buildCalendar(validation.calendar);
}

function instantOf(value: Date, name: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (!(ms >= MIN_INSTANT && ms < MAX_INSTANT)) {
    throw new CalendarArgumentError(`${name} must be a valid Date from the year 1900 to 8999`);
  }
  return ms;
}

function wholeAmount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CalendarArgumentError(`${name} must be a whole number, 0 or more (got ${String(value)})`);
  }
  return value;
}

function buildCalendar(input: CalendarInput): BusinessCalendar {
  const clock = zoneClock(input.timeZone);
  const closed = closedDays(input.holidays, input.closedDates ?? []);
  /** per weekday (0 = mon): [start, end) as ms after local midnight */
  const schedule: readonly (readonly Span[])[] = WEEKDAYS.map((weekday) =>
    (input.workingHours[weekday] ?? []).map((i) => ({
      start: minutesOfTime(i.start) * MINUTE_MS,
      end: minutesOfTime(i.end) * MINUTE_MS,
    })),
  );
  const nominalWeekMs = schedule.flat().reduce((sum, span) => sum + span.end - span.start, 0);
  const workingWeekdays = schedule.filter((spans) => spans.length > 0).length;
  const beyond = (what: string) => new CalendarHorizonError(input.name, what);

  const dayStart = (day: number): number => clock.instantOfWall(day * DAY_MS);
  const hasHours = (day: number): boolean => schedule[weekdayOf(day)]!.length > 0;

  /**
   * The working spans of a local day, as instants, in order; empty when the day is closed. Every
   * span of a day ends at or before the start of the next day's, so days in order give all
   * working time in order.
   */
  function spansOf(day: number): Span[] {
    if (!hasHours(day) || closed.isClosed(day)) return [];
    const spans: Span[] = [];
    for (const wall of schedule[weekdayOf(day)]!) {
      const start = clock.instantOfWall(day * DAY_MS + wall.start);
      const end = clock.instantOfWall(day * DAY_MS + wall.end);
      if (end > start) spans.push({ start, end }); // an interval inside a skipped hour is empty
    }
    return spans;
  }

  /**
   * The instants of the 7 local days from `day`, when that week is plain: no closed working day
   * and no offset change, so its working time is exactly `nominalWeekMs` over `workingWeekdays`
   * working days. Undefined otherwise.
   */
  function plainWeek(day: number): Span | undefined {
    for (let d = day; d < day + 7; d++) if (hasHours(d) && closed.isClosed(d)) return undefined;
    const start = dayStart(day);
    const end = dayStart(day + 7);
    return clock.changesWithin(start, end) ? undefined : { start, end };
  }

  function add(from: number, ms: number): number {
    if (ms === 0) return from;
    if (ms > HORIZON_MS) throw beyond(`the end of ${ms} ms of working time`);
    const limit = from + HORIZON_MS;
    let remaining = ms;
    for (let day = clock.localDay(from); ; day++) {
      if (dayStart(day) > limit) throw beyond(`the end of ${ms} ms of working time`);
      if (remaining > nominalWeekMs) {
        const week = plainWeek(day);
        // strictly more remains than the week holds: the answer lies after it
        if (week && week.start >= from) {
          remaining -= nominalWeekMs;
          day += 6;
          continue;
        }
      }
      for (const span of spansOf(day)) {
        if (span.end <= from) continue;
        const start = Math.max(span.start, from);
        if (span.end - start >= remaining) {
          if (start + remaining > limit) throw beyond(`the end of ${ms} ms of working time`);
          return start + remaining;
        }
        remaining -= span.end - start;
      }
    }
  }

  function between(a: number, b: number): number {
    if (b <= a) return 0;
    if (b - a > HORIZON_MS) throw beyond('the end of the range');
    let total = 0;
    for (let day = clock.localDay(a); ; day++) {
      const start = dayStart(day);
      if (start >= b) return total;
      if (b - start >= 7 * DAY_MS) {
        const week = plainWeek(day);
        if (week && week.start >= a && week.end <= b) {
          total += nominalWeekMs;
          day += 6;
          continue;
        }
      }
      for (const span of spansOf(day)) {
        const overlap = Math.min(span.end, b) - Math.max(span.start, a);
        if (overlap > 0) total += overlap;
      }
    }
  }

  /** The local day whose span holds `at`, and how much of that day's working time precedes it. */
  function locate(at: number): { day: number; position: number } | undefined {
    // the day the clock shows, or, just after a fall back across midnight, the next one
    const shown = clock.localDay(at);
    for (let day = shown; day <= shown + 1; day++) {
      let position = 0;
      for (const span of spansOf(day)) {
        if (at >= span.start && at < span.end) return { day, position: position + at - span.start };
        position += span.end - span.start;
      }
    }
    return undefined;
  }

  function nextWorking(at: number): number {
    const limit = at + HORIZON_MS;
    for (let day = clock.localDay(at); ; day++) {
      if (dayStart(day) > limit) throw beyond('the next working time');
      for (const span of spansOf(day)) if (span.end > at) return Math.max(span.start, at);
    }
  }

  function addDays(from: number, days: number): number {
    if (days === 0) return from;
    if (days > HORIZON_DAYS) throw beyond(`${days} business days`);
    const anchor = locate(nextWorking(from))!;
    const limit = from + HORIZON_MS;
    let day = anchor.day;
    for (let left = days; left > 0; ) {
      const next = day + 1;
      if (dayStart(next) > limit) throw beyond(`${days} business days`);
      const week = left > workingWeekdays ? plainWeek(next) : undefined;
      if (week) {
        left -= workingWeekdays;
        day = next + 6;
      } else {
        day = next;
        if (spansOf(day).length > 0) left--;
      }
    }
    const target = pointInDay(spansOf(day), anchor.position);
    // the earliest instant with the same working time since `from` (see addBusinessDays)
    return add(from, between(from, target));
  }

  return Object.freeze({
    name: input.name,
    timeZone: input.timeZone,
    isWorkingTime: (at: Date) => locate(instantOf(at, 'at')) !== undefined,
    nextWorkingInstant: (at: Date) => new Date(nextWorking(instantOf(at, 'at'))),
    addBusinessTime: (from: Date, ms: number) => new Date(add(instantOf(from, 'from'), wholeAmount(ms, 'ms'))),
    businessTimeBetween: (a: Date, b: Date) => between(instantOf(a, 'a'), instantOf(b, 'b')),
    addBusinessDays: (from: Date, days: number) => new Date(addDays(instantOf(from, 'from'), wholeAmount(days, 'days'))),
  });
}

/** The instant `position` ms of working time into a (non-empty) day, capped at its last closing. */
function pointInDay(spans: readonly Span[], position: number): number {
  let left = position;
  for (const span of spans) {
    if (span.end - span.start >= left) return span.start + left;
    left -= span.end - span.start;
  }
  return spans[spans.length - 1]!.end;
}

/**
 * Which local days a calendar is closed on: public holidays from `date-holidays` and the tenant's
 * own closed dates. Both close whole local dates in the calendar's time zone; a day is a local
 * day number (days since 1970-01-01, see zone-clock.ts).
 */
import Holidays from 'date-holidays';
import { boundedMemo } from './bounded-memo';
import { DAY_MS } from './zone-clock';

export interface HolidayRegion {
  /** ISO 3166-1 alpha-2, as date-holidays names countries: `DE` */
  readonly country: string;
  /** date-holidays' first subdivision level (its "state"), ISO 3166-2 where there is one: `BY` */
  readonly region?: string | undefined;
}

export interface ClosedDays {
  isClosed(day: number): boolean;
}

/** A holiday spanning more days than this is taken as a data error and cut there. */
const MAX_HOLIDAY_DAYS = 31;
const HOLIDAY_DATE = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}))?/;

/** country/region + year -> holiday days: date-holidays takes 5 to 25 ms a year (lunar calendars) */
const holidayYears = boundedMemo<ReadonlySet<number>>(4096);

/** `2026-12-24` -> its day number; undefined when it is not a real date. */
export function dayOfIsoDate(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to 2 March: a real date reads back the same
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms / DAY_MS;
}

export function closedDays(region: HolidayRegion | null | undefined, closedDates: readonly string[]): ClosedDays {
  const closed = new Set<number>();
  for (const date of closedDates) {
    const day = dayOfIsoDate(date);
    if (day !== undefined) closed.add(day);
  }
  if (!region) return Object.freeze({ isClosed: (day: number) => closed.has(day) });

  const { country, region: state } = region;
  let holidays: Holidays | undefined;
  const holidayDaysOf = (year: number): ReadonlySet<number> =>
    // computed on first use: a search touches a handful of years
    holidayYears(`${country}/${state ?? ''}/${year}`, () => {
      // timezone UTC: `start`/`end` then differ by the holiday's wall-clock length, whatever the
      // process's own zone is. Only the local date in `date` and that length are used.
      holidays ??= state
        ? new Holidays(country, state, { timezone: 'UTC' })
        : new Holidays(country, { timezone: 'UTC' });
      return publicHolidayDays(holidays, year);
    });

  return Object.freeze({
    isClosed(day: number): boolean {
      if (closed.has(day)) return true;
      const year = new Date(day * DAY_MS).getUTCFullYear();
      // a holiday listed in the year before may run over New Year's Day
      return holidayDaysOf(year).has(day) || holidayDaysOf(year - 1).has(day);
    },
  });
}

/**
 * The days of the year's public holidays (type 'public' only: not bank, school, optional or
 * observance days). A holiday closes every local date it touches, from the date date-holidays
 * gives it through the date its end falls on; one that starts at noon closes its whole date.
 */
function publicHolidayDays(holidays: Holidays, year: number): ReadonlySet<number> {
  const days = new Set<number>();
  for (const holiday of holidays.getHolidays(year)) {
    if (holiday.type !== 'public') continue;
    const match = HOLIDAY_DATE.exec(holiday.date);
    if (!match) continue;
    const startWall = Date.UTC(
      Number(match[1]),
      Number(match[2]) - 1,
      Number(match[3]),
      Number(match[4] ?? 0),
      Number(match[5] ?? 0),
    );
    const length = Math.max(1, holiday.end.getTime() - holiday.start.getTime());
    const first = Math.floor(startWall / DAY_MS);
    const last = Math.min(Math.floor((startWall + length - 1) / DAY_MS), first + MAX_HOLIDAY_DAYS - 1);
    for (let day = first; day <= last; day++) days.add(day);
  }
  return days;
}

let countries: Readonly<Record<string, string>> | undefined;

/** The countries date-holidays knows: code -> English name. */
export function holidayCountries(): Readonly<Record<string, string>> {
  countries ??= Object.freeze(new Holidays().getCountries('en'));
  return countries;
}

/** The subdivisions ("states") date-holidays knows for a country: code -> name; empty if none. */
export function holidayRegions(country: string): Readonly<Record<string, string>> {
  return new Holidays().getStates(country, 'en') ?? {};
}

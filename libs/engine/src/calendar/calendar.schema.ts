/**
 * The shape of a business calendar as a tenant POSTs it, and `validateCalendar`, which runs the
 * schema and reports every problem with the JSON path it points at (as definitions do).
 */
import { z } from 'zod';
import { formatPath } from '../definition/format-path';
import { dayOfIsoDate, holidayCountries, holidayRegions } from './closed-days';
import { isKnownTimeZone } from './zone-clock';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const CALENDAR_LIMITS = Object.freeze({
  maxClosedDates: 1000,
  /** per weekday: more than a split day could need, few enough to keep a day's work small */
  maxIntervalsPerDay: 24,
});

const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** `'09:30'` -> 570; the caller has checked the shape. */
export function minutesOfTime(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

const timeOfDay = z.string().regex(HH_MM, { error: 'must be a time of day "HH:MM", from 00:00 to 24:00' });

/**
 * Whether an interval's times are well formed and end after start: only such are compared further.
 * zod runs refinements over values with problems of their own, so this takes anything.
 */
function isOrdered(i: unknown): boolean {
  if (typeof i !== 'object' || i === null) return false;
  const { start, end } = i as { start?: unknown; end?: unknown };
  return typeof start === 'string' && typeof end === 'string' && HH_MM.test(start) && HH_MM.test(end) && minutesOfTime(end) > minutesOfTime(start);
}

const isTime = (value: unknown): boolean => typeof value === 'string' && HH_MM.test(value);

const intervalSchema = z
  .strictObject({ start: timeOfDay, end: timeOfDay })
  // zod runs this even when a time is malformed; that problem is reported on its own
  .refine((i) => !isTime(i.start) || !isTime(i.end) || isOrdered(i), {
    error: (issue) => {
      const i = issue.input as { start: string; end: string };
      return `end ${i.end} must be after start ${i.start} (an interval lies within one day; 24:00 is midnight at its end)`;
    },
    path: ['end'],
  });

const daySchema = z
  .array(intervalSchema)
  .max(CALENDAR_LIMITS.maxIntervalsPerDay, { error: `at most ${CALENDAR_LIMITS.maxIntervalsPerDay} intervals a day` })
  .superRefine((intervals, ctx) => {
    for (let i = 1; i < intervals.length; i++) {
      const previous = intervals[i - 1]!;
      const current = intervals[i]!;
      if (!isOrdered(previous) || !isOrdered(current)) continue; // already reported
      if (minutesOfTime(current.start) < minutesOfTime(previous.end)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'start'],
          message: `intervals must be in order and must not overlap: ${current.start} is before the end of the previous interval (${previous.end})`,
        });
      }
    }
  });

const workingHoursSchema = z
  .strictObject(
    Object.fromEntries(WEEKDAYS.map((day) => [day, daySchema.optional()])) as Record<Weekday, z.ZodOptional<typeof daySchema>>,
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown day${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}: the days are ${WEEKDAYS.join(', ')}`
          : undefined,
    },
  )
  .refine((week) => WEEKDAYS.some((day) => (week[day]?.length ?? 0) > 0), {
    error: 'a calendar needs at least one working interval in the week',
  });

const COUNTRY_CODE = /^[A-Z]{2}$/;

const regionCode = z.string().min(1, { error: 'region must not be empty: leave it out instead' }).max(10);

const holidaysSchema = z
  .strictObject({
    country: z.string().regex(COUNTRY_CODE, { error: 'country must be an ISO 3166-1 alpha-2 code in capitals, such as DE or US' }),
    region: regionCode.optional(),
  })
  .superRefine((holidays, ctx) => {
    // zod runs this over fields with problems of their own: those are reported already
    if (typeof holidays.country !== 'string' || !COUNTRY_CODE.test(holidays.country)) return;
    if (holidays.region !== undefined && !regionCode.safeParse(holidays.region).success) return;
    if (!Object.hasOwn(holidayCountries(), holidays.country)) {
      ctx.addIssue({ code: 'custom', path: ['country'], message: `no public holidays are known for country ${holidays.country}` });
      return;
    }
    if (holidays.region === undefined) return;
    const regions = holidayRegions(holidays.country);
    if (!Object.hasOwn(regions, holidays.region)) {
      const known = Object.keys(regions);
      ctx.addIssue({
        code: 'custom',
        path: ['region'],
        message:
          known.length === 0
            ? `${holidays.country} has no regions with holidays of their own: leave region out`
            : `unknown region ${JSON.stringify(holidays.region)} of ${holidays.country}; known: ${known.join(', ')}`,
      });
    }
  });

const isoDate = z
  .string()
  .refine((text) => dayOfIsoDate(text) !== undefined, { error: 'must be a real date written YYYY-MM-DD' });

export const calendarSchema = z.strictObject({
  name: z
    .string()
    .min(1, { error: 'name must not be empty', abort: true })
    .max(100, { error: 'name must be at most 100 characters', abort: true })
    .regex(/^[A-Za-z0-9_.-]+$/, { error: 'name may hold only letters, digits, "_", "." and "-"' }),
  timeZone: z.string().refine(isKnownTimeZone, { error: 'unknown time zone: use an IANA name such as Europe/Berlin' }),
  workingHours: workingHoursSchema,
  holidays: holidaysSchema.nullable().optional(),
  closedDates: z
    .array(isoDate)
    .max(CALENDAR_LIMITS.maxClosedDates, { error: `at most ${CALENDAR_LIMITS.maxClosedDates} closedDates` })
    .optional(),
});

export type CalendarInput = z.output<typeof calendarSchema>;
export type WorkingInterval = z.output<typeof intervalSchema>;

export interface CalendarProblem {
  readonly path: string;
  readonly message: string;
}

export type CalendarValidation = { ok: true; calendar: CalendarInput } | { ok: false; problems: CalendarProblem[] };

/** Every problem of a raw calendar body, each at its JSON path (`workingHours.mon[1].start`). */
export function validateCalendar(raw: unknown): CalendarValidation {
  const parsed = calendarSchema.safeParse(raw);
  if (parsed.success) return { ok: true, calendar: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  };
}

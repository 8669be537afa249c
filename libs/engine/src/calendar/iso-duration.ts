/**
 * ISO 8601 durations (`PT8H`, `P1D`, `P1W`, `P1Y2M3DT4H5M6.5S`): parsed strictly, then added to an
 * instant on the wall clock of a zone (`addWallDuration`) or turned into a fixed number of
 * milliseconds (`durationToMs`, for business-time counting).
 *
 * Accepted: `P`, then any of nY nM nW nD in that order, then optionally `T` and any of nH nM nS.
 * A fraction (`.` or `,`) only on the last part written, as ISO 8601 says (luxon itself would take
 * one anywhere): `PT1.5H` and `P1DT0.5H` yes, `PT1.5H30M` no. Refused: a sign (no negative
 * durations), `P` or `PT` alone, a `T` with nothing after it, and anything longer than
 * MAX_DURATION_YEARS, lengths compared as luxon's "longterm" conversion counts them (a year of
 * 365.2425 days, a month of a twelfth of that): `P10Y`, `P120M` and `PT87600H` pass, `P3653D` not.
 */
import { DateTime } from 'luxon';
import { ValidationError } from '../errors/engine-errors';
import { DAY_MS, HOUR_MS, isKnownTimeZone, MINUTE_MS } from './zone-clock';

export const MAX_DURATION_YEARS = 10;
/** Longer than any duration of at most 10 years needs to be written. */
const MAX_DURATION_TEXT = 100;

export const DURATION_UNITS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

/** A parsed duration: each part as written (0 when absent), and the text it came from. */
export type IsoDuration = Readonly<Record<DurationUnit, number>> & { readonly text: string };

export type IsoDurationResult = { ok: true; duration: IsoDuration } | { ok: false; problem: string };

/** A duration text that does not parse, is negative or empty, or is too long for its use. */
export class InvalidDurationError extends ValidationError {
  constructor(message: string) {
    super('INVALID_DURATION', message);
  }
}

// Each part: up to 20 digits, then optionally a fraction. Fixed order, no nesting: linear time.
const ISO_DURATION =
  /^P(?:(\d{1,20}(?:[.,]\d{1,20})?)Y)?(?:(\d{1,20}(?:[.,]\d{1,20})?)M)?(?:(\d{1,20}(?:[.,]\d{1,20})?)W)?(?:(\d{1,20}(?:[.,]\d{1,20})?)D)?(?:T(?:(\d{1,20}(?:[.,]\d{1,20})?)H)?(?:(\d{1,20}(?:[.,]\d{1,20})?)M)?(?:(\d{1,20}(?:[.,]\d{1,20})?)S)?)?$/;

/** luxon's "longterm" lengths, in whole milliseconds so that P120M is exactly P10Y */
const YEAR_MS = 365.2425 * DAY_MS;
const NOMINAL_MS: Readonly<Record<DurationUnit, number>> = {
  years: YEAR_MS,
  months: YEAR_MS / 12,
  weeks: 7 * DAY_MS,
  days: DAY_MS,
  hours: HOUR_MS,
  minutes: MINUTE_MS,
  seconds: 1000,
};
const MAX_NOMINAL_MS = MAX_DURATION_YEARS * YEAR_MS;

export function parseIsoDuration(text: string): IsoDurationResult {
  const problem = (message: string): IsoDurationResult => ({ ok: false, problem: message });
  if (typeof text !== 'string') return problem('a duration must be a string such as PT8H');
  if (text.length > MAX_DURATION_TEXT) return problem(`a duration must be at most ${MAX_DURATION_TEXT} characters`);
  const shown = JSON.stringify(text);
  if (text.includes('-')) return problem(`${shown}: negative durations are not allowed`);
  const match = ISO_DURATION.exec(text);
  if (!match) {
    return problem(
      `${shown} is not an ISO 8601 duration: write P, then nY nM nW nD, then T and nH nM nS, such as PT8H, P1D, P1W or P1DT12H`,
    );
  }
  const written = match.slice(1, 1 + DURATION_UNITS.length);
  const last = written.findLastIndex((part) => part !== undefined);
  if (last < 0) return problem(`${shown} is empty: give at least one part, such as P1D or PT8H`);
  if (text.endsWith('T')) return problem(`${shown}: T must be followed by hours, minutes or seconds (PT8H)`);
  const fractional = written.findIndex((part, index) => index < last && part !== undefined && /[.,]/.test(part));
  if (fractional >= 0) {
    return problem(`${shown}: only the last part may have a fraction (${DURATION_UNITS[fractional]} has one)`);
  }
  const parts = Object.fromEntries(
    DURATION_UNITS.map((unit, index) => [unit, Number((written[index] ?? '0').replace(',', '.'))]),
  ) as Record<DurationUnit, number>;
  const nominal = DURATION_UNITS.reduce((sum, unit) => sum + parts[unit] * NOMINAL_MS[unit], 0);
  if (nominal > MAX_NOMINAL_MS) {
    return problem(`${shown} is longer than ${MAX_DURATION_YEARS} years`);
  }
  return { ok: true, duration: Object.freeze({ ...parts, text }) };
}

function parsedOrThrow(iso: string): IsoDuration {
  const result = parseIsoDuration(iso);
  if (!result.ok) throw new InvalidDurationError(result.problem);
  return result.duration;
}

/**
 * `from` plus the duration on the wall clock of `timeZone`, by luxon's rules: years, months, weeks
 * and days move the local date and keep the local time of day (P1D across a DST change is 23 or 25
 * real hours; the 31st plus P1M is the last day of a shorter month), hours, minutes and seconds are
 * elapsed time (PT24H is always 24 real hours). A fraction of a calendar unit is added as elapsed
 * time, luxon counting a day as 24 hours and a month as 30 days. Rounded to the millisecond.
 */
export function addWallDuration(from: Date, iso: string, timeZone = 'UTC'): Date {
  const duration = parsedOrThrow(iso);
  const ms = from instanceof Date ? from.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError('INVALID_DATE', 'from must be a valid Date');
  if (!isKnownTimeZone(timeZone)) {
    throw new ValidationError('UNKNOWN_TIME_ZONE', `unknown time zone ${JSON.stringify(timeZone)}: use an IANA name such as Europe/Berlin`);
  }
  const { text: _text, ...parts } = duration;
  const result = DateTime.fromMillis(ms, { zone: timeZone }).plus(parts);
  const resultMs = Math.round(result.toMillis());
  if (!result.isValid || !Number.isFinite(new Date(resultMs).getTime())) {
    throw new ValidationError('INVALID_DATE', `${iso} after ${new Date(ms).toISOString()} is past the last date that can be held`);
  }
  return new Date(resultMs);
}

/**
 * The duration as a fixed number of milliseconds, for business time: a week is 7 days, a day 24
 * hours (so on a 9-to-5 calendar P1D is three working days' worth of hours, NOT one business day:
 * that is BusinessCalendar.addBusinessDays). Years and months have no fixed length and are refused
 * (InvalidDurationError) unless written as 0. Rounded to the millisecond.
 */
export function durationToMs(iso: string): number {
  const d = parsedOrThrow(iso);
  if (d.years !== 0 || d.months !== 0) {
    throw new InvalidDurationError(
      `${JSON.stringify(iso)}: years and months have no fixed length; write the time as weeks, days or hours (P4W, P30D, PT720H)`,
    );
  }
  return Math.round(d.weeks * 7 * DAY_MS + d.days * DAY_MS + d.hours * HOUR_MS + d.minutes * MINUTE_MS + d.seconds * 1000);
}

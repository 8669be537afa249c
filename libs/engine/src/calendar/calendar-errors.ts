/** The calendar's typed errors, in the engine's taxonomy (errors/engine-errors.ts). */
import { UnprocessableError, ValidationError } from '../errors/engine-errors';
import type { CalendarProblem } from './calendar.schema';

/** How far any calendar search looks ahead of its starting instant. */
export const CALENDAR_HORIZON_YEARS = 50;

/** The calendar body is invalid; `details` lists every problem with its path. */
export class InvalidCalendarError extends ValidationError {
  constructor(readonly problems: readonly CalendarProblem[]) {
    const first = problems[0];
    const summary = first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : '';
    super(
      'INVALID_CALENDAR',
      `the calendar has ${problems.length} problem${problems.length === 1 ? '' : 's'}${summary}`,
      problems,
    );
  }
}

/** An argument of a calendar operation is not usable: an invalid Date, a negative or fractional amount. */
export class CalendarArgumentError extends ValidationError {
  constructor(message: string) {
    super('INVALID_CALENDAR_ARGUMENT', message);
  }
}

/**
 * The answer lies more than CALENDAR_HORIZON_YEARS after the starting instant (or the range asked
 * about is longer): refused instead of searching on. Well-formed, but not computable: 422.
 */
export class CalendarHorizonError extends UnprocessableError {
  constructor(calendar: string, what: string) {
    super(
      'CALENDAR_HORIZON_EXCEEDED',
      `${what} lies more than ${CALENDAR_HORIZON_YEARS} years ahead on calendar ${calendar}`,
      { calendar, horizonYears: CALENDAR_HORIZON_YEARS },
    );
  }
}

/**
 * Business calendars and durations: a tenant's working hours, public holidays and closed dates in
 * its time zone (`compileCalendar`), and ISO 8601 durations (`parseIsoDuration`). Pure: no clock.
 */
export { compileCalendar, type BusinessCalendar } from './business-calendar';
export {
  calendarSchema,
  validateCalendar,
  CALENDAR_LIMITS,
  WEEKDAYS,
  type CalendarInput,
  type CalendarProblem,
  type CalendarValidation,
  type Weekday,
  type WorkingInterval,
} from './calendar.schema';
export { CALENDAR_HORIZON_YEARS, CalendarArgumentError, CalendarHorizonError, InvalidCalendarError } from './calendar-errors';
export {
  addWallDuration,
  durationToMs,
  parseIsoDuration,
  InvalidDurationError,
  MAX_DURATION_YEARS,
  DURATION_UNITS,
  type DurationUnit,
  type IsoDuration,
  type IsoDurationResult,
} from './iso-duration';

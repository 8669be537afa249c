/**
 * Wall clock <-> instant arithmetic for one IANA time zone, in plain epoch milliseconds.
 *
 * luxon is the source of truth for the zone's UTC offsets (`IANAZone.offset`). Asking it costs a
 * few microseconds per call, and a business-time search asks for thousands of wall times, so the
 * offsets are read once per UTC year into a table of transitions (sampled every 12 hours, each
 * change located to the millisecond by bisection) and every conversion after that is arithmetic.
 * The one thing sampling could miss is two transitions less than 12 hours apart that cancel out;
 * no zone's rules do that.
 *
 * A "wall" value is the local date and time written as if it were UTC: `Date.UTC(y, m, d, h, min)`.
 * A "local day" is `floor(wall / DAY_MS)`: days since 1970-01-01 in the zone's own calendar.
 */
import { IANAZone } from 'luxon';
import { boundedMemo } from './bounded-memo';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const SAMPLE_STEP_MS = 12 * HOUR_MS;
/** Larger than any offset tzdb has had since 1900 (the range is ±14h): bounds the search windows. */
const MAX_OFFSET_MS = 18 * HOUR_MS;

interface Transition {
  /** the first instant of the new offset */
  readonly at: number;
  /** the offset in ms from `at` on */
  readonly offset: number;
}

interface YearTable {
  /** the offset at 1 January 00:00 UTC */
  readonly startOffset: number;
  /** the changes after that instant, up to and including 1 January 00:00 UTC of the next year */
  readonly transitions: readonly Transition[];
}

export interface ZoneClock {
  readonly timeZone: string;
  /** The zone's UTC offset in ms at `instant`. */
  offsetAt(instant: number): number;
  /** The local day number (days since 1970-01-01 in the zone) that the clock shows at `instant`. */
  localDay(instant: number): number;
  /**
   * The first instant at which the local clock shows `wall` or later. For an ordinary wall time
   * that is the one instant showing it; for one the clock shows twice (the repeated hour after a
   * fall back) it is the first of the two; for one the clock skips (a spring forward's gap) it is
   * the instant of the jump, where the clock goes from before `wall` to after it. It never
   * decreases as `wall` grows, so wall-time intervals map to instant intervals in the same order.
   */
  instantOfWall(wall: number): number;
  /** Whether the zone's offset changes at any instant in [from, to]. */
  changesWithin(from: number, to: number): boolean;
}

export function isKnownTimeZone(timeZone: string): boolean {
  return IANAZone.isValidZone(timeZone);
}

const utcYear = (instant: number): number => new Date(instant).getUTCFullYear();

/** zone + year -> table: about 4 ms of luxon calls each, a few hundred bytes kept */
const yearTables = boundedMemo<YearTable>(4096);

export function zoneClock(timeZone: string): ZoneClock {
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}`);
  // luxon answers in minutes (fractional for historical offsets that had seconds)
  const luxonOffset = (instant: number): number => Math.round(zone.offset(instant) * MINUTE_MS);
  // the last table used: a search stays within one year most of the time
  let lastYear = Number.NaN;
  let lastTable: YearTable | undefined;

  function table(year: number): YearTable {
    if (year !== lastYear || !lastTable) {
      lastTable = yearTables(`${timeZone}\u0000${year}`, () => buildYearTable(year, luxonOffset));
      lastYear = year;
    }
    return lastTable;
  }

  function offsetAt(instant: number): number {
    const { startOffset, transitions } = table(utcYear(instant));
    let offset = startOffset;
    for (const t of transitions) {
      if (t.at > instant) break;
      offset = t.offset;
    }
    return offset;
  }

  /** The transitions with from < at <= to, in order. */
  function transitionsIn(from: number, to: number): Transition[] {
    const found: Transition[] = [];
    for (let year = utcYear(from); year <= utcYear(to); year++) {
      for (const t of table(year).transitions) if (t.at > from && t.at <= to) found.push(t);
    }
    return found;
  }

  function instantOfWall(wall: number): number {
    // Walk the segments of constant offset from a point no instant showing `wall` can precede.
    // In a segment [start, end) of offset o the clock shows start+o .. end+o, rising, so the first
    // instant there showing `wall` or later is max(start, wall - o), if it is before `end`.
    let start = wall - MAX_OFFSET_MS;
    let offset = offsetAt(start);
    for (const t of transitionsIn(start, wall + MAX_OFFSET_MS)) {
      if (t.at + offset > wall) return Math.max(start, wall - offset);
      start = t.at;
      offset = t.offset;
    }
    return Math.max(start, wall - offset);
  }

  return Object.freeze({
    timeZone,
    offsetAt,
    localDay: (instant: number) => Math.floor((instant + offsetAt(instant)) / DAY_MS),
    instantOfWall,
    changesWithin: (from: number, to: number) => transitionsIn(from - 1, to).length > 0,
  });
}

function buildYearTable(year: number, offsetOf: (instant: number) => number): YearTable {
  const first = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const startOffset = offsetOf(first);
  const transitions: Transition[] = [];
  let at = first;
  let offset = startOffset;
  while (at < end) {
    const next = Math.min(at + SAMPLE_STEP_MS, end);
    const nextOffset = offsetOf(next);
    // Locate every change in (at, next]: usually none, at most one in practice.
    let from = at;
    let fromOffset = offset;
    while (fromOffset !== nextOffset) {
      let lo = from; // offsetOf(lo) === fromOffset
      let hi = next; // offsetOf(hi) !== fromOffset
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetOf(mid) === fromOffset) lo = mid;
        else hi = mid;
      }
      fromOffset = offsetOf(hi);
      transitions.push({ at: hi, offset: fromOffset });
      from = hi;
    }
    at = next;
    offset = nextOffset;
  }
  return { startOffset, transitions };
}

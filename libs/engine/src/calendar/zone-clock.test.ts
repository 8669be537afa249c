import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { DAY_MS, HOUR_MS, isKnownTimeZone, zoneClock } from './zone-clock';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Beirut', 'Pacific/Apia', 'Asia/Kathmandu'];
const clocks = new Map(ZONES.map((zone) => [zone, zoneClock(zone)]));
const zone = fc.constantFrom(...ZONES);
/** a few years, old and new rules, each table built once (4 ms of luxon calls a zone and year) */
const instant = fc
  .tuple(fc.constantFrom(1971, 1996, 2011, 2025, 2026, 2027, 2048), fc.integer({ min: 0, max: 365 * DAY_MS }))
  .map(([year, into]) => Date.UTC(year, 0, 1) + into);
/** a wall value: local date and time written as if UTC */
const wallOf = (text: string) => Date.parse(`${text}Z`);
const iso = (ms: number) => new Date(ms).toISOString();

describe('zoneClock', () => {
  it('has luxon\'s offset at every instant', () => {
    fc.assert(
      fc.property(zone, instant, (name, at) => {
        expect(clocks.get(name)!.offsetAt(at)).toBe(Math.round(IANAZone.create(name).offset(at) * 60_000));
      }),
      { numRuns: 400 },
    );
  });

  it('places a wall time at the first instant whose clock shows it or later, never going back', () => {
    fc.assert(
      fc.property(zone, instant, fc.integer({ min: 0, max: 3 * HOUR_MS }), (name, approx, step) => {
        const clock = clocks.get(name)!;
        const wallAt = (at: number) => at + clock.offsetAt(at);
        const wall = Math.floor(wallAt(approx) / 60_000) * 60_000;
        const at = clock.instantOfWall(wall);
        expect(wallAt(at)).toBeGreaterThanOrEqual(wall);
        expect(wallAt(at - 1)).toBeLessThan(wall);
        expect(clock.instantOfWall(wall + step)).toBeGreaterThanOrEqual(at);
        // a wall time the clock does show (luxon finds an instant showing it) is met exactly
        const viaLuxon = DateTime.fromMillis(wall, { zone: 'UTC' }).setZone(name, { keepLocalTime: true }).toMillis();
        if (wallAt(viaLuxon) === wall) {
          expect(wallAt(at)).toBe(wall);
          expect(at).toBeLessThanOrEqual(viaLuxon);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('spring forward (Berlin 2026-03-29, 02:00 -> 03:00): a skipped time is the instant of the jump', () => {
    const berlin = clocks.get('Europe/Berlin')!;
    expect(iso(berlin.instantOfWall(wallOf('2026-03-29T01:59')))).toBe('2026-03-29T00:59:00.000Z');
    expect(iso(berlin.instantOfWall(wallOf('2026-03-29T02:00')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(berlin.instantOfWall(wallOf('2026-03-29T02:30')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(berlin.instantOfWall(wallOf('2026-03-29T03:00')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(berlin.instantOfWall(wallOf('2026-03-29T03:30')))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('fall back (New York 2026-11-01, 02:00 -> 01:00): a repeated time is its first showing', () => {
    const newYork = clocks.get('America/New_York')!;
    expect(iso(newYork.instantOfWall(wallOf('2026-11-01T01:30')))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(newYork.instantOfWall(wallOf('2026-11-01T02:00')))).toBe('2026-11-01T07:00:00.000Z');
  });

  it('a day the zone skipped (Pacific/Apia, 2011-12-30) has no instants', () => {
    const apia = clocks.get('Pacific/Apia')!;
    const jump = Date.parse('2011-12-30T10:00:00Z');
    expect(apia.instantOfWall(wallOf('2011-12-30T00:00'))).toBe(jump);
    expect(apia.instantOfWall(wallOf('2011-12-31T00:00'))).toBe(jump);
    expect(apia.localDay(jump - 1)).toBe(wallOf('2011-12-29T00:00') / DAY_MS);
    expect(apia.localDay(jump)).toBe(wallOf('2011-12-31T00:00') / DAY_MS);
  });

  it('midnight skipped (Santiago 2026-09-06, 00:00 -> 01:00): the day starts at the jump', () => {
    const santiago = clocks.get('America/Santiago')!;
    const start = santiago.instantOfWall(wallOf('2026-09-06T00:00'));
    expect(start).toBe(santiago.instantOfWall(wallOf('2026-09-06T01:00')));
    expect(santiago.localDay(start)).toBe(wallOf('2026-09-06T00:00') / DAY_MS);
    expect(santiago.localDay(start - 1)).toBe(wallOf('2026-09-05T00:00') / DAY_MS);
  });

  it('tells whether the offset changes within a range, ends included', () => {
    const berlin = clocks.get('Europe/Berlin')!;
    const change = Date.parse('2026-03-29T01:00:00Z');
    expect(berlin.changesWithin(change - DAY_MS, change + DAY_MS)).toBe(true);
    expect(berlin.changesWithin(change, change + DAY_MS)).toBe(true);
    expect(berlin.changesWithin(change - DAY_MS, change)).toBe(true);
    expect(berlin.changesWithin(change + 1, change + 100 * DAY_MS)).toBe(false);
    expect(clocks.get('UTC')!.changesWithin(Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1))).toBe(false);
  });

  it('knows the IANA zones', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('UTC')).toBe(true);
    expect(isKnownTimeZone('Europe/Atlantis')).toBe(false);
    expect(isKnownTimeZone('')).toBe(false);
    expect(() => zoneClock('Mars/Olympus')).toThrow(RangeError);
  });
});

import fc from 'fast-check';
import { addWallDuration, durationToMs, InvalidDurationError, parseIsoDuration } from './iso-duration';

const HOUR = 3_600_000;

function parsed(text: string) {
  const result = parseIsoDuration(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.problem}`);
  return result.duration;
}

function problem(text: string): string {
  const result = parseIsoDuration(text);
  if (result.ok) throw new Error(`expected ${text} to be refused`);
  return result.problem;
}

describe('parseIsoDuration', () => {
  it('reads every part, absent ones as 0', () => {
    expect(parsed('P1Y2M3W4DT5H6M7.5S')).toEqual({
      text: 'P1Y2M3W4DT5H6M7.5S',
      years: 1,
      months: 2,
      weeks: 3,
      days: 4,
      hours: 5,
      minutes: 6,
      seconds: 7.5,
    });
    expect(parsed('PT8H')).toMatchObject({ hours: 8, days: 0, minutes: 0 });
    expect(parsed('P1W')).toMatchObject({ weeks: 1 });
    expect(parsed('PT0S')).toMatchObject({ seconds: 0 });
    expect(Object.isFrozen(parsed('P1D'))).toBe(true);
  });

  it('takes a fraction, with "." or ",", on the last part only', () => {
    expect(parsed('PT1.5H').hours).toBe(1.5);
    expect(parsed('P1DT0,5H')).toMatchObject({ days: 1, hours: 0.5 });
    expect(parsed('P0.5D').days).toBe(0.5);
    expect(problem('PT1.5H30M')).toBe('"PT1.5H30M": only the last part may have a fraction (hours has one)');
    expect(problem('P1.5DT2H')).toMatch(/days has one/);
  });

  it('refuses negative, empty and malformed durations', () => {
    expect(problem('-PT1H')).toBe('"-PT1H": negative durations are not allowed');
    expect(problem('PT-1H')).toMatch(/negative/);
    expect(problem('P')).toBe('"P" is empty: give at least one part, such as P1D or PT8H');
    expect(problem('PT')).toMatch(/is empty/);
    expect(problem('P1DT')).toBe('"P1DT": T must be followed by hours, minutes or seconds (PT8H)');
    for (const text of ['', '8h', 'pt8h', 'PT8H ', 'P1H', 'PT1D', 'P1D1Y', 'PT.5H', 'P1e3D', 'P1_000D']) {
      expect(problem(text)).toMatch(/is not an ISO 8601 duration/);
    }
    expect(problem('P'.padEnd(101, '1'))).toMatch(/at most 100 characters/);
    expect(problem(8 as unknown as string)).toMatch(/must be a string/);
  });

  it('refuses more than 10 years, counting a year as 365.2425 days', () => {
    expect(parsed('P10Y').years).toBe(10);
    expect(parsed('P120M').months).toBe(120);
    expect(parsed('P3652D').days).toBe(3652);
    expect(parsed('PT87600H').hours).toBe(87_600);
    expect(problem('P10Y1D')).toBe('"P10Y1D" is longer than 10 years');
    expect(problem('P3653D')).toMatch(/longer than 10 years/);
    expect(problem('P522W')).toMatch(/longer than 10 years/);
    expect(problem('PT99999999999999999999S')).toMatch(/longer than 10 years/);
  });
});

describe('durationToMs', () => {
  it('counts weeks as 7 days and days as 24 hours', () => {
    expect(durationToMs('PT8H')).toBe(8 * HOUR);
    expect(durationToMs('P1D')).toBe(24 * HOUR);
    expect(durationToMs('P1W')).toBe(7 * 24 * HOUR);
    expect(durationToMs('P1DT1H30M15.5S')).toBe(25 * HOUR + 30 * 60_000 + 15_500);
    expect(durationToMs('PT1.5H')).toBe(1.5 * HOUR);
    expect(durationToMs('P0Y0M2D')).toBe(48 * HOUR);
  });

  it('rounds to the millisecond', () => {
    expect(durationToMs('PT0.0004S')).toBe(0);
    expect(durationToMs('PT0.0006S')).toBe(1);
    expect(Number.isInteger(durationToMs('PT0.333333333H'))).toBe(true);
  });

  it('refuses years and months, which have no fixed length, and bad text', () => {
    expect(() => durationToMs('P1M')).toThrow(InvalidDurationError);
    expect(() => durationToMs('P1Y')).toThrow(/years and months have no fixed length/);
    expect(() => durationToMs('-PT1H')).toThrow(InvalidDurationError);
    try {
      durationToMs('P');
    } catch (err) {
      expect(err).toMatchObject({ kind: 'validation', code: 'INVALID_DURATION' });
    }
  });

  it('adds up part by part', () => {
    fc.assert(
      fc.property(fc.nat(50), fc.nat(300), fc.nat(1000), fc.nat(1000), fc.nat(1000), (w, d, h, m, s) => {
        expect(durationToMs(`P${w}W${d}DT${h}H${m}M${s}S`)).toBe(durationToMs(`P${w}W`) + durationToMs(`P${d}D`) + durationToMs(`PT${h}H${m}M${s}S`));
      }),
    );
  });
});

describe('addWallDuration', () => {
  const berlinSaturday = new Date('2026-03-28T09:00:00Z'); // 10:00 CET, the day before spring forward

  it('P1D keeps the local time across a DST change; PT24H does not', () => {
    expect(addWallDuration(berlinSaturday, 'P1D', 'Europe/Berlin').toISOString()).toBe('2026-03-29T08:00:00.000Z'); // 10:00 CEST
    expect(addWallDuration(berlinSaturday, 'PT24H', 'Europe/Berlin').toISOString()).toBe('2026-03-29T09:00:00.000Z'); // 11:00 CEST
    const nyOctober = new Date('2026-10-31T13:00:00Z'); // 09:00 EDT, the day before fall back
    expect(addWallDuration(nyOctober, 'P1D', 'America/New_York').toISOString()).toBe('2026-11-01T14:00:00.000Z'); // 09:00 EST
    expect(addWallDuration(nyOctober, 'PT24H', 'America/New_York').toISOString()).toBe('2026-11-01T13:00:00.000Z'); // 08:00 EST
  });

  it('is plain elapsed time in UTC, the default', () => {
    expect(addWallDuration(berlinSaturday, 'P1D').toISOString()).toBe('2026-03-29T09:00:00.000Z');
    expect(addWallDuration(berlinSaturday, 'P1W').toISOString()).toBe('2026-04-04T09:00:00.000Z');
  });

  it('adds months on the calendar, clamping to the month\'s last day', () => {
    expect(addWallDuration(new Date('2026-01-31T12:00:00Z'), 'P1M').toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(addWallDuration(new Date('2028-02-29T12:00:00Z'), 'P1Y').toISOString()).toBe('2029-02-28T12:00:00.000Z');
    expect(addWallDuration(new Date('2026-01-15T12:00:00Z'), 'P1Y2M3DT4H').toISOString()).toBe('2027-03-18T16:00:00.000Z');
  });

  it('refuses a bad duration, Date or zone with typed validation errors', () => {
    expect(() => addWallDuration(berlinSaturday, 'P1X')).toThrow(InvalidDurationError);
    expect(() => addWallDuration(new Date(Number.NaN), 'P1D')).toThrow(expect.objectContaining({ code: 'INVALID_DATE' }));
    expect(() => addWallDuration(berlinSaturday, 'P1D', 'Europe/Atlantis')).toThrow(expect.objectContaining({ code: 'UNKNOWN_TIME_ZONE' }));
    expect(() => addWallDuration(new Date(8.64e15), 'P1D')).toThrow(expect.objectContaining({ code: 'INVALID_DATE' }));
  });
});

import { addHours, hoursRemaining, slaDeadlineAfter, urgencyOf } from './sla-clock';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const HOUR = 3_600_000;

describe('urgencyOf (threshold 4 hours)', () => {
  it('is OVERDUE exactly at the deadline and after it', () => {
    expect(urgencyOf(at(0), NOW, 4)).toBe('OVERDUE');
    expect(urgencyOf(at(-1), NOW, 4)).toBe('OVERDUE');
    expect(urgencyOf(at(-48 * HOUR), NOW, 4)).toBe('OVERDUE');
  });

  it('is URGENT from just before the deadline up to exactly the threshold', () => {
    expect(urgencyOf(at(1), NOW, 4)).toBe('URGENT');
    expect(urgencyOf(at(4 * HOUR), NOW, 4)).toBe('URGENT');
  });

  it('is NORMAL just past the threshold', () => {
    expect(urgencyOf(at(4 * HOUR + 1), NOW, 4)).toBe('NORMAL');
    expect(urgencyOf(at(72 * HOUR), NOW, 4)).toBe('NORMAL');
  });

  it('follows a fractional or zero threshold', () => {
    expect(urgencyOf(at(0.5 * HOUR), NOW, 0.5)).toBe('URGENT');
    expect(urgencyOf(at(0.5 * HOUR + 1), NOW, 0.5)).toBe('NORMAL');
    expect(urgencyOf(at(1), NOW, 0)).toBe('NORMAL');
  });
});

describe('hoursRemaining and addHours', () => {
  it('rounds to two decimals and goes negative when overdue', () => {
    expect(hoursRemaining(at(90 * 60_000), NOW)).toBe(1.5);
    expect(hoursRemaining(at(-30 * 60_000), NOW)).toBe(-0.5);
    expect(hoursRemaining(at(1000), NOW)).toBe(0);
  });

  it('adds fractional hours to the millisecond', () => {
    expect(addHours(NOW, 0.0005).getTime() - NOW.getTime()).toBe(1800);
    expect(addHours(NOW, 72).toISOString()).toBe('2026-03-04T12:00:00.000Z');
  });
});

describe('slaDeadlineAfter', () => {
  it('adds the hours when they are within the bound', () => {
    expect(slaDeadlineAfter(NOW, 2_300_000_000, 87_600)).toEqual(addHours(NOW, 87_600));
    expect(slaDeadlineAfter(NOW, 24, 87_600)).toEqual(addHours(NOW, 24));
  });

  it('holds a stored 1e10 hours to the bound: a real date, where adding them makes an invalid one', () => {
    const deadline = slaDeadlineAfter(NOW, 1e10, 87_600);
    expect(deadline).toEqual(addHours(NOW, 87_600));
    expect(addHours(NOW, 1e10).getTime()).toBeNaN();
  });
});

import { formatWhen, shortId } from './format';

describe('format', () => {
  it('tells time-ordered ids apart by their random end', () => {
    expect(shortId('01a24d56-1f00-7000-8000-00000000beef')).toBe('0000beef');
    expect(shortId('01a24d56-1f00-7000-8000-0000cafe0001')).toBe('cafe0001');
    expect(shortId('short')).toBe('short');
  });

  it('shows a date and time, a dash for none, the text of a non-date', () => {
    expect(formatWhen(null)).toBe('—');
    expect(formatWhen('not a date')).toBe('not a date');
    expect(formatWhen('2026-03-02T09:30:00.000Z', 'en-US')).toMatch(/^Mar [123], 2026, \d{2}:\d{2} (AM|PM)$/);
  });
});

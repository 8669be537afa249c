import { closedDays, dayOfIsoDate, holidayCountries, holidayRegions } from './closed-days';

const day = (iso: string) => dayOfIsoDate(iso)!;

describe('dayOfIsoDate', () => {
  it('reads real dates as day numbers since 1970-01-01', () => {
    expect(dayOfIsoDate('1970-01-01')).toBe(0);
    expect(dayOfIsoDate('1970-01-02')).toBe(1);
    expect(dayOfIsoDate('1969-12-31')).toBe(-1);
    expect(dayOfIsoDate('2028-02-29')).toBe(Date.UTC(2028, 1, 29) / 86_400_000);
  });

  it('refuses what is not a real date', () => {
    for (const text of ['2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-1', '20260101', '2026-01-01T00:00']) {
      expect(dayOfIsoDate(text)).toBeUndefined();
    }
  });
});

describe('closedDays', () => {
  it('closes the closed dates only, without holidays', () => {
    const closed = closedDays(null, ['2026-12-24']);
    expect(closed.isClosed(day('2026-12-24'))).toBe(true);
    expect(closed.isClosed(day('2026-12-25'))).toBe(false);
  });

  it('closes public holidays and not bank holidays or observances (DE)', () => {
    const germany = closedDays({ country: 'DE' }, []);
    expect(germany.isClosed(day('2026-12-25'))).toBe(true);
    expect(germany.isClosed(day('2026-10-03'))).toBe(true);
    // Christmas Eve is a bank holiday in date-holidays' DE data, not a public one
    expect(germany.isClosed(day('2026-12-24'))).toBe(false);
    expect(germany.isClosed(day('2026-12-28'))).toBe(false);
  });

  it('includes observed (substitute) days: US Independence Day on Friday 2026-07-03', () => {
    const us = closedDays({ country: 'US' }, []);
    expect(us.isClosed(day('2026-07-03'))).toBe(true);
    expect(us.isClosed(day('2026-07-04'))).toBe(true);
    expect(us.isClosed(day('2026-07-06'))).toBe(false);
  });

  it('closes every date a multi-day holiday touches, and the whole date of one starting at noon', () => {
    // Eid al-Fitr in the UAE: three days from 2026-03-20
    const uae = closedDays({ country: 'AE' }, []);
    expect(['2026-03-19', '2026-03-20', '2026-03-21', '2026-03-22', '2026-03-23'].map((d) => uae.isClosed(day(d)))).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
    // International Women's Day in China runs from 12:00
    expect(closedDays({ country: 'CN' }, []).isClosed(day('2026-03-08'))).toBe(true);
  });

  it('lists the countries and regions date-holidays knows', () => {
    expect(holidayCountries()['DE']).toBe('Germany');
    expect(Object.keys(holidayRegions('DE'))).toContain('BY');
    expect(holidayRegions('XX')).toEqual({});
  });
});

import { validateCalendar, type CalendarProblem } from './calendar.schema';
import { BERLIN_9_TO_5 } from './calendar-test-fixtures';

function problems(raw: unknown): CalendarProblem[] {
  const result = validateCalendar(raw);
  if (result.ok) throw new Error('expected problems, the calendar is valid');
  return result.problems;
}

const only = (raw: unknown) => {
  const list = problems(raw);
  expect(list).toHaveLength(1);
  return list[0]!;
};

const withHours = (workingHours: unknown) => ({ ...BERLIN_9_TO_5, workingHours });

describe('validateCalendar', () => {
  it('accepts the documented example, with split days, holidays and closed dates', () => {
    const result = validateCalendar({
      name: 'acme.de_main-office',
      timeZone: 'Europe/Berlin',
      workingHours: {
        mon: [
          { start: '08:00', end: '12:00' },
          { start: '13:00', end: '17:00' },
        ],
        fri: [{ start: '09:00', end: '24:00' }],
        sat: [],
      },
      holidays: { country: 'DE', region: 'BY' },
      closedDates: ['2026-12-24', '2026-12-31'],
    });
    expect(result.ok).toBe(true);
  });

  it('accepts adjacent intervals, no holidays (null or left out) and no closed dates', () => {
    expect(validateCalendar(withHours({ tue: [{ start: '00:00', end: '12:00' }, { start: '12:00', end: '24:00' }] })).ok).toBe(true);
    expect(validateCalendar({ ...BERLIN_9_TO_5, holidays: null }).ok).toBe(true);
    expect(validateCalendar({ ...BERLIN_9_TO_5, holidays: { country: 'US' }, closedDates: [] }).ok).toBe(true);
  });

  it('checks the name', () => {
    expect(only({ ...BERLIN_9_TO_5, name: '' })).toEqual({ path: 'name', message: 'name must not be empty' });
    expect(only({ ...BERLIN_9_TO_5, name: 'x'.repeat(101) }).path).toBe('name');
    expect(only({ ...BERLIN_9_TO_5, name: 'main office' }).message).toMatch(/letters, digits/);
  });

  it('wants a known IANA time zone', () => {
    expect(only({ ...BERLIN_9_TO_5, timeZone: 'Europe/Atlantis' })).toEqual({
      path: 'timeZone',
      message: 'unknown time zone: use an IANA name such as Europe/Berlin',
    });
  });

  it('wants HH:MM from 00:00 to 24:00', () => {
    for (const time of ['9:00', '24:01', '25:00', '12:60', '12:00:00', 'noon']) {
      expect(only(withHours({ mon: [{ start: time, end: '24:00' }] }))).toEqual({
        path: 'workingHours.mon[0].start',
        message: 'must be a time of day "HH:MM", from 00:00 to 24:00',
      });
    }
  });

  it('wants each interval to end after it starts', () => {
    expect(only(withHours({ wed: [{ start: '17:00', end: '09:00' }] }))).toEqual({
      path: 'workingHours.wed[0].end',
      message: 'end 09:00 must be after start 17:00 (an interval lies within one day; 24:00 is midnight at its end)',
    });
    expect(only(withHours({ wed: [{ start: '09:00', end: '09:00' }] })).path).toBe('workingHours.wed[0].end');
  });

  it('wants a day\'s intervals in order and apart', () => {
    const overlap = only(withHours({ thu: [{ start: '08:00', end: '12:00' }, { start: '11:00', end: '17:00' }] }));
    expect(overlap).toEqual({
      path: 'workingHours.thu[1].start',
      message: 'intervals must be in order and must not overlap: 11:00 is before the end of the previous interval (12:00)',
    });
    expect(only(withHours({ thu: [{ start: '13:00', end: '17:00' }, { start: '08:00', end: '12:00' }] })).path).toBe(
      'workingHours.thu[1].start',
    );
  });

  it('wants some working time in the week, and only the seven day names', () => {
    expect(only(withHours({}))).toEqual({ path: 'workingHours', message: 'a calendar needs at least one working interval in the week' });
    expect(only(withHours({ mon: [], sun: [] })).path).toBe('workingHours');
    expect(only(withHours({ mon: [{ start: '09:00', end: '17:00' }], monday: [] }))).toEqual({
      path: 'workingHours',
      message: 'unknown day monday: the days are mon, tue, wed, thu, fri, sat, sun',
    });
    expect(only(withHours({ mon: [{ start: '09:00', end: '17:00', break: '12:00' }] })).path).toBe('workingHours.mon[0]');
    expect(only(withHours({ mon: Array.from({ length: 25 }, (_, h) => ({ start: `${String(h % 24).padStart(2, '0')}:00`, end: '24:00' })) })).message).toBe(
      'at most 24 intervals a day',
    );
  });

  it('wants a country and region that date-holidays knows', () => {
    expect(only({ ...BERLIN_9_TO_5, holidays: { country: 'XX' } })).toEqual({
      path: 'holidays.country',
      message: 'no public holidays are known for country XX',
    });
    expect(only({ ...BERLIN_9_TO_5, holidays: { country: 'de' } }).message).toMatch(/in capitals/);
    const region = only({ ...BERLIN_9_TO_5, holidays: { country: 'DE', region: 'ZZ' } });
    expect(region.path).toBe('holidays.region');
    expect(region.message).toMatch(/^unknown region "ZZ" of DE; known: BB, BE, BW, BY, /);
    expect(only({ ...BERLIN_9_TO_5, holidays: { country: 'DE', state: 'BY' } }).path).toBe('holidays');
  });

  it('wants closedDates as real dates, at most 1000', () => {
    const list = problems({ ...BERLIN_9_TO_5, closedDates: ['2026-12-24', '2026-02-30', '24.12.2026', '2026-1-5'] });
    expect(list.map((p) => p.path)).toEqual(['closedDates[1]', 'closedDates[2]', 'closedDates[3]']);
    expect(list[0]!.message).toBe('must be a real date written YYYY-MM-DD');
    expect(validateCalendar({ ...BERLIN_9_TO_5, closedDates: ['2028-02-29'] }).ok).toBe(true);
    expect(only({ ...BERLIN_9_TO_5, closedDates: Array.from({ length: 1001 }, () => '2026-12-24') })).toEqual({
      path: 'closedDates',
      message: 'at most 1000 closedDates',
    });
  });

  it('reports every problem at once, and refuses what is not an object', () => {
    const list = problems({ name: '', timeZone: 'x', workingHours: {}, holidays: { country: 'XX' }, closedDates: ['x'] });
    expect(list.map((p) => p.path)).toEqual(['name', 'timeZone', 'workingHours', 'holidays.country', 'closedDates[0]']);
    expect(problems(null)[0]!.path).toBe('');
    expect(problems({ ...BERLIN_9_TO_5, extra: true })[0]!.message).toMatch(/extra/);
  });
});

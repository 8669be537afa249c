import { describeFilters, EMPTY_FILTERS, fieldOfProblem, filtersFrom, hasFilters, isDay, localMidnight, setFilters, toApiQuery, toSearchParams } from './search-filters';

describe('search filters', () => {
  it('reads the filters of a URL query string, trimming, ignoring unknown keys and dates that are no days', () => {
    const f = filtersFrom(new URLSearchParams('status=failed&contextEntityId=%20PO-1%20&startedFrom=2026-02-30&endedTo=2026-03-02&other=x'));
    expect(f).toEqual({ ...EMPTY_FILTERS, status: 'failed', contextEntityId: 'PO-1', endedTo: '2026-03-02' });
  });

  it('reads a saved view\'s filters, ignoring values that are not strings', () => {
    expect(filtersFrom({ workflowName: 'Orders', status: ['failed'], startedBy: 7 })).toEqual({ ...EMPTY_FILTERS, workflowName: 'Orders' });
  });

  it('keeps only the set filters in the URL and in a saved view, and round-trips', () => {
    const f = { ...EMPTY_FILTERS, workflowName: 'Purchase Order', startedBy: 'rita' };
    expect(setFilters(f)).toEqual({ workflowName: 'Purchase Order', startedBy: 'rita' });
    expect(toSearchParams(f).toString()).toBe('workflowName=Purchase+Order&startedBy=rita');
    expect(filtersFrom(toSearchParams(f))).toEqual(f);
    expect(hasFilters(f)).toBe(true);
    expect(hasFilters(EMPTY_FILTERS)).toBe(false);
  });

  it('turns picked days into the API\'s instants: "on or before" ends at the next local midnight', () => {
    const q = toApiQuery({ ...EMPTY_FILTERS, status: 'completed', startedFrom: '2026-03-01', startedTo: '2026-03-02', endedFrom: '2026-03-03', endedTo: '2026-03-03' });
    expect(q).toEqual({
      status: 'completed',
      startedFrom: new Date(2026, 2, 1).toISOString(),
      startedTo: new Date(2026, 2, 3).toISOString(),
      completedFrom: new Date(2026, 2, 3).toISOString(),
      completedTo: new Date(2026, 2, 4).toISOString(),
    });
  });

  it('knows calendar days', () => {
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-3-1')).toBe(false);
    expect(localMidnight('2026-12-31', 1)).toBe(new Date(2027, 0, 1).toISOString());
  });

  it('maps an API problem\'s path to the field it names', () => {
    expect(fieldOfProblem('startedTo')).toBe('startedTo');
    expect(fieldOfProblem('completedTo')).toBe('endedTo');
    expect(fieldOfProblem('limit')).toBeNull();
    expect(fieldOfProblem(undefined)).toBeNull();
  });

  it('says a search in words', () => {
    expect(describeFilters(EMPTY_FILTERS)).toBe('all instances');
    expect(describeFilters({ ...EMPTY_FILTERS, status: 'failed', contextEntityId: 'PO-9' })).toBe('status failed, business key PO-9');
  });
});

import type { TaskItem } from '../task/task-types';
import {
  apiParams,
  filtersFrom,
  filtersFromSearch,
  filtersToSearch,
  filtersToView,
  hasFilters,
  keyFields,
  sameFilters,
  workflowNames,
} from './inbox-filters';

const task = (over: Partial<TaskItem>): TaskItem =>
  ({
    taskId: 't1',
    instanceId: 'i1',
    workflowName: 'Purchase',
    taskName: 'Manager Approval',
    nodeId: 'manager_approval',
    nodeType: 'approval',
    urgencyLevel: 'NORMAL',
    hoursRemaining: 3,
    isOverdue: false,
    slaDeadline: null,
    assignedUserId: null,
    assignedRole: 'manager',
    candidateUsers: [],
    claimedAt: null,
    startedBy: 'rita',
    atRiskAt: null,
    onBehalfOf: null,
    contextEntityType: null,
    contextEntityId: 'PO-1001',
    contextData: {},
    createdAt: '2026-01-01T00:00:00Z',
    ...over,
  }) as TaskItem;

describe('inbox filters in the URL', () => {
  it('reads the known filters and drops unknown or ill-typed ones', () => {
    expect(filtersFromSearch('urgency=URGENT&workflow=%20Purchase%20&key=PO-1&other=x')).toEqual({ urgency: 'URGENT', workflow: 'Purchase', key: 'PO-1' });
    expect(filtersFromSearch('urgency=SOON&workflow=&key=%20')).toEqual({});
    expect(filtersFrom({ urgency: 3, workflow: ['a'] })).toEqual({});
  });

  it('writes them back in a stable order, empty without filters', () => {
    expect(filtersToSearch({ key: 'PO 1', urgency: 'OVERDUE' })).toBe('urgency=OVERDUE&key=PO+1');
    expect(filtersToSearch({})).toBe('');
    expect(hasFilters({})).toBe(false);
    expect(hasFilters({ workflow: 'x' })).toBe(true);
  });

  it('round-trips through a saved view', () => {
    const filters = { urgency: 'AT_RISK', workflow: 'Purchase' } as const;
    expect(filtersToView(filters)).toEqual({ urgency: 'AT_RISK', workflow: 'Purchase' });
    expect(sameFilters(filtersFrom(filtersToView(filters)), filters)).toBe(true);
    expect(sameFilters({ urgency: 'URGENT' }, {})).toBe(false);
  });
});

describe('what the API is asked', () => {
  it('sends every filter to /api/tasks/mine, with the cursor', () => {
    expect(apiParams('mine', { urgency: 'URGENT', workflow: 'W', key: 'K' }, 'c1')).toEqual({
      path: '/api/tasks/mine',
      params: { urgencyLevel: 'URGENT', workflowName: 'W', contextEntityId: 'K', cursor: 'c1' },
    });
    expect(apiParams('mine', {}, null)).toEqual({ path: '/api/tasks/mine', params: { urgencyLevel: undefined, workflowName: undefined, contextEntityId: undefined } });
  });

  it('sends every filter to the operator view', () => {
    expect(apiParams('all', { urgency: 'NORMAL', workflow: 'W', key: 'K' }, null)).toEqual({
      path: '/api/tasks',
      params: { urgencyLevel: 'NORMAL', workflowName: 'W', contextEntityId: 'K' },
    });
  });
});

describe('key context fields', () => {
  it('takes the first scalar fields as text, skipping objects and lists, cutting long text', () => {
    const fields = keyFields({ nested: { a: 1 }, amount: 15000, urgent: true, list: [1], supplier: 'x'.repeat(100), fourth: 'no' });
    expect(fields).toEqual([
      { name: 'amount', value: '15,000' },
      { name: 'urgent', value: 'yes' },
      { name: 'supplier', value: `${'x'.repeat(59)}…` },
    ]);
  });

  it('keeps markup as the characters it is', () => {
    expect(keyFields({ note: '<img src=x onerror=alert(1)>' })).toEqual([{ name: 'note', value: '<img src=x onerror=alert(1)>' }]);
  });

  it('lists the distinct workflow names, sorted', () => {
    expect(workflowNames([task({ workflowName: 'B' }), task({ workflowName: 'A' }), task({ workflowName: 'B' })], ['C', 'A'])).toEqual(['A', 'B', 'C']);
  });
});

import { chainText, decidersOf, detailPairs, errorText, eventLabel, executionsOf, instanceActions, isLive, type HistoryItemDto, type NodeExecutionDto } from './instance-view';

const item = (id: string, eventType: string, extra: Partial<HistoryItemDto> = {}): HistoryItemDto => ({
  id,
  eventType,
  nodeExecutionId: null,
  actorUserId: null,
  details: {},
  createdAt: '2026-03-02T09:30:00.000Z',
  ...extra,
});

describe('instanceActions and isLive', () => {
  it('offers cancel while the instance runs and retry once it failed', () => {
    expect(instanceActions('running')).toEqual({ cancel: true, retry: false });
    expect(instanceActions('failed')).toEqual({ cancel: false, retry: true });
    for (const status of ['completed', 'rejected', 'cancelled']) expect(instanceActions(status)).toEqual({ cancel: false, retry: false });
    expect(isLive('running')).toBe(true);
    expect(isLive('failed')).toBe(false);
  });
});

describe('labels', () => {
  it('names events and errors in words', () => {
    expect(eventLabel('instance_retried')).toBe('Instance retried');
    expect(errorText({ code: 'HTTP_ERROR', message: 'answered 503' })).toBe('HTTP_ERROR: answered 503');
    expect(errorText({ message: 'plain' })).toBe('plain');
    expect(errorText({ other: 1 })).toBe('{"other":1}');
    expect(errorText('text')).toBe('text');
    expect(errorText(null)).toBeNull();
  });

  it('shortens a history entry’s details to key/value text', () => {
    expect(detailPairs({ a: 'x', b: 2, c: null, d: { e: [1] }, f: '' })).toEqual([
      { key: 'a', value: 'x' },
      { key: 'b', value: '2' },
      { key: 'd', value: '{"e":[1]}' },
    ]);
    expect(detailPairs({ long: 'y'.repeat(500) })[0]?.value).toHaveLength(200);
    expect(detailPairs([1, 2])).toEqual([]);
    expect(detailPairs(null)).toEqual([]);
  });
});

describe('chainText', () => {
  const history = [item('h1', 'instance_started'), item('h2', 'task_approved')];

  it('says verified with the entries checked', () => {
    expect(chainText({ valid: true, checked: 2, brokenAt: null }, history)).toBe('Chain verified (2 entries)');
    expect(chainText({ valid: true, checked: 1, brokenAt: null }, history)).toBe('Chain verified (1 entry)');
  });

  it('names the entry where the chain breaks, by its place in the history', () => {
    expect(chainText({ valid: false, checked: 2, brokenAt: 'h2' }, history)).toBe('Chain broken at entry 2 (Task approved, 2026-03-02T09:30:00.000Z)');
    expect(chainText({ valid: false, checked: 2, brokenAt: 'zz' }, history)).toBe('Chain broken at entry zz');
    expect(chainText({ valid: false, checked: 2, brokenAt: null }, history)).toBe('Chain broken');
  });
});

describe('executions and deciders', () => {
  it('lists a node’s executions latest first', () => {
    const runs = [{ id: '1', nodeId: 'a' }, { id: '2', nodeId: 'b' }, { id: '3', nodeId: 'a' }] as NodeExecutionDto[];
    expect(executionsOf(runs, 'a').map((e) => e.id)).toEqual(['3', '1']);
  });

  it('finds who decided an execution in the history', () => {
    const history = [
      item('h1', 'task_created', { nodeExecutionId: 'e1', actorUserId: 'system' }),
      item('h2', 'task_approved', { nodeExecutionId: 'e1', actorUserId: 'mo' }),
      item('h3', 'task_rejected', { nodeExecutionId: 'e2', actorUserId: 'carla' }),
    ];
    expect(decidersOf(history, 'e1')).toEqual(['mo (approved)']);
    expect(decidersOf(history, 'e3')).toEqual([]);
  });
});

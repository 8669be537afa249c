import { changeOf, queueAnnouncement, retryDelayMs } from './live-text';

describe('the live task queue', () => {
  it('announces what entered and left', () => {
    expect(queueAnnouncement(1, 0)).toBe('1 new task');
    expect(queueAnnouncement(3, 0)).toBe('3 new tasks');
    expect(queueAnnouncement(0, 1)).toBe('1 task left your queue');
    expect(queueAnnouncement(2, 2)).toBe('2 new tasks, 2 tasks left your queue');
    expect(queueAnnouncement(0, 0)).toBe('');
  });

  it('waits longer after each failure, at most 30 s', () => {
    expect([0, 1, 2, 3, 10].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 30_000]);
  });

  it('reads a subscription result, and nothing else', () => {
    expect(changeOf({ data: { taskQueueChanged: { change: 'ENTERED', taskId: 't', instanceId: 'i', task: { taskName: 'A', workflowName: 'W', urgencyLevel: 'NORMAL' } } } })).toEqual({
      change: 'ENTERED',
      taskId: 't',
      instanceId: 'i',
      task: { taskName: 'A', workflowName: 'W', urgencyLevel: 'NORMAL' },
    });
    expect(changeOf({ data: { taskQueueChanged: { change: 'RESYNC', taskId: null, instanceId: null, task: null } } })).toEqual({ change: 'RESYNC', taskId: null, instanceId: null, task: null });
    expect(changeOf({ errors: [{ message: 'no' }] })).toBeNull();
    expect(changeOf({ data: { taskQueueChanged: { change: 'OTHER' } } })).toBeNull();
    expect(changeOf(null)).toBeNull();
  });
});

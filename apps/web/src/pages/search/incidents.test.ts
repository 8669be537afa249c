import { errorOf, incidentOf, retryOutcomeText, type ExecutionLike, type FailedInstanceLike } from './incidents';

const node = (over: Partial<ExecutionLike>): ExecutionLike => ({
  nodeId: 'n',
  name: 'N',
  status: 'completed',
  attempts: 1,
  error: null,
  startedAt: '2026-03-02T09:00:00.000Z',
  completedAt: '2026-03-02T09:01:00.000Z',
  ...over,
});

const instance = (nodes: ExecutionLike[], over: Partial<FailedInstanceLike> = {}): FailedInstanceLike => ({
  id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  workflowName: 'Orders',
  workflowVersion: 2,
  contextEntityType: 'purchase_order',
  contextEntityId: 'PO-1',
  startedBy: 'rita',
  startedAt: '2026-03-02T08:00:00.000Z',
  completedAt: '2026-03-02T09:05:00.000Z',
  nodes,
  ...over,
});

describe('incidents', () => {
  it('names the last failed node, its error and when it failed', () => {
    const i = incidentOf(
      instance([
        node({ nodeId: 'start', name: 'Start' }),
        node({ nodeId: 'charge', name: 'Charge card', status: 'failed', attempts: 3, error: { code: 'HTTP_502', message: 'gateway down' }, completedAt: '2026-03-02T09:04:00.000Z' }),
      ]),
    );
    expect(i).toEqual({
      instanceId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      workflowName: 'Orders',
      workflowVersion: 2,
      businessKey: 'PO-1',
      startedBy: 'rita',
      failedNode: { nodeId: 'charge', name: 'Charge card', attempts: 3 },
      errorCode: 'HTTP_502',
      errorMessage: 'gateway down',
      failedAt: '2026-03-02T09:04:00.000Z',
    });
  });

  it('falls back to the instance\'s end when no execution says it failed', () => {
    const i = incidentOf(instance([node({})]));
    expect(i.failedNode).toBeNull();
    expect(i.errorMessage).toBe('no error recorded');
    expect(i.failedAt).toBe('2026-03-02T09:05:00.000Z');
  });

  it('says errors of any shape as text', () => {
    expect(errorOf('boom')).toEqual({ code: null, message: 'boom' });
    expect(errorOf({ code: 'X' })).toEqual({ code: 'X', message: '{"code":"X"}' });
    expect(errorOf([1])).toEqual({ code: null, message: '[1]' });
    expect(errorOf({ message: '<script>alert(1)</script>' }).message).toBe('<script>alert(1)</script>');
  });

  it('says a retry\'s outcome', () => {
    expect(retryOutcomeText('running')).toBe('Retried: running again');
    expect(retryOutcomeText('completed')).toBe('Retried: now completed');
    expect(retryOutcomeText('failed')).toBe('Retried, and it failed again');
  });
});

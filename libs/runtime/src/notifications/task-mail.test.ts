import { READY_EXECUTION_FIELDS, type ExecutionState } from '@wf/engine';
import { keyContext, taskMail, type TaskMailFacts } from './task-mail';
import { recipientsOf } from './task-notifier';

const FACTS: TaskMailFacts = {
  reason: 'created',
  workflowName: 'Purchase Order',
  taskName: 'Manager approval',
  nodeType: 'approval',
  taskId: 't-1',
  startedBy: 'sam',
  contextEntityType: 'purchase_order',
  contextEntityId: 'PO-42',
  contextData: { amount: 5000, vendor: 'Acme\nCorp', lines: [{ sku: 'x' }], urgent: true },
  slaDeadline: new Date('2030-01-03T00:00:00Z'),
};

describe('the task mail', () => {
  it('names the workflow, task, business key and key context, with both links and how they work', () => {
    const mail = taskMail(FACTS, 'alice', { kind: 'decide', approveUrl: 'https://e/approve', rejectUrl: 'https://e/reject', expiresAt: new Date('2030-01-04T00:00:00Z') }, 'https://e/api/tasks/t-1');
    expect(mail.subject).toBe('[Approval] Manager approval: Purchase Order · purchase_order PO-42');
    expect(mail.body).toContain('Business key: purchase_order PO-42');
    expect(mail.body).toContain('  amount: 5000\n  vendor: Acme Corp\n  urgent: true');
    expect(mail.body).not.toContain('sku');
    expect(mail.body).toContain('Approve: https://e/approve\nReject:  https://e/reject');
    expect(mail.body).toContain('act for you (alice) alone, work once, and expire at 2030-01-04T00:00:00.000Z');
  });

  it('gives a user task, an informed user and an excluded holder no decision links', () => {
    for (const offer of [{ kind: 'complete' as const }, { kind: 'inform' as const }, { kind: 'excluded' as const, why: 'you started this instance (notStarter)' }]) {
      const mail = taskMail({ ...FACTS, nodeType: offer.kind === 'complete' ? 'user_task' : 'approval' }, 'sam', offer, 'https://e/api/tasks/t-1');
      expect(mail.body).not.toContain('Approve:');
      expect(mail.body).toContain('Task: https://e/api/tasks/t-1');
    }
    expect(taskMail(FACTS, 'sam', { kind: 'excluded', why: 'you started this instance (notStarter)' }, 'u').body).toContain('excludes you from deciding this task: you started this instance (notStarter)');
  });

  it('says when the task was escalated', () => {
    const mail = taskMail({ ...FACTS, reason: 'escalated' }, 'alice', { kind: 'inform' }, 'u');
    expect(mail.subject).toMatch(/^\[Escalated\] /);
    expect(mail.body).toContain('was escalated');
  });

  it('keeps the key context short: ten scalar fields, each value cut to 200 characters', () => {
    const context = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`f${i}`, 'x'.repeat(300)]));
    const fields = keyContext(context);
    expect(fields).toHaveLength(10);
    expect(fields[0]?.[1]).toHaveLength(200);
  });
});

function task(over: Partial<ExecutionState>): ExecutionState {
  return { ...READY_EXECUTION_FIELDS, id: 't', instanceId: 'i', nodeId: 'n', nodeType: 'approval', status: 'waiting', waitingFor: 'task', ...over } as ExecutionState;
}

describe('who is mailed', () => {
  it('the assigned user, the candidate users and notify.users, each once', () => {
    expect(recipientsOf(task({ assignedUserId: 'alice' }), ['carol', 'alice'])).toEqual([
      { userId: 'alice', roles: [] },
      { userId: 'carol', roles: [] },
    ]);
    expect(recipientsOf(task({ candidateUsers: ['v1', 'v2'] }), [])).toEqual([
      { userId: 'v1', roles: [] },
      { userId: 'v2', roles: [] },
    ]);
  });

  it('notify.users of a role task act with its role', () => {
    expect(recipientsOf(task({ assignedRole: 'manager' }), ['mia', 'max'])).toEqual([
      { userId: 'mia', roles: ['manager'] },
      { userId: 'max', roles: ['manager'] },
    ]);
  });
});

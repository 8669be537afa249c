/**
 * Mails a task's holders when it starts waiting (created or escalated) and its node says
 * `notify: { email: true }`: the assigned user, the candidate users (a quorum's voters) and the
 * node's `notify.users`. An approval's holder gets an approve and a reject link (see
 * email-action-token); a user task's holder, and anyone mailed who does not hold the task, only
 * the task's address.
 *
 * After commit and best effort: the engine event arrives once the change is committed, and the
 * work is queued here, off the path of the request or step that caused it. A process that dies
 * between the commit and the send loses that mail (the task is still in its holders' queues); a
 * failed send is logged, not retried.
 */

import { randomUUID } from 'node:crypto';
import { holdsTask, type ApprovalNode, type Clock, type EngineEvent, type ExecutionState, type ServiceHandler, type UserTaskNode } from '@wf/engine';
import { findTaskView, type PgStore } from '@wf/db';
import type { Logger } from '../logger';
import type { EmailActionKeys } from './email-action-token';
import { taskMail, type MailOffer, type TaskMailFacts } from './task-mail';

type TaskWaiting = Extract<EngineEvent, { type: 'task_waiting' }>;

export interface TaskNotifierOptions {
  readonly store: PgStore;
  readonly clock: Clock;
  readonly keys: EmailActionKeys;
  /** the `email_send` handler: SMTP_URL's transport, or recorded and logged without it */
  readonly mailer: ServiceHandler | undefined;
  readonly log: Logger;
  /** PUBLIC_URL: where the links point */
  readonly publicUrl: string;
  /** WORKFLOW_EMAIL_ADDRESS_TEMPLATE */
  readonly addressTemplate: string;
  /** EMAIL_ACTION_TTL_HOURS */
  readonly ttlHours: number;
  /** mails are only recorded and logged (no SMTP_URL): outside production the log shows the links */
  readonly logLinks: boolean;
}

/** Notifications worked on at once, and waiting at most (beyond it one is dropped, with a warning). */
const CONCURRENCY = 2;
const MAX_QUEUED = 1000;

/** One address, `local@domain`, as SMTP_FROM is checked. */
const MAILBOX = /^[^\s@<>,;"()]+@[^\s@<>,;"()]+$/;

interface Recipient {
  readonly userId: string;
  /** the roles the recipient acts with through the links */
  readonly roles: readonly string[];
}

/**
 * Who is mailed: the assigned user, the candidate users, and `notify.users`. A `notify.users`
 * recipient of a role's task acts with that role: the definition names them as its holders.
 */
export function recipientsOf(task: ExecutionState, notifyUsers: readonly string[]): Recipient[] {
  const byUser = new Map<string, Set<string>>();
  const add = (userId: string, roles: readonly string[]) => {
    const held = byUser.get(userId) ?? new Set<string>();
    for (const role of roles) held.add(role);
    byUser.set(userId, held);
  };
  if (task.assignedUserId !== null) add(task.assignedUserId, []);
  for (const userId of task.candidateUsers) add(userId, []);
  const roleTask = task.assignedUserId === null && task.assignedRole !== null;
  for (const userId of notifyUsers) add(userId, roleTask && task.assignedRole !== null ? [task.assignedRole] : []);
  return [...byUser].map(([userId, roles]) => ({ userId, roles: [...roles].sort() }));
}

export class TaskNotifier {
  private readonly queued: TaskWaiting[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly opts: TaskNotifierOptions) {}

  /** The event bus listener: returns at once, the work runs in the background. */
  onEvent(event: EngineEvent): void {
    if (event.type !== 'task_waiting' || this.closed) return;
    if (this.queued.length >= MAX_QUEUED) {
      this.opts.log.warn({ tenantId: event.tenantId, taskId: event.taskId }, 'task notification dropped: too many waiting to be mailed');
      return;
    }
    this.queued.push(event);
    this.pump();
  }

  /** Stop taking events and wait for the notifications under way; those still queued are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queued.length > 0) this.opts.log.warn({ dropped: this.queued.length }, 'task notifications not mailed: the process is stopping');
    this.queued.length = 0;
    await Promise.allSettled([...this.inFlight]);
  }

  private pump(): void {
    while (this.inFlight.size < CONCURRENCY && this.queued.length > 0) {
      const event = this.queued.shift() as TaskWaiting;
      const work: Promise<void> = this.notify(event)
        .catch((err: unknown) => this.opts.log.warn({ tenantId: event.tenantId, taskId: event.taskId, err: (err as Error)?.message ?? String(err) }, 'task notification failed'))
        .finally(() => {
          this.inFlight.delete(work);
          if (!this.closed) this.pump();
        });
      this.inFlight.add(work);
    }
  }

  private async notify(event: TaskWaiting): Promise<void> {
    const found = await this.opts.store.inTenant(event.tenantId, async (tx) => {
      const snap = await tx.readTask(event.taskId);
      // decided already (a quick decision, an inline step): nothing to mail any more
      if (!snap || snap.execution.status !== 'waiting' || snap.execution.waitingFor !== 'task') return null;
      const def = await tx.definition(snap.instance.definitionId);
      const node = def?.compiled.nodes.get(snap.execution.nodeId);
      if ((node?.nodeType !== 'approval' && node?.nodeType !== 'user_task') || !(node.notify?.email || event.notify === true)) return null;
      const view = await findTaskView(tx, event.taskId);
      return view ? { snap, node, view } : null;
    });
    if (!found) return;
    const { snap, node, view } = found;
    const facts: TaskMailFacts = {
      reason: event.reason,
      workflowName: view.workflowName,
      taskName: view.taskName,
      nodeType: node.nodeType,
      taskId: event.taskId,
      startedBy: snap.instance.startedBy,
      contextEntityType: view.contextEntityType,
      contextEntityId: view.contextEntityId,
      contextData: snap.instance.contextData,
      slaDeadline: snap.execution.slaDeadline,
    };
    for (const recipient of recipientsOf(snap.execution, node.notify?.users ?? [])) {
      await this.mailOne(event, facts, node, snap.execution, snap.instance.startedBy, recipient);
    }
  }

  private async mailOne(event: TaskWaiting, facts: TaskMailFacts, node: ApprovalNode | UserTaskNode, task: ExecutionState, startedBy: string, recipient: Recipient): Promise<void> {
    const { log } = this.opts;
    const to = this.opts.addressTemplate.split('{userId}').join(recipient.userId);
    if (!MAILBOX.test(to)) {
      log.debug({ taskId: event.taskId, userId: recipient.userId }, 'not mailed: the user has no address (WORKFLOW_EMAIL_ADDRESS_TEMPLATE)');
      return;
    }
    const mailer = this.opts.mailer;
    if (!mailer) {
      log.warn({ taskId: event.taskId }, 'not mailed: no email_send handler');
      return;
    }
    const offer = this.offerFor(event, node, task, startedBy, recipient, to);
    const mail = taskMail(facts, recipient.userId, offer, `${this.opts.publicUrl}/api/tasks/${event.taskId}`);
    await mailer.execute({
      tenantId: event.tenantId,
      instanceId: event.instanceId,
      executionId: event.taskId,
      nodeId: event.nodeId,
      // the text is the scope's, never the template's: nothing of the context is evaluated
      config: { to: '{{ context.to }}', subject: '{{ context.subject }}', body: '{{ context.body }}' },
      context: {},
      scope: { context: { to, subject: mail.subject, body: mail.body }, instance: {} },
      attempt: 1,
      signal: new AbortController().signal,
    });
    if (this.opts.logLinks && offer.kind === 'decide') {
      log.info({ to, taskId: event.taskId, approve: offer.approveUrl, reject: offer.rejectUrl }, 'approval mail links (no SMTP_URL: recorded, not sent)');
    }
  }

  private offerFor(event: TaskWaiting, node: ApprovalNode | UserTaskNode, task: ExecutionState, startedBy: string, recipient: Recipient, to: string): MailOffer {
    const actor = { tenantId: event.tenantId, userId: recipient.userId, roles: recipient.roles };
    if (!holdsTask(actor, task)) return { kind: 'inform' };
    // as the queue hides the task from them; the decision would refuse them just the same
    if (task.excludedUsers.includes(recipient.userId)) {
      const why = node.separation.notStarter && recipient.userId === startedBy
        ? 'you started this instance (notStarter)'
        : 'you took part in an earlier decision of this instance (notDeciderOf or distinctDeciders)';
      return { kind: 'excluded', why };
    }
    if (node.nodeType === 'user_task') return { kind: 'complete' };
    const expiresAt = new Date(this.opts.clock.now().getTime() + this.opts.ttlHours * 3_600_000);
    const addressHash = this.opts.keys.addressHash(to);
    const link = (action: 'approve' | 'reject') => {
      const token = this.opts.keys.sign({ tenantId: event.tenantId, taskId: event.taskId, userId: recipient.userId, action, roles: recipient.roles, jti: randomUUID(), expiresAt, addressHash });
      return `${this.opts.publicUrl}/email-actions/${action}?token=${token}`;
    };
    return { kind: 'decide', approveUrl: link('approve'), rejectUrl: link('reject'), expiresAt };
  }
}

/**
 * The text of a task's mail: what waits (workflow, task, business key, a few context fields),
 * and what the recipient can do from the mail. Pure: the notifier gathers the facts and sends.
 */

import type { JsonObject } from '@wf/engine';

export interface TaskMailFacts {
  readonly reason: 'created' | 'escalated' | 'reminder';
  readonly workflowName: string;
  readonly taskName: string;
  readonly nodeType: 'approval' | 'user_task';
  readonly taskId: string;
  readonly startedBy: string;
  readonly contextEntityType: string | null;
  readonly contextEntityId: string | null;
  readonly contextData: JsonObject;
  readonly slaDeadline: Date | null;
}

/** What the recipient may do from this mail. */
export type MailOffer =
  /** decide: the two links, good until `expiresAt` */
  | { readonly kind: 'decide'; readonly approveUrl: string; readonly rejectUrl: string; readonly expiresAt: Date }
  /** a user task: it is completed with its form, not from a mail */
  | { readonly kind: 'complete' }
  /** mailed for information (a `notify.users` recipient who does not hold the task) */
  | { readonly kind: 'inform' }
  /** a holder separation of duties excludes: they are told why, and given no links */
  | { readonly kind: 'excluded'; readonly why: string };

export interface TaskMail {
  readonly subject: string;
  readonly body: string;
}

/** Context fields a mail shows at most, and how long each value may be. */
const KEY_CONTEXT_FIELDS = 10;
const KEY_CONTEXT_VALUE_CHARS = 200;

/**
 * The context's top-level scalar fields (strings, numbers, booleans), at most ten, each value on
 * one line and cut to 200 characters: enough to recognise the request, not a dump of the case.
 */
export function keyContext(context: JsonObject): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(context)) {
    if (out.length === KEY_CONTEXT_FIELDS) break;
    if (!isScalar(value)) continue;
    const text = String(value).replace(/\s+/g, ' ').trim();
    out.push([oneLine(key).slice(0, 100), text.length > KEY_CONTEXT_VALUE_CHARS ? `${text.slice(0, KEY_CONTEXT_VALUE_CHARS - 1)}…` : text]);
  }
  return out;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `purchase_order PO-42`, or null without one. */
export function businessKey(facts: Pick<TaskMailFacts, 'contextEntityType' | 'contextEntityId'>): string | null {
  const parts = [facts.contextEntityType, facts.contextEntityId].filter((p): p is string => p !== null && p !== '');
  return parts.length > 0 ? oneLine(parts.join(' ')) : null;
}

export function taskMail(facts: TaskMailFacts, userId: string, offer: MailOffer, taskUrl: string): TaskMail {
  const key = businessKey(facts);
  const tag = facts.reason === 'escalated' ? 'Escalated' : facts.nodeType === 'approval' ? 'Approval' : 'Task';
  const subject = oneLine(`[${tag}] ${facts.taskName}: ${facts.workflowName}${key ? ` · ${key}` : ''}`);
  const lines: string[] = [`Hello ${userId},`, ''];
  lines.push(
    facts.reason === 'escalated'
      ? 'A task passed its deadline and was escalated; it still waits for a decision.'
      : facts.reason === 'reminder'
        ? 'A reminder: this task still waits for a decision.'
        : intro(facts, offer),
  );
  lines.push('');
  lines.push(`Workflow:     ${oneLine(facts.workflowName)}`);
  lines.push(`Task:         ${oneLine(facts.taskName)}`);
  if (key) lines.push(`Business key: ${key}`);
  lines.push(`Started by:   ${oneLine(facts.startedBy)}`);
  if (facts.slaDeadline) lines.push(`Due:          ${facts.slaDeadline.toISOString()}`);
  const fields = keyContext(facts.contextData);
  if (fields.length > 0) {
    lines.push('', 'Key context:');
    for (const [name, value] of fields) lines.push(`  ${name}: ${value}`);
  }
  lines.push('');
  switch (offer.kind) {
    case 'decide':
      lines.push(`Approve: ${offer.approveUrl}`, `Reject:  ${offer.rejectUrl}`, '');
      lines.push(
        'Each link opens a confirmation page: nothing is decided until you confirm there, with the address this mail was sent to. ' +
          `The links act for you (${userId}) alone, work once, and expire at ${offer.expiresAt.toISOString()}. Do not forward this mail.`,
      );
      break;
    case 'excluded':
      lines.push(`Separation of duties excludes you from deciding this task: ${offer.why}. Ask a manager to reassign it.`);
      break;
    case 'complete':
      lines.push('Complete it with its form in the application.');
      break;
    case 'inform':
      lines.push('You are notified for information: this task is not assigned to you.');
      break;
  }
  lines.push('', `Task: ${taskUrl}`);
  return { subject, body: `${lines.join('\n')}\n` };
}

function intro(facts: TaskMailFacts, offer: MailOffer): string {
  if (offer.kind === 'inform') return 'A task was created in a workflow you follow.';
  return facts.nodeType === 'approval' ? 'A request waits for your decision.' : 'A task waits for you.';
}

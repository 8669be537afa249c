/**
 * What an approval mail's link does. `preview` (the GET of the link) reads and never decides:
 * the token's state and the task as its user sees it. `confirm` (the POST of the confirmation
 * page) decides through the tasks service, the same decision use case as the API, as the token's
 * user with the token's roles, so access, deputies and separation of duties judge it as any other
 * decision.
 *
 * A forwarded link does not act for whoever holds it: the confirmation must give the address the
 * link was mailed to (the token binds a keyed hash of it), and the decision is always taken, and
 * recorded, as the user the link was made for, who must still hold the task.
 */

import { EngineError, type Actor, type Clock } from '@wf/engine';
import { claimEmailAction, findEmailActionUse, releaseEmailAction, settleEmailAction, type EmailActionUse, type PgStore } from '@wf/db';
import type { Logger } from '../logger';
import type { TaskDecisionDto, TaskDetailDto, TasksService } from '../services/service.types';
import type { EmailAction, EmailActionClaims, EmailActionKeys } from './email-action-token';
import { businessKey, keyContext } from './task-mail';

/** Why a link does not lead to a decision; the page says which. */
export type EmailActionRefusal =
  /** malformed, tampered, or signed with another key */
  | { readonly reason: 'invalid' }
  | { readonly reason: 'expired' }
  /** an approve link opened as a reject link, or the reverse */
  | { readonly reason: 'wrong_action' }
  /** confirmed before; `outcome` is what that use gave, `state` 'pending' while it is under way */
  | { readonly reason: 'used'; readonly state: EmailActionUse['state']; readonly outcome: string | null; readonly usedAt: Date }
  /** the address given is not the one the link was mailed to: a forwarded link */
  | { readonly reason: 'not_recipient'; readonly userId: string }
  /** the task is gone or no longer visible to the link's user */
  | { readonly reason: 'unavailable' }
  /** the task was decided (or its instance ended) */
  | { readonly reason: 'decided'; readonly decision: string | null; readonly decidedBy: string | null }
  | { readonly reason: 'already_voted' }
  /** the link's user no longer holds the task (delegated, reassigned, claimed by another) */
  | { readonly reason: 'not_holder'; readonly message: string }
  | { readonly reason: 'separation_of_duties'; readonly rule: string; readonly message: string }
  /** any other refusal of the decision use case, with its code */
  | { readonly reason: 'refused'; readonly code: string; readonly message: string };

/** The task as the confirmation page shows it. */
export interface EmailActionTaskView {
  readonly workflowName: string;
  readonly taskName: string;
  readonly businessKey: string | null;
  readonly keyContext: readonly [string, string][];
  readonly startedBy: string;
  readonly slaDeadline: string | null;
  readonly quorum: { readonly required: number; readonly approvals: number; readonly rejections: number } | null;
}

interface EmailActionLink {
  readonly action: EmailAction;
  readonly userId: string;
  readonly expiresAt: Date;
}

export type EmailActionPreview =
  | { readonly ok: true; readonly link: EmailActionLink; readonly task: EmailActionTaskView }
  | { readonly ok: false; readonly refusal: EmailActionRefusal; readonly link?: EmailActionLink };

export type EmailActionOutcome =
  | { readonly ok: true; readonly link: EmailActionLink; readonly result: TaskDecisionDto }
  | { readonly ok: false; readonly refusal: EmailActionRefusal; readonly link?: EmailActionLink };

export interface EmailActionsService {
  /** The link's GET: never decides. */
  preview(action: string, token: string): Promise<EmailActionPreview>;
  /** The confirmation: decides as the link's user, once. */
  confirm(action: string, token: string, input: { readonly address: string; readonly comments?: string }): Promise<EmailActionOutcome>;
}

/**
 * AppServices as the runtime builds them, with the email actions; `emailActionsOf` reads them
 * (AppServices built elsewhere, as tests build them, have none, and their app serves no links).
 */
export interface WithEmailActions {
  readonly emailActions: EmailActionsService;
}

export function emailActionsOf(services: object): EmailActionsService | null {
  return (services as Partial<WithEmailActions>).emailActions ?? null;
}

/** A claim left 'pending' this long belongs to a process that died between claim and settle. */
const STALE_CLAIM_MS = 2 * 60_000;

export class EmailActionsServiceImpl implements EmailActionsService {
  constructor(
    private readonly store: PgStore,
    private readonly tasks: TasksService,
    private readonly keys: EmailActionKeys,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async preview(action: string, token: string): Promise<EmailActionPreview> {
    const checked = this.keys.verify(token, action, this.clock.now());
    if (!checked.ok) return { ok: false, refusal: { reason: checked.reason } };
    const { claims } = checked;
    const link = linkOf(claims);
    const use = await this.store.inTenant(claims.tenantId, (tx) => findEmailActionUse(tx, claims.jti));
    if (use) return { ok: false, refusal: usedRefusal(use), link };
    let task: TaskDetailDto;
    try {
      task = await this.tasks.get(actorOf(claims), claims.taskId);
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'not_found') return { ok: false, refusal: { reason: 'unavailable' }, link };
      throw err;
    }
    if (task.status !== 'waiting' || task.instanceStatus !== 'running') {
      return { ok: false, refusal: { reason: 'decided', decision: task.decision, decidedBy: task.decidedBy }, link };
    }
    if (task.quorum?.votes.some((v) => v.userId === claims.userId || v.onBehalfOf === claims.userId)) return { ok: false, refusal: { reason: 'already_voted' }, link };
    return { ok: true, link, task: taskView(task) };
  }

  async confirm(action: string, token: string, input: { readonly address: string; readonly comments?: string }): Promise<EmailActionOutcome> {
    const now = this.clock.now();
    const checked = this.keys.verify(token, action, now);
    if (!checked.ok) return { ok: false, refusal: { reason: checked.reason } };
    const { claims } = checked;
    const link = linkOf(claims);
    const where = { tenantId: claims.tenantId, taskId: claims.taskId, userId: claims.userId, action: claims.action };
    // checked before the claim: a forwardee's attempt leaves the link to its recipient
    if (!this.keys.addressMatches(claims, input.address)) {
      this.log.warn(where, 'email action refused: the address given is not the one the link was sent to (a forwarded link?)');
      return { ok: false, refusal: { reason: 'not_recipient', userId: claims.userId }, link };
    }
    const use = { jti: claims.jti, taskId: claims.taskId, userId: claims.userId, action: claims.action, usedAt: now, expiresAt: claims.expiresAt };
    const claimed = await this.store.inTenant(claims.tenantId, (tx) => claimEmailAction(tx, use, new Date(now.getTime() - STALE_CLAIM_MS)));
    if (!claimed) {
      const earlier = await this.store.inTenant(claims.tenantId, (tx) => findEmailActionUse(tx, claims.jti));
      return { ok: false, refusal: earlier ? usedRefusal(earlier) : { reason: 'used', state: 'pending', outcome: null, usedAt: now }, link };
    }
    const body = input.comments !== undefined ? { comments: input.comments } : {};
    let result: TaskDecisionDto;
    try {
      result = claims.action === 'approve' ? await this.tasks.approve(actorOf(claims), claims.taskId, body) : await this.tasks.reject(actorOf(claims), claims.taskId, body);
    } catch (err) {
      const refusal = err instanceof EngineError ? refusalOf(err) : null;
      if (refusal && isFinal(err as EngineError)) {
        await this.settle(claims, 'refused', (err as EngineError).code);
        this.log.info({ ...where, code: (err as EngineError).code }, 'email action refused');
        return { ok: false, refusal: refusal.reason === 'decided' ? await this.decidedRefusal(claims) : refusal, link };
      }
      // not judged (a body to correct, a fault): the link stays usable
      await this.store.inTenant(claims.tenantId, (tx) => releaseEmailAction(tx, claims.jti)).catch(() => undefined);
      if (refusal) return { ok: false, refusal, link };
      throw err;
    }
    await this.settle(claims, 'decided', result.status === 'waiting' ? 'voted' : (result.decision ?? claims.action));
    this.log.info({ ...where, status: result.status }, 'email action decided');
    return { ok: true, link, result };
  }

  /** Who decided the task first, when its user may still see it. */
  private async decidedRefusal(claims: EmailActionClaims): Promise<EmailActionRefusal> {
    const task = await this.tasks.get(actorOf(claims), claims.taskId).catch(() => null);
    return { reason: 'decided', decision: task?.decision ?? null, decidedBy: task?.decidedBy ?? null };
  }

  /** The decision stands whatever happens here; a claim left 'pending' still reads as used. */
  private async settle(claims: EmailActionClaims, state: 'decided' | 'refused', outcome: string): Promise<void> {
    try {
      await this.store.inTenant(claims.tenantId, (tx) => settleEmailAction(tx, claims.jti, state, outcome));
    } catch (err) {
      this.log.warn({ taskId: claims.taskId, err: (err as Error).message }, 'recording an email action\'s outcome failed; the link stays used');
    }
  }
}

function actorOf(claims: EmailActionClaims): Actor {
  return { tenantId: claims.tenantId, userId: claims.userId, roles: claims.roles };
}

function linkOf(claims: EmailActionClaims): EmailActionLink {
  return { action: claims.action, userId: claims.userId, expiresAt: claims.expiresAt };
}

function usedRefusal(use: EmailActionUse): EmailActionRefusal {
  return { reason: 'used', state: use.state, outcome: use.outcome, usedAt: use.usedAt };
}

/** Refusals that judged the link's decision: trying it again would be refused the same way. */
function isFinal(err: EngineError): boolean {
  return err.kind === 'forbidden' || err.kind === 'not_found' || err.kind === 'conflict' || err.kind === 'unprocessable';
}

function refusalOf(err: EngineError): EmailActionRefusal | null {
  if (err.code === 'SEPARATION_OF_DUTIES') {
    const rule = (err.details as { rule?: unknown } | undefined)?.rule;
    return { reason: 'separation_of_duties', rule: typeof rule === 'string' ? rule : 'unknown', message: err.message };
  }
  if (err.kind === 'not_found') return { reason: 'unavailable' };
  if (err.code === 'TASK_NOT_WAITING') return { reason: 'decided', decision: null, decidedBy: null };
  if (err.code === 'ALREADY_VOTED') return { reason: 'already_voted' };
  if (err.code === 'NOT_TASK_ASSIGNEE') return { reason: 'not_holder', message: err.message };
  if (err.kind === 'forbidden' || err.kind === 'conflict' || err.kind === 'unprocessable' || err.kind === 'validation' || err.kind === 'too_large') {
    return { reason: 'refused', code: err.code, message: err.message };
  }
  return null;
}

function taskView(task: TaskDetailDto): EmailActionTaskView {
  return {
    workflowName: task.workflowName,
    taskName: task.taskName,
    businessKey: businessKey(task),
    keyContext: keyContext(task.contextData),
    startedBy: task.startedBy,
    slaDeadline: task.slaDeadline,
    quorum: task.quorum ? { required: task.quorum.required, approvals: task.quorum.approvals, rejections: task.quorum.rejections } : null,
  };
}

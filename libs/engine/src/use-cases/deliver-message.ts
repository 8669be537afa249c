/**
 * Messages for receive nodes. A message resumes every execution waiting for its name and
 * correlation key in the caller's tenant, or is buffered for its time to live when none waits
 * yet (a receive node that comes later takes it), and a sender's `messageId` makes a replay
 * harmless. Each waiting execution also has a callback: a single-use URL for systems that
 * cannot send a bearer token. All of it serialises on the correlation lock, so a receiver parking
 * and a message arriving never miss each other; the receivers resume in their own jobs.
 */

import { ConflictError, NotFoundError } from '../errors/engine-errors';
import type { Actor, JsonObject, NodeJob } from '../runtime/model';
import type { EnginePorts, StoredMessage, StoreTx } from '../runtime/ports';
import { PlanBuilder } from '../runtime/plan-builder';
import { runInTenant } from './effects';

/** Receivers one message resumes at most (more wait for the next message with the same key). */
export const MAX_RECEIVERS_PER_MESSAGE = 100;

export interface MessageInput {
  readonly name: string;
  readonly correlationKey: string;
  readonly data?: JsonObject;
  readonly messageId?: string;
  /** how long to keep it when nobody waits yet; 0 or absent: not kept */
  readonly timeToLiveMs?: number;
}

export interface MessageOutcome {
  readonly status: 'delivered' | 'buffered' | 'unmatched';
  /** the same `messageId` came before: nothing changed, this is what the first did */
  readonly duplicate: boolean;
  readonly messageId: string | null;
  readonly resumed: number;
  readonly executions: readonly { instanceId: string; executionId: string }[];
  readonly expiresAt: Date | null;
}

/** The instances of executions a message was delivered to (a replay answers with them). */
async function receiversOf(tx: StoreTx, executionIds: readonly string[]): Promise<{ instanceId: string; executionId: string }[]> {
  const out: { instanceId: string; executionId: string }[] = [];
  for (const executionId of executionIds) {
    const snap = await tx.readTask(executionId);
    if (snap) out.push({ instanceId: snap.instance.id, executionId });
  }
  return out;
}

function resumeJobs(tenantId: string, receivers: readonly { instanceId: string; executionId: string }[]): NodeJob[] {
  return receivers.map((r) => ({ kind: 'resume', tenantId, instanceId: r.instanceId, executionId: r.executionId, generation: 0 }));
}

function outcomeOf(stored: StoredMessage, duplicate: boolean, executions: readonly { instanceId: string; executionId: string }[]): MessageOutcome {
  return {
    // a buffered message taken since was, when it came, buffered: that is what the first answer said
    status: stored.status === 'consumed' ? 'buffered' : stored.status,
    duplicate,
    messageId: stored.messageId,
    resumed: stored.deliveredTo.length,
    executions,
    expiresAt: stored.expiresAt,
  };
}

export async function deliverMessage(ports: Pick<EnginePorts, 'store' | 'dispatcher' | 'events' | 'clock'>, actor: Actor, input: MessageInput): Promise<MessageOutcome> {
  return runInTenant(ports, actor.tenantId, async (tx, effects) => {
    await tx.lockCorrelation(input.name, input.correlationKey);
    if (input.messageId !== undefined) {
      const seen = await tx.messageById(input.messageId);
      if (seen) return outcomeOf(seen, true, await receiversOf(tx, seen.deliveredTo));
    }
    const now = ports.clock.now();
    const receivers = await tx.waitingReceivers(input.name, input.correlationKey, MAX_RECEIVERS_PER_MESSAGE);
    const ttl = input.timeToLiveMs ?? 0;
    const status = receivers.length > 0 ? 'delivered' : ttl > 0 ? 'buffered' : 'unmatched';
    const message = {
      name: input.name,
      correlationKey: input.correlationKey,
      data: input.data ?? {},
      messageId: input.messageId ?? null,
      status,
      deliveredTo: receivers.map((r) => r.executionId),
      expiresAt: status === 'buffered' ? new Date(now.getTime() + ttl) : null,
      via: 'message',
    } as const;
    const id = await tx.storeMessage(message);
    if (id === null) {
      // the same messageId under another name or key, stored since the check: answered as that one
      const seen = input.messageId !== undefined ? await tx.messageById(input.messageId) : null;
      if (seen) return outcomeOf(seen, true, []);
      throw new ConflictError('MESSAGE_ID_REUSED', `messageId ${input.messageId} was used already`);
    }
    effects.send(resumeJobs(actor.tenantId, receivers));
    return { status, duplicate: false, messageId: message.messageId, resumed: receivers.length, executions: receivers, expiresAt: message.expiresAt };
  });
}

/** What a callback token names: the waiting execution and its current nonce. */
export interface CallbackRef {
  readonly tenantId: string;
  readonly executionId: string;
  readonly nonce: string;
}

/**
 * A callback's delivery: the data goes to the one execution the token names, if it still waits
 * with that nonce (a rotated token is refused), once (the nonce is the message's id).
 */
export async function deliverCallback(ports: Pick<EnginePorts, 'store' | 'dispatcher' | 'events'>, ref: CallbackRef, data: JsonObject): Promise<{ instanceId: string; executionId: string }> {
  return runInTenant(ports, ref.tenantId, async (tx, effects) => {
    const snap = await tx.readTask(ref.executionId);
    const e = snap?.execution;
    if (!snap || !e) throw new NotFoundError('Callback', ref.executionId);
    if (e.status !== 'waiting' || e.waitingFor !== 'message' || e.messageName === null || e.correlationKey === null || e.callbackNonce !== ref.nonce) {
      throw new ConflictError('CALLBACK_NOT_WAITING', 'this callback is no longer valid: the execution stopped waiting, or its callback was rotated');
    }
    await tx.lockCorrelation(e.messageName, e.correlationKey);
    if (await tx.messageById(`callback:${ref.nonce}`)) throw new ConflictError('CALLBACK_USED', 'this callback was used already: a callback URL is single-use');
    if (await tx.deliveredMessage(e.id)) throw new ConflictError('CALLBACK_NOT_WAITING', 'a message was delivered to this execution already');
    const id = await tx.storeMessage({
      name: e.messageName,
      correlationKey: e.correlationKey,
      data,
      messageId: `callback:${ref.nonce}`,
      status: 'delivered',
      deliveredTo: [e.id],
      expiresAt: null,
      via: 'callback',
    });
    if (id === null) throw new ConflictError('CALLBACK_USED', 'this callback was used already: a callback URL is single-use');
    const receiver = { instanceId: snap.instance.id, executionId: e.id };
    effects.send(resumeJobs(ref.tenantId, [receiver]));
    return receiver;
  });
}

/** A new callback nonce for a waiting receive execution: the old URL stops working. */
export async function rotateCallback(
  ports: Pick<EnginePorts, 'store' | 'dispatcher' | 'events' | 'clock' | 'newId'>,
  actor: Actor,
  instanceId: string,
  executionId: string,
): Promise<{ nonce: string }> {
  return runInTenant(ports, actor.tenantId, async (tx, effects) => {
    if (!(await tx.visibleInstance(actor, instanceId))) throw new NotFoundError('Workflow instance', instanceId);
    const snap = await tx.lockStep(instanceId, executionId);
    if (!snap) throw new NotFoundError('Node execution', executionId);
    const e = snap.execution;
    if (e.status !== 'waiting' || e.waitingFor !== 'message') {
      throw new ConflictError('NOT_WAITING_FOR_MESSAGE', `execution ${executionId} is not waiting for a message: it has no callback`);
    }
    const nonce = ports.newId();
    const b = new PlanBuilder(snap.instance, ports.clock.now(), ports.newId);
    b.patch(e, { callbackNonce: nonce });
    b.record({ eventType: 'callback_rotated', nodeExecutionId: e.id, actorUserId: actor.userId, details: { nodeId: e.nodeId } });
    await effects.write(tx, b.build(), snap.instance);
    return { nonce };
  });
}

/**
 * A comment on an instance's thread: append-only, a row of its hash-chained history, by whoever
 * may see the instance (running or finished: a thread outlives the work it is about).
 */

import { NotFoundError, ValidationError } from '../errors/engine-errors';
import type { Actor } from '../runtime/model';
import type { EnginePorts } from '../runtime/ports';
import { PlanBuilder } from '../runtime/plan-builder';
import { runInTenant } from './effects';

/** Longest comment, in characters. */
export const MAX_COMMENT_LENGTH = 10_000;

export interface CommentAdded {
  readonly instanceId: string;
  readonly authorUserId: string;
  readonly text: string;
  readonly createdAt: Date;
}

export async function commentOnInstance(
  ports: Pick<EnginePorts, 'store' | 'dispatcher' | 'events' | 'clock' | 'newId'>,
  actor: Actor,
  instanceId: string,
  comment: { text: string },
): Promise<CommentAdded> {
  const text = comment.text.trim();
  if (text === '') throw new ValidationError('VALIDATION_FAILED', 'a comment needs text', [{ path: 'text', message: 'must not be empty' }]);
  if (text.length > MAX_COMMENT_LENGTH) throw new ValidationError('VALIDATION_FAILED', `a comment is at most ${MAX_COMMENT_LENGTH} characters`);
  return runInTenant(ports, actor.tenantId, async (tx, effects) => {
    if (!(await tx.visibleInstance(actor, instanceId))) throw new NotFoundError('Workflow instance', instanceId);
    const locked = await tx.lockInstance(instanceId);
    if (!locked) throw new NotFoundError('Workflow instance', instanceId);
    const now = ports.clock.now();
    const b = new PlanBuilder(locked, now, ports.newId);
    b.record({ eventType: 'comment_added', nodeExecutionId: null, actorUserId: actor.userId, details: { text } });
    await effects.write(tx, b.build(), locked);
    return { instanceId, authorUserId: actor.userId, text, createdAt: now };
  });
}

/** An event trigger: every active workflow of the tenant that listens for the event starts. */

import type { Actor, JsonObject } from '../runtime/model';
import type { EnginePorts } from '../runtime/ports';
import { runInTenant } from './effects';
import { assertContextSize, startInTransaction } from './start-instance';

export interface PublishEventCommand {
  readonly eventType: string;
  readonly contextEntityType?: string | null;
  readonly contextEntityId?: string | null;
  readonly contextData?: JsonObject;
  /** with it, publishing the same event twice starts nothing new */
  readonly idempotencyKey?: string | null;
}

/** All listeners start in one transaction: every one of them, or none. */
export async function publishEvent(ports: EnginePorts, actor: Actor, cmd: PublishEventCommand): Promise<{ startedInstanceIds: string[] }> {
  assertContextSize(cmd.contextData);
  return runInTenant(ports, actor.tenantId, async (tx, effects) => {
    const started: string[] = [];
    for (const definitionId of await tx.definitionsListeningFor(cmd.eventType)) {
      const outcome = await startInTransaction(ports, tx, effects, {
        workflowDefinitionId: definitionId,
        contextEntityType: cmd.contextEntityType ?? null,
        contextEntityId: cmd.contextEntityId ?? null,
        contextData: cmd.contextData ?? {},
        // one key per listener, so a replayed event starts nothing new
        idempotencyKey: cmd.idempotencyKey ? `event:${cmd.idempotencyKey}:${definitionId}` : null,
        startedBy: actor.userId,
        triggerType: 'event',
      });
      effects.emit({ type: 'trigger_fired', tenantId: actor.tenantId, definitionId, trigger: 'event', instanceId: outcome.instance.id, created: outcome.created });
      started.push(outcome.instance.id);
    }
    return { startedInstanceIds: started };
  });
}

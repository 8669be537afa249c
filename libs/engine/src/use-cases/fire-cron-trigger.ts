/** A cron trigger's tick. */

import type { JsonObject } from '../runtime/model';
import type { EnginePorts } from '../runtime/ports';
import { runInTenant } from './effects';
import { startInTransaction, type StartOutcome } from './start-instance';

/** Who starts the instances of cron triggers. */
export const CRON_STARTER = 'system:scheduler';

export interface CronTick {
  readonly tenantId: string;
  readonly definitionId: string;
  /** the trigger's position in the definition's `triggers` */
  readonly index: number;
  readonly contextData?: JsonObject;
  /** when the tick was due */
  readonly at: Date;
}

/**
 * Start the tick's instance. The idempotency key is (definition, trigger, tick to the second): the
 * same tick has the same key in every scheduler replica, so it starts exactly once however many
 * fire it, and a late fire is harmless.
 */
export async function fireCronTrigger(ports: EnginePorts, tick: CronTick): Promise<StartOutcome> {
  const fireTime = new Date(Math.floor(tick.at.getTime() / 1000) * 1000).toISOString();
  return runInTenant(ports, tick.tenantId, async (tx, effects) => {
    const outcome = await startInTransaction(ports, tx, effects, {
      workflowDefinitionId: tick.definitionId,
      contextData: tick.contextData ?? {},
      idempotencyKey: `cron:${tick.definitionId}:${tick.index}:${fireTime}`,
      startedBy: CRON_STARTER,
      triggerType: 'cron',
    });
    effects.emit({ type: 'trigger_fired', tenantId: tick.tenantId, definitionId: tick.definitionId, trigger: 'cron', instanceId: outcome.instance.id, created: outcome.created });
    return outcome;
  });
}

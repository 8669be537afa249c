import type { Actor, EnginePorts, NodeJob } from '@wf/engine';
import { definitionsListeningFor, type PgStore } from '@wf/db';
import { assertContextSize, startWorkflow } from './start-workflow';
import type { EventsService, PublishEventInput } from './service.types';

export class EventsServiceImpl implements EventsService {
  constructor(
    private readonly store: PgStore,
    private readonly ports: EnginePorts,
  ) {}

  /** All listeners start in one transaction: every one of them, or none. */
  async publish(actor: Actor, input: PublishEventInput): Promise<{ startedInstanceIds: string[] }> {
    assertContextSize(input.contextData);
    const jobs: NodeJob[] = [];
    const ids = await this.store.inTenant(actor.tenantId, async (tx) => {
      const started: string[] = [];
      for (const definitionId of await definitionsListeningFor(tx, input.eventType)) {
        const outcome = await startWorkflow(
          tx,
          {
            workflowDefinitionId: definitionId,
            contextEntityType: input.contextEntityType ?? null,
            contextEntityId: input.contextEntityId ?? null,
            contextData: input.contextData ?? {},
            // one key per listener, so a replayed event starts nothing new
            idempotencyKey: input.idempotencyKey ? `event:${input.idempotencyKey}:${definitionId}` : null,
            startedBy: actor.userId,
            triggerType: 'event',
          },
          this.ports.clock.now(),
          this.ports.newId,
        );
        jobs.push(...outcome.enqueue);
        started.push(outcome.instance.id);
      }
      return started;
    });
    await this.ports.dispatcher.dispatch(jobs);
    return { startedInstanceIds: ids };
  }
}

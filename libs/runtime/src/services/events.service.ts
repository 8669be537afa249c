import { publishEvent, type Actor, type EnginePorts } from '@wf/engine';
import type { EventsService, PublishEventInput } from './service.types';

export class EventsServiceImpl implements EventsService {
  constructor(private readonly ports: EnginePorts) {}

  publish(actor: Actor, input: PublishEventInput): Promise<{ startedInstanceIds: string[] }> {
    return publishEvent(this.ports, actor, input);
  }
}

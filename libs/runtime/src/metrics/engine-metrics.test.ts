import type { Pool } from 'pg';
import { createEngineMetrics } from './engine-metrics';
import { EngineEventBus } from '../events/engine-event-bus';

const TENANT = '0a000000-0000-4000-8000-00000000000a';

describe('engine metrics from engine events', () => {
  // the counters never read the database or the queues: only the gauges do, at scrape time
  const metrics = () => createEngineMetrics({ pool: {} as Pool, queues: [], urgentThresholdHours: 4 });

  it('counts started and finished instances, fired triggers, passed deadlines and deferred hand-overs', async () => {
    const m = metrics();
    const bus = new EngineEventBus();
    bus.on((event) => m.countEvent(event));
    bus.emit({ type: 'instance_started', tenantId: TENANT, instanceId: 'i1', definitionId: 'd', triggerType: 'cron' });
    bus.emit({ type: 'instance_finished', tenantId: TENANT, instanceId: 'i1', status: 'completed' });
    bus.emit({ type: 'instance_finished', tenantId: TENANT, instanceId: 'i2', status: 'completed' });
    bus.emit({ type: 'trigger_fired', tenantId: TENANT, definitionId: 'd', trigger: 'cron', instanceId: 'i1', created: false });
    bus.emit({ type: 'task_escalated', tenantId: TENANT, instanceId: 'i1', executionId: 'e', escalated: true });
    bus.emit({ type: 'effects_deferred', what: 'jobs', count: 3, error: 'down' });
    const text = (name: string) => m.registry.getSingleMetricAsString(name);
    expect(await text('workflow_instances_started_total')).toContain('workflow_instances_started_total{trigger_type="cron"} 1');
    expect(await text('workflow_instances_finished_total')).toContain('workflow_instances_finished_total{status="completed"} 2');
    expect(await text('workflow_triggers_fired_total')).toContain('workflow_triggers_fired_total{trigger="cron",created="false"} 1');
    expect(await text('workflow_task_deadlines_passed_total')).toContain('workflow_task_deadlines_passed_total{escalated="true"} 1');
    expect(await text('workflow_effects_deferred_total')).toContain('workflow_effects_deferred_total{what="jobs"} 3');
  });

  it('a listener that throws does not keep the event from the others', () => {
    const bus = new EngineEventBus();
    const heard: string[] = [];
    bus.on(() => {
      throw new Error('broken listener');
    });
    bus.on((event) => heard.push(event.type));
    bus.emit({ type: 'effects_deferred', what: 'jobs', count: 1, error: 'x' });
    expect(heard).toEqual(['effects_deferred']);
  });

  it('next() resolves with the first matching event and fails naming what it waited for', async () => {
    const bus = new EngineEventBus();
    const waiting = bus.next('instance_finished', (e) => e.instanceId === 'b', 1000);
    bus.emit({ type: 'instance_finished', tenantId: TENANT, instanceId: 'a', status: 'failed' });
    bus.emit({ type: 'instance_finished', tenantId: TENANT, instanceId: 'b', status: 'completed' });
    await expect(waiting).resolves.toMatchObject({ instanceId: 'b', status: 'completed' });
    await expect(bus.next('trigger_fired', () => true, 20)).rejects.toThrow('no trigger_fired event within 20 ms');
  });
});

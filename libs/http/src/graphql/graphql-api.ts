/** GraphQL for an engine runtime: its services, batch reads and task queue feed, as the api role serves them. */

import { createReadBatchesService, type EngineRuntime, type Logger } from '@wf/runtime';
import { graphqlApi, type GraphqlApi } from './graphql-router';
import { TaskQueueFeed } from './task-queue-feed';

export function graphqlApiOf(rt: Pick<EngineRuntime, 'config' | 'store' | 'ports' | 'services'>, log: Logger): GraphqlApi {
  const batches = createReadBatchesService(rt.store, rt.ports.clock, rt.config.urgentThresholdHours, (tenantId, executionId, nonce) =>
    rt.services.messages.callbackUrlOf(tenantId, executionId, nonce),
  );
  const feed = new TaskQueueFeed({ url: rt.config.runtimeUrl, applicationName: 'workflow-api-graphql-feed', log: log.child({ component: 'task-queue-feed' }), batches });
  return graphqlApi({
    services: rt.services,
    batches,
    feed,
    logger: log,
    maxBodyBytes: rt.config.maxBodyBytes,
    introspection: rt.config.graphqlIntrospection,
  });
}

/** What every resolver gets: the verified caller, the application services, its own loaders. */

import type { Actor } from '@wf/engine';
import type { AppServices } from '@wf/runtime';
import type { Loaders } from './loaders';
import type { TaskQueueFeed } from './task-queue-feed';

/** A type, not an interface: graphql-http's context must be a record. */
export type GraphqlContext = {
  readonly actor: Actor;
  readonly services: AppServices;
  readonly loaders: Loaders;
  /** null where this process serves no subscriptions */
  readonly feed: TaskQueueFeed | null;
};

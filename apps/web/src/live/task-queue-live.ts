/**
 * The signed-in user's task queue, live: GraphQL's `taskQueueChanged` subscription over
 * Server-Sent Events at /graphql/stream (graphql-sse's fetch client: it sends the session cookie
 * and the CSRF token, which `EventSource` cannot). A dropped stream is opened again, waiting
 * longer after each failure; the status says whether changes are arriving.
 */

import { createClient, type Client } from 'graphql-sse';
import { getCsrfToken } from '../api/client';
import { changeOf, retryDelayMs, type LiveStatus, type TaskQueueChange } from './live-text';

const TASK_QUEUE_SUBSCRIPTION =
  'subscription TaskQueue { taskQueueChanged { change taskId instanceId task { taskName workflowName urgencyLevel } } }';

export interface TaskQueueHandlers {
  onChange(change: TaskQueueChange): void;
  onStatus(status: LiveStatus): void;
}

let shared: Client | null = null;

function client(): Client {
  shared ??= createClient({
    url: '/graphql/stream',
    singleConnection: false,
    credentials: 'same-origin',
    headers: (): Record<string, string> => ({ 'x-csrf-token': getCsrfToken() ?? '' }),
    // this module reconnects itself (below), so the status can say "reconnecting" meanwhile
    retryAttempts: 0,
  });
  return shared;
}

/** Subscribe until the returned function is called. */
export function subscribeTaskQueue(handlers: TaskQueueHandlers): () => void {
  let stopped = false;
  let failures = 0;
  let unsubscribe: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const again = () => {
    unsubscribe = null;
    if (stopped) return;
    handlers.onStatus('reconnecting');
    timer = setTimeout(open, retryDelayMs(failures));
    failures += 1;
  };

  function open() {
    timer = null;
    if (stopped) return;
    unsubscribe = client().subscribe(
      { query: TASK_QUEUE_SUBSCRIPTION },
      {
        next(result) {
          failures = 0;
          const change = changeOf(result);
          if (change) handlers.onChange(change);
        },
        error: again,
        // the stream ended (the session expired, the server shut down): open it again
        complete: again,
      },
      {
        connecting: (reconnecting) => handlers.onStatus(reconnecting || failures > 0 ? 'reconnecting' : 'connecting'),
        connected: () => {
          failures = 0;
          handlers.onStatus('live');
        },
      },
    );
  }

  handlers.onStatus('connecting');
  open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    unsubscribe?.();
  };
}

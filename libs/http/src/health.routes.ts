/**
 * Probes, served without a token. `/healthz`: the process answers. `/readyz`: Postgres and the
 * queue backend (Redis, or BullMQ's PostgreSQL backend) answer too; a 503 names the one(s) down.
 * Both say which store and queue backend this process chose at start-up.
 */

import { Router } from 'express';
import { UnavailableError } from '@wf/engine';
import type { AppServices, Logger, Readiness } from '@wf/runtime';
import { logOf } from './request-context';

export function healthRouter(health: AppServices['health'], logger: Logger): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    let ready: Readiness;
    try {
      ready = await health.readiness();
    } catch (err) {
      // Logged, not answered: the probe is public and the error may name hosts or users.
      logOf(res, logger).warn({ err }, 'readiness check failed');
      throw new UnavailableError('NOT_READY', 'Not ready: the readiness check failed', { postgres: null, queue: null });
    }
    const body = readinessBody(ready);
    const down = [...(ready.postgres ? [] : ['postgres']), ...(ready.queue ? [] : [queueName(ready)])];
    if (down.length > 0) {
      throw new UnavailableError('NOT_READY', `Not ready: ${down.join(' and ')} not answering`, { ...body, down });
    }
    res.json({ status: 'ready', ...body });
  });

  return router;
}

/** `redis` stays for the Redis backend (the field clients read before there was a choice). */
function readinessBody(ready: Readiness): Record<string, unknown> {
  return {
    postgres: ready.postgres,
    ...(ready.queueBackend === 'redis' ? { redis: ready.queue } : {}),
    queue: { backend: ready.queueBackend, ok: ready.queue },
    store: ready.store,
  };
}

function queueName(ready: Readiness): string {
  return ready.queueBackend === 'redis' ? 'redis' : 'the postgres queue backend';
}

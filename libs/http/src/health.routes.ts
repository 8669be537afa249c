/**
 * Probes, served without a token. `/healthz`: the process answers. `/readyz`: Postgres and Redis
 * answer too; a 503 names the one(s) down.
 */

import { Router } from 'express';
import { UnavailableError } from '@wf/engine';
import type { AppServices, Logger } from '@wf/runtime';
import { logOf } from './request-context';

export function healthRouter(health: AppServices['health'], logger: Logger): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    let ready: { postgres: boolean; redis: boolean };
    try {
      ready = await health.readiness();
    } catch (err) {
      // Logged, not answered: the probe is public and the error may name hosts or users.
      logOf(res, logger).warn({ err }, 'readiness check failed');
      throw new UnavailableError('NOT_READY', 'Not ready: the readiness check failed', { postgres: null, redis: null });
    }
    const down = (['postgres', 'redis'] as const).filter((name) => !ready[name]);
    if (down.length > 0) {
      throw new UnavailableError('NOT_READY', `Not ready: ${down.join(' and ')} not answering`, { ...ready, down });
    }
    res.json({ status: 'ready', postgres: true, redis: true });
  });

  return router;
}

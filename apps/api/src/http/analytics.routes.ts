/** `/api/analytics`: per-workflow totals, SLA compliance and completion times for the caller's tenant. */

import { Router } from 'express';
import type { AppServices } from '@wf/runtime';
import { actorOf } from './auth';

export function analyticsRouter(analytics: AppServices['analytics']): Router {
  const router = Router();
  router.get('/workflows', async (_req, res) => {
    res.json(await analytics.workflows(actorOf(res)));
  });
  return router;
}

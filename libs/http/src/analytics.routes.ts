/** `/api/analytics`: per-workflow totals, SLA compliance and completion times for the caller's tenant. */

import { Router } from 'express';
import type { AppServices } from '@wf/runtime';
import { actorOf } from './auth';
import { analyticsQuery } from './schemas';
import { parseInput } from './validation';

export function analyticsRouter(analytics: AppServices['analytics']): Router {
  const router = Router();
  router.get('/workflows', async (req, res) => {
    const query = parseInput(analyticsQuery, req.query, 'query');
    res.json(await analytics.workflows(actorOf(res), query));
  });
  return router;
}

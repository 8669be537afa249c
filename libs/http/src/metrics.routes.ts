/**
 * `GET /metrics`: Prometheus text, without a token like every Prometheus endpoint. Keep it off
 * the public network (bind or firewall), as the API documentation says.
 */

import { Router } from 'express';
import type { Registry } from 'prom-client';

export function metricsRouter(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    // the engine's gauges skip what they cannot read, so this only fails on a bug
    const text = await registry.metrics();
    res.set('Content-Type', registry.contentType).set('Cache-Control', 'no-store').send(text);
  });
  return router;
}

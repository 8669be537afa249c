/** `/api/deputies`: deputies while away (declare, list, remove). */

import { Router } from 'express';
import type { AppServices } from '@wf/runtime';
import { actorOf } from './auth';
import { bodyOrEmpty } from './json-body';
import { deputyBody, historyQuery } from './schemas';
import { parseId, parseInput } from './validation';

export function deputiesRouter(deputies: AppServices['deputies']): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = parseInput(deputyBody, bodyOrEmpty(req.body), 'body');
    const window = await deputies.declare(actorOf(res), body);
    res.status(201).location(`${req.baseUrl}/${window.id}`).json(window);
  });

  router.get('/', async (req, res) => {
    parseInput(historyQuery, req.query, 'query');
    res.json(await deputies.list(actorOf(res)));
  });

  router.delete('/:id', async (req, res) => {
    await deputies.remove(actorOf(res), parseId(req.params.id));
    res.status(204).end();
  });

  return router;
}

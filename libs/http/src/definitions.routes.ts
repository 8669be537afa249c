/** `/api/definitions`: create (admin), list, read, activate and deactivate (admin). */

import { Router } from 'express';
import type { AppServices } from '@wf/runtime';
import { actorOf } from './auth';
import { definitionBody, definitionListQuery } from './schemas';
import { parseId, parseInput } from './validation';

export function definitionsRouter(definitions: AppServices['definitions']): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const actor = actorOf(res);
    const body = parseInput(definitionBody, req.body, 'body');
    const created = await definitions.create(actor, body);
    res.status(201).location(`${req.baseUrl}/${created.id}`).json(created);
  });

  router.get('/', async (req, res) => {
    const { limit, cursor, ...filter } = parseInput(definitionListQuery, req.query, 'query');
    res.json(await definitions.list(actorOf(res), filter, { limit, cursor }));
  });

  router.get('/:id', async (req, res) => {
    res.json(await definitions.get(actorOf(res), parseId(req.params.id)));
  });

  router.post('/:id/activate', async (req, res) => {
    res.json(await definitions.setActive(actorOf(res), parseId(req.params.id), true));
  });

  router.post('/:id/deactivate', async (req, res) => {
    res.json(await definitions.setActive(actorOf(res), parseId(req.params.id), false));
  });

  return router;
}

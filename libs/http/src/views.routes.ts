/** `/api/views`: saved inbox and search views, stored per user (list, create or replace or rename, delete). */

import { Router } from 'express';
import type { AppServices } from '@wf/runtime';
import { actorOf } from './auth';
import { bodyOrEmpty } from './json-body';
import { viewBody, viewListQuery, viewPath } from './schemas';
import { checkInput, invalidInput, parseInput } from './validation';

export function viewsRouter(views: AppServices['views']): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const { page } = parseInput(viewListQuery, req.query, 'query');
    res.json(await views.list(actorOf(res), page));
  });

  router.put('/:page/:name', async (req, res) => {
    // the path's problems and the body's, all at once
    const path = checkInput(viewPath, { page: req.params['page'], name: req.params['name'] }, 'name');
    const body = checkInput(viewBody, bodyOrEmpty(req.body), 'body');
    if (!path.success || !body.success) {
      throw invalidInput([...(path.success ? [] : path.problems), ...(body.success ? [] : body.problems)]);
    }
    const out = await views.put(actorOf(res), path.data.page, path.data.name, body.data);
    res
      .status(out.created ? 201 : 200)
      .location(`${req.baseUrl}/${out.view.page}/${encodeURIComponent(out.view.name)}`)
      .json(out.view);
  });

  router.delete('/:page/:name', async (req, res) => {
    const { page, name } = parseInput(viewPath, { page: req.params['page'], name: req.params['name'] }, 'name');
    await views.remove(actorOf(res), page, name);
    res.status(204).end();
  });

  return router;
}

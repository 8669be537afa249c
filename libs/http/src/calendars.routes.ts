/** `/api/calendars`: a tenant's business calendars (admins keep them; everyone may read them). */

import { Router } from 'express';
import type { AppServices } from '@wf/runtime';
import { actorOf } from './auth';
import { bodyOrEmpty } from './json-body';
import { calendarName, historyQuery } from './schemas';
import { parseInput } from './validation';

export function calendarsRouter(calendars: AppServices['calendars']): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const out = await calendars.put(actorOf(res), bodyOrEmpty(req.body));
    res.status(out.created ? 201 : 200).location(`${req.baseUrl}/${out.calendar.name}`).json({ ...out.calendar, recountedDeadlines: out.recounted });
  });

  router.put('/:name', async (req, res) => {
    const name = parseInput(calendarName, req.params.name, 'name');
    const out = await calendars.put(actorOf(res), bodyOrEmpty(req.body), name);
    res.status(out.created ? 201 : 200).json({ ...out.calendar, recountedDeadlines: out.recounted });
  });

  router.get('/', async (req, res) => {
    parseInput(historyQuery, req.query, 'query');
    res.json(await calendars.list(actorOf(res)));
  });

  router.get('/:name', async (req, res) => {
    res.json(await calendars.get(actorOf(res), parseInput(calendarName, req.params.name, 'name')));
  });

  return router;
}

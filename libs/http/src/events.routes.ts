/** `/api/events`: start every active workflow of the caller's tenant that listens for the event. */

import { Router } from 'express';
import type { AppServices } from '@wf/runtime';
import { actorOf } from './auth';
import { bodyOrEmpty } from './json-body';
import { eventBody, startInstanceHeaders } from './schemas';
import { checkInput, invalidInput } from './validation';

export function eventsRouter(events: AppServices['events']): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    const body = checkInput(eventBody, bodyOrEmpty(req.body), 'body');
    const headers = checkInput(startInstanceHeaders, { 'Idempotency-Key': req.get('idempotency-key') }, 'headers');
    if (!body.success || !headers.success) {
      throw invalidInput([...(body.success ? [] : body.problems), ...(headers.success ? [] : headers.problems)]);
    }
    const key = headers.data['Idempotency-Key'];
    const result = await events.publish(actorOf(res), { ...body.data, ...(key === undefined ? {} : { idempotencyKey: key }) });
    res.status(202).json(result);
  });
  return router;
}

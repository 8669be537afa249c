/** `/api/instances`: start, list, read, history, comments, cancel (admin or starter), retry (admin). */

import { Router } from 'express';
import type { AppServices } from '@wf/runtime';
import { actorOf } from './auth';
import { bodyOrEmpty } from './json-body';
import { cancelBody, commentBody, historyQuery, instanceListQuery, startInstanceBody, startInstanceHeaders } from './schemas';
import { checkInput, invalidInput, parseId, parseInput } from './validation';

export function instancesRouter(instances: AppServices['instances'], messages: AppServices['messages']): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const actor = actorOf(res);
    const body = checkInput(startInstanceBody, bodyOrEmpty(req.body), 'body');
    const headers = checkInput(startInstanceHeaders, { 'Idempotency-Key': req.get('idempotency-key') }, 'headers');
    if (!body.success || !headers.success) {
      throw invalidInput([...(body.success ? [] : body.problems), ...(headers.success ? [] : headers.problems)]);
    }
    const idempotencyKey = headers.data['Idempotency-Key'];
    const { instance, created } = await instances.start(actor, {
      ...body.data,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });
    // A replayed Idempotency-Key answers the original instance with 200 and starts nothing.
    res.status(created ? 201 : 200).location(`${req.baseUrl}/${instance.id}`).json(instance);
  });

  router.get('/', async (req, res) => {
    const { limit, cursor, ...filter } = parseInput(instanceListQuery, req.query, 'query');
    res.json(await instances.list(actorOf(res), filter, { limit, cursor }));
  });

  router.get('/:id', async (req, res) => {
    res.json(await instances.get(actorOf(res), parseId(req.params.id)));
  });

  router.get('/:id/history', async (req, res) => {
    const id = parseId(req.params.id);
    parseInput(historyQuery, req.query, 'query');
    res.json(await instances.history(actorOf(res), id));
  });

  router.get('/:id/history/verify', async (req, res) => {
    res.json(await instances.verifyHistory(actorOf(res), parseId(req.params.id)));
  });

  router.get('/:id/comments', async (req, res) => {
    const id = parseId(req.params.id);
    parseInput(historyQuery, req.query, 'query');
    res.json(await instances.comments(actorOf(res), id));
  });

  router.post('/:id/comments', async (req, res) => {
    const id = parseId(req.params.id);
    const body = parseInput(commentBody, bodyOrEmpty(req.body), 'body');
    res.status(201).json(await instances.comment(actorOf(res), id, body));
  });

  router.post('/:id/executions/:executionId/callback/rotate', async (req, res) => {
    const id = parseId(req.params.id);
    const executionId = parseId(req.params.executionId, 'executionId');
    res.json(await messages.rotateCallback(actorOf(res), id, executionId));
  });

  router.post('/:id/cancel', async (req, res) => {
    const id = parseId(req.params.id);
    const { reason } = parseInput(cancelBody, bodyOrEmpty(req.body), 'body');
    res.json(await instances.cancel(actorOf(res), id, reason));
  });

  router.post('/:id/retry', async (req, res) => {
    res.json(await instances.retry(actorOf(res), parseId(req.params.id)));
  });

  return router;
}

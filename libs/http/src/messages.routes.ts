/**
 * `/api/messages`: a message for the receive nodes of the caller's tenant. `/api/callbacks/:token`
 * (served without a bearer token: the token in the path is the credential) resumes the one waiting
 * execution it was made for.
 */

import { Router } from 'express';
import type { AppServices } from '@wf/runtime';
import { actorOf } from './auth';
import { bodyOrEmpty } from './json-body';
import { callbackBody, messageBody } from './schemas';
import { parseInput } from './validation';

export function messagesRouter(messages: AppServices['messages']): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    const { timeToLive, ...body } = parseInput(messageBody, bodyOrEmpty(req.body), 'body');
    res.json(await messages.send(actorOf(res), { ...body, ...(timeToLive !== undefined ? { timeToLiveMs: timeToLive } : {}) }));
  });
  return router;
}

export function callbacksRouter(messages: AppServices['messages']): Router {
  const router = Router();
  router.post('/api/callbacks/:token', async (req, res) => {
    const data = parseInput(callbackBody, bodyOrEmpty(req.body), 'body');
    res.status(202).json(await messages.callback(String(req.params.token), data));
  });
  return router;
}

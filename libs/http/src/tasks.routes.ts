/**
 * `/api/tasks`: the caller's queue and the four task actions. An action checks, in the
 * contract's order, the id (400), then the task (404, 403, 409: `tasks.check`), and only then
 * reports a body that is wrong (400).
 */

import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import type { Actor } from '@wf/engine';
import type { AppServices } from '@wf/runtime';
import { actorOf } from './auth';
import { bodyOrEmpty } from './json-body';
import { completeBody, decisionBody, delegateBody, taskListQuery } from './schemas';
import { checkInput, invalidInput, parseId, parseInput } from './validation';

type TasksService = AppServices['tasks'];
type TaskAction = Parameters<TasksService['check']>[2];

export function tasksRouter(tasks: TasksService): Router {
  const router = Router();

  router.get('/mine', async (req, res) => {
    const { limit, cursor, ...filter } = parseInput(taskListQuery, req.query, 'query');
    res.json(await tasks.mine(actorOf(res), filter, { limit, cursor }));
  });

  const act = <S extends z.ZodType>(
    action: TaskAction,
    schema: S,
    run: (actor: Actor, taskId: string, body: z.output<S>) => Promise<unknown>,
  ): RequestHandler => {
    return async (req, res) => {
      const actor = actorOf(res);
      const taskId = parseId(req.params.taskId, 'taskId');
      const body = checkInput(schema, bodyOrEmpty(req.body), 'body');
      if (!body.success) {
        await tasks.check(actor, taskId, action);
        throw invalidInput(body.problems);
      }
      res.json(await run(actor, taskId, body.data));
    };
  };

  router.post('/:taskId/approve', act('approve', decisionBody, (a, id, body) => tasks.approve(a, id, body)));
  router.post('/:taskId/reject', act('reject', decisionBody, (a, id, body) => tasks.reject(a, id, body)));
  router.post('/:taskId/delegate', act('delegate', delegateBody, (a, id, body) => tasks.delegate(a, id, body)));
  router.post('/:taskId/complete', act('complete', completeBody, (a, id, body) => tasks.complete(a, id, body)));

  return router;
}

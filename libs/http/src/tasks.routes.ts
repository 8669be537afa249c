/**
 * `/api/tasks`: the caller's queue, the operator view, one task, and every action on a task. An
 * action checks, in the contract's order, the id (400), then the task (404, 403, 409:
 * `tasks.check`), and only then reports a body that is wrong (400).
 */

import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import type { Actor } from '@wf/engine';
import type { AppServices, Logger } from '@wf/runtime';
import { logOf } from './request-context';
import { actorOf } from './auth';
import { toHttpFailure } from './error-handler';
import { bodyOrEmpty } from './json-body';
import {
  bulkTaskBody,
  completeBody,
  deadlineBody,
  decisionBody,
  delegateBody,
  handOverBody,
  openTaskListQuery,
  reassignBody,
  returnBody,
  taskListQuery,
} from './schemas';
import { checkInput, invalidInput, parseId, parseInput } from './validation';

type TasksService = AppServices['tasks'];
type TaskAction = Parameters<TasksService['check']>[2];

export function tasksRouter(tasks: TasksService, logger: Logger): Router {
  const router = Router();

  router.get('/mine', async (req, res) => {
    const { limit, cursor, ...filter } = parseInput(taskListQuery, req.query, 'query');
    res.json(await tasks.mine(actorOf(res), filter, { limit, cursor }));
  });

  router.get('/', async (req, res) => {
    const { limit, cursor, ...filter } = parseInput(openTaskListQuery, req.query, 'query');
    res.json(await tasks.open(actorOf(res), filter, { limit, cursor }));
  });

  // each task on its own: the answer is 200 with one outcome per task, as acting on it alone would answer
  router.post('/bulk', async (req, res) => {
    const body = parseInput(bulkTaskBody, bodyOrEmpty(req.body), 'body');
    const { results } = await tasks.bulk(actorOf(res), body);
    const items = results.map((r) => {
      if (r.ok) return { taskId: r.taskId, status: 200, ok: true, result: r.result };
      const failure = toHttpFailure(r.error);
      // as the error handler does for an answer of its own: every 500 is logged with its stack
      if (failure.status >= 500) logOf(res, logger).error({ err: r.error, taskId: r.taskId }, 'bulk task action failed');
      return { taskId: r.taskId, status: failure.status, ok: false, error: { code: failure.code, message: failure.message, details: failure.details ?? null } };
    });
    const succeeded = items.filter((i) => i.ok).length;
    res.json({ action: body.action, succeeded, failed: items.length - succeeded, results: items });
  });

  router.get('/:taskId', async (req, res) => {
    res.json(await tasks.get(actorOf(res), parseId(req.params.taskId, 'taskId')));
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
  router.post('/:taskId/return', act('return', returnBody, (a, id, body) => tasks.return(a, id, body)));
  router.post('/:taskId/claim', act('claim', handOverBody, (a, id, body) => tasks.claim(a, id, body)));
  router.post('/:taskId/release', act('release', handOverBody, (a, id, body) => tasks.release(a, id, body)));
  router.post('/:taskId/reassign', act('reassign', reassignBody, (a, id, body) => tasks.reassign(a, id, body)));

  router.post('/:taskId/deadline', async (req, res) => {
    const taskId = parseId(req.params.taskId, 'taskId');
    const body = parseInput(deadlineBody, bodyOrEmpty(req.body), 'body');
    res.json(await tasks.moveDeadline(actorOf(res), taskId, body));
  });

  return router;
}

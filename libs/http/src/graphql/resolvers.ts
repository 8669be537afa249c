/**
 * Resolvers: each calls the application service its REST route calls, after the REST route's own
 * checks in the REST route's order (ids, then 404/403/409 of the task, then the body), so no rule
 * has a second implementation here. Lists return the service's page; the nodes, history, comments
 * and instance of listed objects come through the request's DataLoaders. A bulk's refused tasks
 * carry the status and code REST gives them (`toHttpFailure`), as data: the others went through.
 * A callback URL has no GraphQL twin: it is served without a bearer token, and GraphQL needs one.
 */

import type { z } from 'zod';
import { UnavailableError } from '@wf/engine';
import type { AppServices, BulkTaskOutcome, DefinitionDto, InstanceDetailDto, InstanceDto, TaskDecisionDto, TaskDetailDto, TaskDto } from '@wf/runtime';
import { toHttpFailure } from '../error-handler';
import {
  bulkTaskBody,
  calendarName,
  cancelBody,
  commentBody,
  completeBody,
  deadlineBody,
  decisionBody,
  definitionListQuery,
  delegateBody,
  deputyBody,
  eventBody,
  handOverBody,
  instanceListQuery,
  messageBody,
  openTaskListQuery,
  reassignBody,
  returnBody,
  startInstanceBody,
  startInstanceHeaders,
  taskListQuery,
} from '../schemas';
import { parseId, parseInput, type FieldProblem } from '../validation';
import type { GraphqlContext } from './graphql-context';
import { argumentsError, bodyArgs, listArgs, withoutNulls } from './graphql-inputs';
import { scalarResolvers } from './scalars';
import type { TaskQueueChange } from './task-queue-feed';

type Args = Readonly<Record<string, unknown>>;
type TaskAction = Parameters<AppServices['tasks']['check']>[2];

const idArg = (args: Args, name: string) => parseId(args[name], name);

/** The idempotency key as REST's header schema checks it, its problems named after the argument. */
function idempotencyKey(args: Args) {
  const checked = bodyArgs(startInstanceHeaders, { 'Idempotency-Key': args['idempotencyKey'] }, '');
  if (checked.success) return checked;
  return { success: false as const, problems: checked.problems.map((p): FieldProblem => ({ ...p, path: p.path.replace('Idempotency-Key', 'idempotencyKey') })) };
}

/** A definition input as a REST body: the fields GraphQL was given, nested typed objects included. */
function definitionBody(input: Args): Record<string, unknown> {
  const list = (v: unknown) => (Array.isArray(v) ? v.map((item) => withoutNulls(item as Args)) : v);
  const body = withoutNulls(input);
  for (const key of ['nodes', 'routes', 'triggers']) if (key in body) body[key] = list(body[key]);
  return body;
}

/** A calendar input as a REST body: the fields GraphQL was given, at every level (the engine checks it whole). */
function calendarBody(input: Args): Record<string, unknown> {
  const body = withoutNulls(input);
  if (body['workingHours'] !== undefined) {
    const week = withoutNulls(body['workingHours'] as Args);
    for (const [day, intervals] of Object.entries(week)) week[day] = (intervals as Args[]).map((i) => withoutNulls(i));
    body['workingHours'] = week;
  }
  if (body['holidays'] !== undefined) body['holidays'] = withoutNulls(body['holidays'] as Args);
  return body;
}

/** A task action in REST's order: the id (400), the task (404, 403, 409), then the arguments (400). */
async function taskAction<S extends z.ZodType, T>(ctx: GraphqlContext, args: Args, action: TaskAction, fields: Args, schema: S, run: (taskId: string, body: z.output<S>) => Promise<T>): Promise<T> {
  const taskId = idArg(args, 'taskId');
  const body = bodyArgs(schema, fields, '');
  if (!body.success) {
    await ctx.services.tasks.check(ctx.actor, taskId, action);
    throw argumentsError(body);
  }
  return run(taskId, body.data);
}

const decision = (d: TaskDecisionDto) => ({ ...d, id: d.taskId, decision: d.decision ?? null, vote: d.vote ?? null });
const taskOut = (t: TaskDto) => ({ ...t, id: t.taskId });
const taskPage = (page: { items: TaskDto[]; nextCursor: string | null }) => ({ items: page.items.map(taskOut), nextCursor: page.nextCursor });

/** A bulk outcome as REST answers it: the status and error code acting on the task alone would have had. */
function bulkOutcome(r: BulkTaskOutcome) {
  if (r.ok) {
    const result = r.result;
    return 'status' in result
      ? { taskId: r.taskId, status: 200, ok: true, decision: decision(result), task: null, error: null }
      : { taskId: r.taskId, status: 200, ok: true, decision: null, task: taskOut(result), error: null };
  }
  const failure = toHttpFailure(r.error);
  return { taskId: r.taskId, status: failure.status, ok: false, decision: null, task: null, error: { code: failure.code, message: failure.message, details: failure.details ?? null } };
}

export const resolvers = {
  ...scalarResolvers,

  Query: {
    workflowDefinitions: async (_: unknown, args: Args, ctx: GraphqlContext): Promise<DefinitionDto[]> => {
      const { limit, cursor, ...filter } = listArgs(definitionListQuery, args);
      return (await ctx.services.definitions.list(ctx.actor, filter, { limit, cursor })).items;
    },
    workflowDefinitionsPage: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const { limit, cursor, ...filter } = listArgs(definitionListQuery, args);
      return ctx.services.definitions.list(ctx.actor, filter, { limit, cursor });
    },
    workflowDefinition: (_: unknown, args: Args, ctx: GraphqlContext) => ctx.services.definitions.get(ctx.actor, idArg(args, 'id')),

    workflowInstances: async (_: unknown, args: Args, ctx: GraphqlContext): Promise<InstanceDto[]> => {
      const { limit, cursor, ...filter } = listArgs(instanceListQuery, args);
      return (await ctx.services.instances.list(ctx.actor, filter, { limit, cursor })).items;
    },
    workflowInstancesPage: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const { limit, cursor, ...filter } = listArgs(instanceListQuery, args);
      return ctx.services.instances.list(ctx.actor, filter, { limit, cursor });
    },
    workflowInstance: (_: unknown, args: Args, ctx: GraphqlContext) => ctx.services.instances.get(ctx.actor, idArg(args, 'id')),
    verifyWorkflowHistory: (_: unknown, args: Args, ctx: GraphqlContext) => ctx.services.instances.verifyHistory(ctx.actor, idArg(args, 'instanceId')),

    myPendingTasks: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const { limit, cursor, ...filter } = listArgs(taskListQuery, args);
      return (await ctx.services.tasks.mine(ctx.actor, filter, { limit, cursor })).items.map(taskOut);
    },
    myPendingTasksPage: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const { limit, cursor, ...filter } = listArgs(taskListQuery, args);
      return taskPage(await ctx.services.tasks.mine(ctx.actor, filter, { limit, cursor }));
    },

    task: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const t = await ctx.services.tasks.get(ctx.actor, idArg(args, 'id'));
      return { ...t, id: t.taskId };
    },
    openTasks: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const { limit, cursor, ...filter } = listArgs(openTaskListQuery, args);
      return (await ctx.services.tasks.open(ctx.actor, filter, { limit, cursor })).items.map(taskOut);
    },
    openTasksPage: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const { limit, cursor, ...filter } = listArgs(openTaskListQuery, args);
      return taskPage(await ctx.services.tasks.open(ctx.actor, filter, { limit, cursor }));
    },

    myDeputies: async (_: unknown, _args: Args, ctx: GraphqlContext) => (await ctx.services.deputies.list(ctx.actor)).items,

    workflowAnalytics: async (_: unknown, _args: Args, ctx: GraphqlContext) => (await ctx.services.analytics.workflows(ctx.actor)).items,

    calendars: async (_: unknown, _args: Args, ctx: GraphqlContext) => (await ctx.services.calendars.list(ctx.actor)).items,
    calendar: (_: unknown, args: Args, ctx: GraphqlContext) => ctx.services.calendars.get(ctx.actor, parseInput(calendarName, args['name'], 'name')),
  },

  Mutation: {
    createWorkflowDefinition: (_: unknown, args: { input: Args }, ctx: GraphqlContext) => ctx.services.definitions.create(ctx.actor, definitionBody(args.input)),
    activateWorkflowDefinition: (_: unknown, args: Args, ctx: GraphqlContext) => ctx.services.definitions.setActive(ctx.actor, idArg(args, 'id'), true),
    deactivateWorkflowDefinition: (_: unknown, args: Args, ctx: GraphqlContext) => ctx.services.definitions.setActive(ctx.actor, idArg(args, 'id'), false),

    startWorkflow: async (_: unknown, args: { input: Args } & Args, ctx: GraphqlContext) => {
      const body = bodyArgs(startInstanceBody, args.input, 'input');
      const key = idempotencyKey(args);
      if (!body.success || !key.success) throw argumentsError(body, key);
      const idempotency = key.data['Idempotency-Key'];
      const { instance } = await ctx.services.instances.start(ctx.actor, { ...body.data, ...(idempotency === undefined ? {} : { idempotencyKey: idempotency }) });
      return instance;
    },
    cancelWorkflowInstance: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const id = idArg(args, 'id');
      const body = bodyArgs(cancelBody, { reason: args['reason'] }, '');
      if (!body.success) throw argumentsError(body);
      return ctx.services.instances.cancel(ctx.actor, id, body.data.reason);
    },
    retryWorkflowInstance: (_: unknown, args: Args, ctx: GraphqlContext) => ctx.services.instances.retry(ctx.actor, idArg(args, 'id')),

    approveTask: async (_: unknown, args: Args, ctx: GraphqlContext) =>
      decision(await taskAction(ctx, args, 'approve', { comments: args['comments'] }, decisionBody, (id, body) => ctx.services.tasks.approve(ctx.actor, id, body))),
    rejectTask: async (_: unknown, args: Args, ctx: GraphqlContext) =>
      decision(await taskAction(ctx, args, 'reject', { comments: args['comments'] }, decisionBody, (id, body) => ctx.services.tasks.reject(ctx.actor, id, body))),
    delegateTask: async (_: unknown, args: Args, ctx: GraphqlContext) =>
      taskOut(
        await taskAction(ctx, args, 'delegate', { toUserId: args['toUserId'], comments: args['comments'] }, delegateBody, (id, body) => ctx.services.tasks.delegate(ctx.actor, id, body)),
      ),
    completeTask: async (_: unknown, args: Args, ctx: GraphqlContext) =>
      decision(await taskAction(ctx, args, 'complete', { data: args['data'] }, completeBody, (id, body) => ctx.services.tasks.complete(ctx.actor, id, body))),
    returnTask: async (_: unknown, args: Args, ctx: GraphqlContext) =>
      decision(await taskAction(ctx, args, 'return', { comments: args['comments'] }, returnBody, (id, body) => ctx.services.tasks.return(ctx.actor, id, body))),
    claimTask: async (_: unknown, args: Args, ctx: GraphqlContext) =>
      taskOut(await taskAction(ctx, args, 'claim', { comments: args['comments'] }, handOverBody, (id, body) => ctx.services.tasks.claim(ctx.actor, id, body))),
    releaseTask: async (_: unknown, args: Args, ctx: GraphqlContext) =>
      taskOut(await taskAction(ctx, args, 'release', { comments: args['comments'] }, handOverBody, (id, body) => ctx.services.tasks.release(ctx.actor, id, body))),
    reassignTask: async (_: unknown, args: Args, ctx: GraphqlContext) =>
      taskOut(
        await taskAction(ctx, args, 'reassign', { toUserId: args['toUserId'], toRole: args['toRole'], comments: args['comments'] }, reassignBody, (id, body) =>
          ctx.services.tasks.reassign(ctx.actor, id, body),
        ),
      ),
    // as REST's POST /api/tasks/bulk: the body is checked as a whole, then each task on its own
    bulkDecideTasks: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const body = bodyArgs(bulkTaskBody, { action: args['action'], taskIds: args['taskIds'], comments: args['comments'] }, '');
      if (!body.success) throw argumentsError(body);
      const results = (await ctx.services.tasks.bulk(ctx.actor, body.data)).results.map(bulkOutcome);
      const succeeded = results.filter((r) => r.ok).length;
      return { action: body.data.action, succeeded, failed: results.length - succeeded, results };
    },

    commentOnInstance: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const id = idArg(args, 'instanceId');
      const body = bodyArgs(commentBody, { text: args['text'] }, '');
      if (!body.success) throw argumentsError(body);
      return ctx.services.instances.comment(ctx.actor, id, body.data);
    },

    declareDeputy: async (_: unknown, args: { input: Args }, ctx: GraphqlContext) => {
      const body = bodyArgs(deputyBody, args.input, 'input');
      if (!body.success) throw argumentsError(body);
      return ctx.services.deputies.declare(ctx.actor, body.data);
    },
    removeDeputy: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      await ctx.services.deputies.remove(ctx.actor, idArg(args, 'id'));
      return true;
    },

    publishEvent: async (_: unknown, args: { input: Args } & Args, ctx: GraphqlContext) => {
      const body = bodyArgs(eventBody, args.input, 'input');
      const key = idempotencyKey(args);
      if (!body.success || !key.success) throw argumentsError(body, key);
      const idempotency = key.data['Idempotency-Key'];
      return ctx.services.events.publish(ctx.actor, { ...body.data, ...(idempotency === undefined ? {} : { idempotencyKey: idempotency }) });
    },

    sendMessage: async (_: unknown, args: { input: Args }, ctx: GraphqlContext) => {
      const body = bodyArgs(messageBody, args.input, 'input');
      if (!body.success) throw argumentsError(body);
      const { timeToLive, ...message } = body.data;
      return ctx.services.messages.send(ctx.actor, { ...message, ...(timeToLive !== undefined ? { timeToLiveMs: timeToLive } : {}) });
    },
    rotateCallback: (_: unknown, args: Args, ctx: GraphqlContext) => {
      const instanceId = idArg(args, 'instanceId');
      return ctx.services.messages.rotateCallback(ctx.actor, instanceId, idArg(args, 'executionId'));
    },
    putCalendar: async (_: unknown, args: { input: Args }, ctx: GraphqlContext) => {
      const { calendar, created, recounted } = await ctx.services.calendars.put(ctx.actor, calendarBody(args.input));
      return { ...calendar, created, recountedDeadlines: recounted };
    },
    // as REST's POST /api/tasks/:taskId/deadline: the id, then the arguments, then the task
    moveTaskDeadline: async (_: unknown, args: Args, ctx: GraphqlContext) => {
      const taskId = idArg(args, 'taskId');
      const body = bodyArgs(deadlineBody, { slaDeadline: args['slaDeadline'], reason: args['reason'] }, '');
      if (!body.success) throw argumentsError(body);
      const t = await ctx.services.tasks.moveDeadline(ctx.actor, taskId, body.data);
      return { ...t, id: t.taskId };
    },
  },

  Subscription: {
    taskQueueChanged: {
      subscribe: (_: unknown, _args: Args, ctx: GraphqlContext) => {
        if (!ctx.feed) throw new UnavailableError('SUBSCRIPTIONS_UNAVAILABLE', 'This server does not serve subscriptions');
        return ctx.feed.subscribe(ctx.actor);
      },
      resolve: (change: TaskQueueChange) => ({ ...change, task: change.task ? taskOut(change.task) : null }),
    },
  },

  WorkflowInstance: {
    // an instance read on its own comes with its executions; a listed one gets them batched
    nodes: (parent: InstanceDto | InstanceDetailDto, _args: Args, ctx: GraphqlContext) => ('nodes' in parent ? parent.nodes : ctx.loaders.executions.load(parent.id)),
    history: (parent: InstanceDto, _args: Args, ctx: GraphqlContext) => ctx.loaders.histories.load(parent.id),
    comments: (parent: InstanceDto, _args: Args, ctx: GraphqlContext) => ctx.loaders.comments.load(parent.id),
  },

  Task: {
    instance: (parent: TaskDto, _args: Args, ctx: GraphqlContext) => ctx.loaders.instances.load(parent.instanceId),
  },

  TaskDetail: {
    instance: (parent: TaskDetailDto, _args: Args, ctx: GraphqlContext) => ctx.loaders.instances.load(parent.instanceId),
  },
};

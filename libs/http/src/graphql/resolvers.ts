/**
 * Resolvers: each calls the application service its REST route calls, after the REST route's own
 * checks in the REST route's order (ids, then 404/403/409 of the task, then the body), so no rule
 * has a second implementation here. Lists return the service's page; the nodes, history and
 * instance of listed objects come through the request's DataLoaders.
 */

import type { z } from 'zod';
import { UnavailableError } from '@wf/engine';
import type { AppServices, DefinitionDto, InstanceDetailDto, InstanceDto, TaskDecisionDto, TaskDto } from '@wf/runtime';
import {
  cancelBody,
  completeBody,
  decisionBody,
  definitionListQuery,
  delegateBody,
  eventBody,
  instanceListQuery,
  startInstanceBody,
  startInstanceHeaders,
  taskListQuery,
} from '../schemas';
import { parseId, type FieldProblem } from '../validation';
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

const decision = (d: TaskDecisionDto) => ({ ...d, id: d.taskId, decision: d.decision ?? null });
const taskOut = (t: TaskDto) => ({ ...t, id: t.taskId });

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
      const page = await ctx.services.tasks.mine(ctx.actor, filter, { limit, cursor });
      return { items: page.items.map(taskOut), nextCursor: page.nextCursor };
    },

    workflowAnalytics: async (_: unknown, _args: Args, ctx: GraphqlContext) => (await ctx.services.analytics.workflows(ctx.actor)).items,
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

    publishEvent: async (_: unknown, args: { input: Args } & Args, ctx: GraphqlContext) => {
      const body = bodyArgs(eventBody, args.input, 'input');
      const key = idempotencyKey(args);
      if (!body.success || !key.success) throw argumentsError(body, key);
      const idempotency = key.data['Idempotency-Key'];
      return ctx.services.events.publish(ctx.actor, { ...body.data, ...(idempotency === undefined ? {} : { idempotencyKey: idempotency }) });
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
  },

  Task: {
    instance: (parent: TaskDto, _args: Args, ctx: GraphqlContext) => ctx.loaders.instances.load(parent.instanceId),
  },
};

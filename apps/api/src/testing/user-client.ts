/**
 * One user's view of the engine in an integration test: `h.as('mo', ['manager'])`. Each call is a
 * real request through the app (supertest, the user's token). The typed calls (`define`, `start`,
 * `approve`, …) fail the test, naming the answer, unless it is the success the API documents;
 * `get` and `post` give the raw answer for tests of the other statuses.
 *
 * Waiting is on a condition with a deadline (`finished`, `taskFor`, `until`), never for a fixed
 * time.
 */

import request, { type Response, type Test } from 'supertest';
import type { Express } from 'express';
import type { JsonObject } from '@wf/engine';
import type { HistoryItemDto, InstanceDetailDto, NodeExecutionDto, TaskDecisionDto, TaskDetailDto, TaskDto } from '@wf/runtime';
import { eventually } from '@wf/testkit';

/** A failed execution's error, as the API sends it. */
interface ExecutionError {
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

type NodeExecutionView = Omit<NodeExecutionDto, 'error'> & { readonly error: ExecutionError | null };
export type InstanceView = Omit<InstanceDetailDto, 'nodes'> & { readonly nodes: NodeExecutionView[] };
export type HistoryItemView = Omit<HistoryItemDto, 'details'> & { readonly details: Record<string, unknown> };

/** What `start` sends besides the definition and the context. */
export interface StartFields {
  readonly contextEntityType?: string;
  readonly contextEntityId?: string;
  readonly idempotencyKey?: string;
}

/** How long `finished` and `until` wait for an instance, by default. */
const INSTANCE_WAIT_MS = 15_000;
/** How long `taskFor` waits for a task to reach the queue, by default. */
const TASK_WAIT_MS = 10_000;

export class UserClient {
  constructor(
    private readonly app: Express,
    /** the user id in the token */
    readonly user: string,
    /** the bearer token, for requests of your own */
    readonly token: string,
  ) {}

  /** `GET path` as this user; the raw answer. */
  get(path: string, query: Record<string, string | number | boolean> = {}): Test {
    return request(this.app).get(path).query(query).set('Authorization', `Bearer ${this.token}`);
  }

  /** `POST path` as this user; the raw answer. */
  post(path: string, body?: object, headers: Record<string, string> = {}): Test {
    const req = request(this.app).post(path).set('Authorization', `Bearer ${this.token}`).set(headers);
    return body === undefined ? req : req.send(body);
  }

  /** Save a definition (201); its id. */
  async define(definition: object): Promise<string> {
    return (await this.expect<{ id: string }>(201, this.post('/api/definitions', definition), 'POST /api/definitions')).id;
  }

  /** Start an instance of a definition (201); its id. */
  async start(definitionId: string, contextData: JsonObject = {}, fields: StartFields = {}): Promise<string> {
    const { idempotencyKey, ...rest } = fields;
    const headers: Record<string, string> = idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey };
    const body = { workflowDefinitionId: definitionId, contextData, ...rest };
    return (await this.expect<{ id: string }>(201, this.post('/api/instances', body, headers), 'POST /api/instances')).id;
  }

  /** The instance with its node executions (200). */
  async instance(instanceId: string): Promise<InstanceView> {
    return this.expect<InstanceView>(200, this.get(`/api/instances/${instanceId}`), `GET /api/instances/${instanceId}`);
  }

  /** The instance once `done` holds for it, polling the API until `timeoutMs`. */
  until(instanceId: string, done: (instance: InstanceView) => boolean, what: string, timeoutMs = INSTANCE_WAIT_MS): Promise<InstanceView> {
    return eventually(async () => {
      const instance = await this.instance(instanceId);
      return done(instance) ? instance : undefined;
    }, timeoutMs, `${what} (instance ${instanceId})`);
  }

  /** The instance once it has left `running`: completed, rejected, failed or cancelled. */
  finished(instanceId: string, timeoutMs = INSTANCE_WAIT_MS): Promise<InstanceView> {
    return this.until(instanceId, (i) => i.status !== 'running', 'the instance to finish', timeoutMs);
  }

  /** The audit trail, oldest first (200). */
  async history(instanceId: string): Promise<HistoryItemView[]> {
    const path = `/api/instances/${instanceId}/history`;
    return (await this.expect<{ items: HistoryItemView[] }>(200, this.get(path), `GET ${path}`)).items;
  }

  /** The audit trail's event types, oldest first. */
  async events(instanceId: string): Promise<string[]> {
    return (await this.history(instanceId)).map((e) => e.eventType);
  }

  /** This user's task queue, first page of up to 500 (200). */
  async tasks(query: Record<string, string | number> = {}): Promise<TaskDto[]> {
    return (await this.expect<{ items: TaskDto[] }>(200, this.get('/api/tasks/mine', { limit: 500, ...query }), 'GET /api/tasks/mine')).items;
  }

  /**
   * The id of a waiting task of `instanceId` in this user's queue (the one at `nodeId` when
   * given), once it is there.
   */
  taskFor(instanceId: string, nodeId?: string, timeoutMs = TASK_WAIT_MS): Promise<string> {
    return eventually(async () => {
      const mine = (await this.tasks()).filter((t) => t.instanceId === instanceId);
      if (nodeId === undefined || mine.length === 0) return mine[0]?.taskId;
      const atNode = new Set((await this.instance(instanceId)).nodes.filter((n) => n.nodeId === nodeId).map((n) => n.id));
      return mine.find((t) => atNode.has(t.taskId))?.taskId;
    }, timeoutMs, `a task ${nodeId ? `at ${nodeId} ` : ''}of instance ${instanceId} in the queue of ${this.user}`);
  }

  /** Approve a waiting approval (200). */
  approve(taskId: string, comments?: string): Promise<TaskDecisionDto> {
    return this.decide(taskId, 'approve', comments === undefined ? {} : { comments });
  }

  /** Reject a waiting approval (200). */
  reject(taskId: string, comments?: string): Promise<TaskDecisionDto> {
    return this.decide(taskId, 'reject', comments === undefined ? {} : { comments });
  }

  /** Complete a waiting user task with its form data (200). */
  complete(taskId: string, data: JsonObject): Promise<TaskDecisionDto> {
    return this.decide(taskId, 'complete', { data });
  }

  private async decide(taskId: string, action: 'approve' | 'reject' | 'complete', body: object): Promise<TaskDecisionDto> {
    const path = `/api/tasks/${taskId}/${action}`;
    return this.expect<TaskDecisionDto>(200, this.post(path, body), `POST ${path}`);
  }

  /** Any action on a task (`return`, `claim`, `release`, `reassign`, …), expecting 200; its answer. */
  act<T = unknown>(taskId: string, action: string, body: object = {}): Promise<T> {
    const path = `/api/tasks/${taskId}/${action}`;
    return this.expect<T>(200, this.post(path, body), `POST ${path}`);
  }

  /** One task as `GET /api/tasks/:id` shows it to this user (200). */
  task(taskId: string): Promise<TaskDetailDto> {
    return this.expect<TaskDetailDto>(200, this.get(`/api/tasks/${taskId}`), `GET /api/tasks/${taskId}`);
  }

  /** The body of an answer with `status`, else fail naming the answer. */
  private async expect<T>(status: number, req: Test, what: string): Promise<T> {
    const res: Response = await req;
    if (res.status !== status) {
      throw new Error(`${what} as ${this.user}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body).slice(0, 1000)}`);
    }
    return res.body as T;
  }
}

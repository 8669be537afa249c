/**
 * The bench's view of one running engine: its API client, the tokens of the bench tenant's
 * users (minted with the API's own `signToken`), and the workflow definitions the workloads use.
 */

import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { NODE_QUEUE, createPostgresQueueBackend } from '@wf/queue';
import { signToken } from '@wf/runtime';
import { serviceChainDefinition } from '@wf/runtime/testing';
import { JsonHttpClient } from '@wf/testkit';
import type { EngineCluster } from './engine-cluster';
import { sleep } from './stats';

/** Steps per W1 instance: start -> 5 set_context service tasks -> end. */
export const W1_STEPS = 5;
export const W1_NODE_IDS = Array.from({ length: W1_STEPS }, (_, i) => `step_${i + 1}`);

/** Roles the parked (W3) tasks are spread over. */
export const PARKED_ROLES = 100;

export interface BenchIdentity {
  readonly tenantId: string;
  readonly jwtSecret: string;
}

export function newIdentity(): BenchIdentity {
  return { tenantId: randomUUID(), jwtSecret: randomUUID() + randomUUID() };
}

export interface Tokens {
  readonly admin: string;
  readonly starter: string;
  /** W2: holds the first approval */
  readonly level1: string;
  /** W2: holds the second approval */
  readonly level2: string;
  /** W3: a user holding one of the parked roles (and assignee of some parked tasks) */
  readonly clerk: string;
}

function mintTokens(id: BenchIdentity): Tokens {
  const t = (userId: string, roles: string[]) => signToken(id.jwtSecret, { tenantId: id.tenantId, userId, roles, expiresInSeconds: 3600 });
  return {
    admin: t('bench-admin', ['admin']),
    starter: t('bench-starter', ['requester']),
    level1: t('bench-l1', ['bench_l1']),
    level2: t('bench-l2', ['bench_l2']),
    clerk: t('parked_user_7', ['parked_role_7']),
  };
}

/** approve (level 1) -> approve (level 2) -> end, escalation on as in a real approval chain */
function approvalChainDefinition(name: string) {
  return {
    name,
    nodes: [
      { id: 'approve_1', nodeType: 'approval', name: 'Level 1 approval', approverRole: 'bench_l1', slaHours: 24 },
      { id: 'approve_2', nodeType: 'approval', name: 'Level 2 approval', approverRole: 'bench_l2', slaHours: 24 },
    ],
    routes: [{ fromNodeId: 'approve_1', toNodeId: 'approve_2' }],
    slaHours: 72,
    escalationEnabled: true,
    escalationRole: 'bench_supervisor',
  };
}

/** one approval: what the W3 parked instances wait at */
function parkedApprovalDefinition(name: string) {
  return {
    name,
    nodes: [{ id: 'approve', nodeType: 'approval', name: 'Approve', approverRole: 'parked_role_0', slaHours: 48 }],
    routes: [],
    slaHours: 72,
    escalationEnabled: true,
    escalationRole: 'bench_supervisor',
  };
}

export interface Definitions {
  readonly w1: string;
  readonly w2: string;
  readonly parked: string;
}

export class BenchSession {
  readonly api: JsonHttpClient;
  readonly tokens: Tokens;

  constructor(
    readonly cluster: EngineCluster,
    readonly identity: BenchIdentity,
  ) {
    this.api = new JsonHttpClient(cluster.apiUrl);
    this.tokens = mintTokens(identity);
  }

  /** Create the definitions once per database (a second engine finds them by id). */
  async createDefinitions(): Promise<Definitions> {
    const create = async (body: object) => (await this.api.expect<{ id: string }>(201, 'POST', '/api/definitions', this.tokens.admin, body)).id;
    return {
      w1: await create(serviceChainDefinition('bench-w1', W1_STEPS)),
      w2: await create(approvalChainDefinition('bench-w2')),
      parked: await create(parkedApprovalDefinition('bench-parked')),
    };
  }

  /** POST /api/instances; the new instance id, or null on an error answer. */
  async start(definitionId: string, contextData: object): Promise<{ id: string | null; status: number; receivedAt: number }> {
    const res = await this.api.request<{ id?: string }>('POST', '/api/instances', this.tokens.starter, { workflowDefinitionId: definitionId, contextData });
    return { id: res.status === 201 && res.body.id ? res.body.id : null, status: res.status, receivedAt: res.receivedAt };
  }

  close(): void {
    this.api.close();
  }
}

/** Where the engine's node queue is: the bench's Redis under the run's prefix, or BullMQ's PostgreSQL backend in the bench database. */
export type NodeQueueTarget = { readonly kind: 'redis'; readonly redis: Redis; readonly prefix: string } | { readonly kind: 'postgres'; readonly url: string };

/** The node queue seen from the bench: its backlog and its registered workers, on either backend. */
export interface NodeQueueProbe {
  /** waiting (and prioritised) jobs */
  backlog(): Promise<number>;
  /** BullMQ workers registered on it */
  workers(): Promise<number>;
  close(): Promise<void>;
}

export function openNodeQueueProbe(target: NodeQueueTarget): NodeQueueProbe {
  if (target.kind === 'redis') {
    const { redis, prefix } = target;
    let connection: Redis | undefined;
    let queue: Queue | undefined;
    return {
      // two reads on the shared connection, no script
      backlog: () => nodeQueueBacklog(redis, prefix),
      workers: async () => {
        connection ??= redis.duplicate();
        queue ??= new Queue(NODE_QUEUE, { connection, prefix });
        return (await queue.getWorkers()).length;
      },
      close: async () => {
        await queue?.close();
        connection?.disconnect();
      },
    };
  }
  // one connection of the bench (application_name wf-bench-*), never counted as the engine's
  const backend = createPostgresQueueBackend({ url: target.url, poolSize: 1, applicationName: 'wf-bench-queue', onError: () => undefined });
  const queue = backend.queue<unknown>(NODE_QUEUE);
  queue.on('error', () => undefined);
  return {
    backlog: async () => {
      const c = await queue.getJobCounts('waiting', 'prioritized');
      return (c['waiting'] ?? 0) + (c['prioritized'] ?? 0);
    },
    // BullMQ names each worker's LISTEN connection (application_name) and lists them from pg_stat_activity
    workers: async () => (await queue.getWorkers()).length,
    close: async () => {
      await queue.close().catch(() => undefined);
      await backend.close();
    },
  };
}

/** Wait until `n` BullMQ workers listen on the engine's node queue. */
export async function waitForWorkers(target: NodeQueueTarget, n: number, timeoutMs = 60_000, cluster?: EngineCluster): Promise<void> {
  const probe = openNodeQueueProbe(target);
  try {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      cluster?.assertAlive();
      if ((await probe.workers()) >= n) return;
      await sleep(100);
    }
    throw new Error(`only some of ${n} workers registered on the ${NODE_QUEUE} queue (${target.kind === 'redis' ? `Redis, prefix ${target.prefix}` : 'PostgreSQL backend'}) within ${timeoutMs} ms`);
  } finally {
    await probe.close();
  }
}

/** Waiting jobs of the engine's node queue on Redis (its backlog). */
async function nodeQueueBacklog(redis: Redis, prefix: string): Promise<number> {
  const [wait, prioritized] = await Promise.all([redis.llen(`${prefix}:${NODE_QUEUE}:wait`), redis.zcard(`${prefix}:${NODE_QUEUE}:prioritized`)]);
  return wait + prioritized;
}

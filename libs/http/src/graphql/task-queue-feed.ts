/**
 * The live task queue behind the `taskQueueChanged` subscription. A trigger on
 * workflow_instance_nodes (migration 0007) runs `pg_notify('workflow_task_queue', …)` when a task
 * enters or leaves a queue; Postgres delivers it to every LISTENing session when, and only when,
 * the writing transaction commits, whichever process (API, worker, scheduler) wrote it.
 *
 * One dedicated connection per API process listens (a pooled client cannot stay in LISTEN), as the
 * runtime login: LISTEN needs no table rights. It connects when the first subscription starts.
 * Each notification carries only ids and routing; for each subscriber of the notification's
 * tenant that held the task before or may hold it now (by the routing), the task is read again
 * through the tasks' own visibility rule, as that subscriber, before an event says it is theirs.
 * A subscriber never hears of another tenant's tasks, nor of tasks that were never in its queue.
 *
 * Since migration 0009 a holder side also names a quorum task's candidate users (`c`: the voters
 * given by list or expression) and a vote notifies too, with the same holders before and after:
 * each candidate re-reads the task, so a voter hears it arrive, hears it leave once their own vote
 * is cast (a voter's queue no longer shows it), and the others hear it UPDATED.
 */

import { Client, type Notification } from 'pg';
import { UnavailableError, type Actor } from '@wf/engine';
import type { Logger, ReadBatchesService, TaskDto } from '@wf/runtime';

const CHANNEL = 'workflow_task_queue';
const CONNECT_TIMEOUT_MS = 5_000;
/** First wait before reconnecting a lost listening connection; doubled per failed attempt. */
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 30_000;
/** Notifications one subscriber may have waiting; beyond it they are dropped for one RESYNC. */
const MAX_PENDING = 10_000;
/** Tasks read again in one statement for one subscriber. */
const CHECK_BATCH = 500;
/** Tasks one subscriber was last told LEFT, remembered so that later news of them is not told again. */
const REMEMBERED_LEFT = 10_000;

type TaskQueueChangeKind = 'ENTERED' | 'LEFT' | 'UPDATED' | 'RESYNC';

export interface TaskQueueChange {
  readonly change: TaskQueueChangeKind;
  readonly taskId: string | null;
  readonly instanceId: string | null;
  readonly task: TaskDto | null;
}

/**
 * Who held a task, by the queue's rule: the user, else the role or the candidate users (a quorum's
 * voters by list), and the escalation role once escalated.
 */
interface Holders {
  readonly u: string | null;
  readonly r: string | null;
  readonly e: string | null;
  readonly c: readonly string[];
}

export interface Notice {
  readonly tenantId: string;
  readonly taskId: string;
  readonly instanceId: string;
  readonly before: Holders | null;
  readonly after: Holders | null;
  /** the routing did not fit the payload: anyone in the tenant may be concerned */
  readonly unrouted: boolean;
}

export interface TaskQueueFeedOptions {
  /** the runtime login's URL (config.runtimeUrl) */
  readonly url: string;
  readonly applicationName: string;
  readonly log: Logger;
  /** reads a task again as the subscriber: the tasks' own visibility rule */
  readonly batches: Pick<ReadBatchesService, 'queuedTasks'>;
}

export class TaskQueueFeed {
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly subscribers = new Set<Subscriber>();
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly opts: TaskQueueFeedOptions) {}

  /** How many subscriptions are open in this process. */
  get size(): number {
    return this.subscribers.size;
  }

  /**
   * A subscription for `actor`, once this process listens: what commits after this resolves is
   * heard. Throws 503 SUBSCRIPTIONS_UNAVAILABLE when Postgres cannot be reached.
   */
  async subscribe(actor: Actor): Promise<AsyncIterableIterator<TaskQueueChange>> {
    if (this.closed) throw new UnavailableError('SUBSCRIPTIONS_UNAVAILABLE', 'The server is shutting down');
    await this.listening();
    const subscriber = new Subscriber(actor, this.opts, () => this.subscribers.delete(subscriber));
    this.subscribers.add(subscriber);
    return subscriber.events;
  }

  /** End every subscription (their streams complete) and stop listening. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const s of [...this.subscribers]) s.end();
    const client = this.client;
    this.client = null;
    if (client) await this.drop(client);
  }

  private async listening(): Promise<void> {
    if (this.client && !this.connecting) return;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    await this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.opts.url, application_name: this.opts.applicationName, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    client.on('notification', (msg) => this.heard(msg));
    client.on('error', (err: Error) => this.lost(client, err));
    client.on('end', () => this.lost(client, undefined));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      await this.drop(client);
      this.opts.log.warn({ err: (err as Error).message }, 'task queue feed cannot listen');
      throw new UnavailableError('SUBSCRIPTIONS_UNAVAILABLE', 'Live task queue updates are unavailable: the database cannot be reached');
    }
    if (this.closed) {
      await this.drop(client);
      throw new UnavailableError('SUBSCRIPTIONS_UNAVAILABLE', 'The server is shutting down');
    }
    this.client = client;
    this.opts.log.debug({ channel: CHANNEL }, 'task queue feed listening');
  }

  /** The connection failed: drop it; with subscriptions open, reconnect and tell them to re-read. */
  private lost(client: Client, err: Error | undefined): void {
    if (client !== this.client) return;
    this.client = null;
    void this.drop(client);
    this.reconnectLater(err);
  }

  private reconnectLater(err: Error | undefined): void {
    if (this.closed || this.subscribers.size === 0 || this.retryTimer) return;
    this.failures += 1;
    const delayMs = Math.min(RETRY_BASE_MS * 2 ** (this.failures - 1), RETRY_MAX_MS);
    this.opts.log.warn({ channel: CHANNEL, attempt: this.failures, retryInMs: delayMs, err: err?.message }, 'task queue feed lost its connection; reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.listening().then(
        () => {
          this.failures = 0;
          // what committed while nobody listened was not heard
          for (const s of this.subscribers) s.resync();
        },
        (failed: Error) => this.reconnectLater(failed),
      );
    }, delayMs);
  }

  private async drop(client: Client): Promise<void> {
    client.removeAllListeners('notification');
    client.removeAllListeners('end');
    client.removeAllListeners('error');
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
  }

  private heard(msg: Notification): void {
    if (msg.channel !== CHANNEL || msg.payload === undefined) return;
    const notice = parseNotice(msg.payload);
    if (!notice) {
      this.opts.log.warn({ channel: CHANNEL }, 'task queue notification not understood; ignored');
      return;
    }
    for (const s of this.subscribers) {
      if (s.actor.tenantId.toLowerCase() === notice.tenantId) s.offer(notice);
    }
  }
}

/** One subscription: its notifications in order, each checked before it becomes an event. */
class Subscriber {
  readonly events: Channel<TaskQueueChange>;
  private pending: Notice[] = [];
  private draining = false;
  /**
   * Tasks last told LEFT, whose later news the routing may still bring this subscriber: a voter
   * who voted hears of every later vote, a role holder that separation of duties excludes of every
   * change to the role's task. Told once, not again (until the task is in the queue again or a
   * RESYNC). Oldest first, bounded.
   */
  private readonly left = new Set<string>();

  constructor(
    readonly actor: Actor,
    private readonly opts: TaskQueueFeedOptions,
    onClose: () => void,
  ) {
    this.events = new Channel(onClose);
  }

  offer(notice: Notice): void {
    if (this.events.closed) return;
    if (!notice.unrouted && !holds(this.actor, notice.before) && !holds(this.actor, notice.after)) return;
    if (this.pending.length >= MAX_PENDING) {
      this.pending = [];
      this.resync();
      return;
    }
    this.pending.push(notice);
    if (!this.draining) void this.drain();
  }

  resync(): void {
    // the client reads its queue again: what it was told before no longer stands
    this.left.clear();
    this.events.push({ change: 'RESYNC', taskId: null, instanceId: null, task: null });
  }

  end(): void {
    this.events.close();
  }

  private rememberLeft(taskId: string): void {
    this.left.add(taskId);
    if (this.left.size > REMEMBERED_LEFT) this.left.delete(this.left.values().next().value as string);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0 && !this.events.closed) {
        const batch = this.pending.splice(0, CHECK_BATCH);
        // only a task that may be in the queue now needs reading; one that left cannot be
        const ids = [...new Set(batch.filter((n) => n.unrouted || holds(this.actor, n.after)).map((n) => n.taskId))];
        let queued: Map<string, TaskDto>;
        try {
          queued = ids.length > 0 ? await this.opts.batches.queuedTasks(this.actor, ids) : new Map();
        } catch (err) {
          this.opts.log.warn({ err: (err as Error).message, tenantId: this.actor.tenantId, userId: this.actor.userId }, 'task queue feed could not check tasks; asking the subscriber to re-read');
          this.resync();
          continue;
        }
        for (const n of batch) {
          const was = holds(this.actor, n.before) && !this.left.has(n.taskId);
          const task = queued.get(n.taskId) ?? null;
          if (task) {
            this.left.delete(n.taskId);
            this.events.push({ change: was ? 'UPDATED' : 'ENTERED', taskId: n.taskId, instanceId: n.instanceId, task });
          } else if (was) {
            this.rememberLeft(n.taskId);
            this.events.push({ change: 'LEFT', taskId: n.taskId, instanceId: n.instanceId, task: null });
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

/**
 * The queue's rule (queueRuleSql in libs/db/src/repositories/tasks.repository.ts) over the routing
 * a notification carries: who may hold the task. Whom separation of duties excludes, and a voter
 * who voted, are not in the routing: the re-read through the tasks' rule leaves them out.
 */
export function holds(actor: Actor, h: Holders | null): boolean {
  if (!h) return false;
  return (
    h.u === actor.userId ||
    (h.r !== null && actor.roles.includes(h.r)) ||
    (h.e !== null && actor.roles.includes(h.e)) ||
    (h.u === null && h.c.includes(actor.userId))
  );
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** `c`: absent or null (no candidates), else an array of user ids; anything else is not understood. */
function candidates(v: unknown): readonly string[] | undefined {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || !v.every(isText)) return undefined;
  return v;
}

function parseHolders(v: unknown): Holders | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const c = candidates(o['c']);
  if (c === undefined) return undefined;
  return { u: textOrNull(o['u']), r: textOrNull(o['r']), e: textOrNull(o['e']), c };
}

/** A notification's payload (migrations 0007 and 0009); null when it is not understood. */
export function parseNotice(payload: string): Notice | null {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  if (!isText(o['t']) || !isText(o['k']) || !isText(o['i'])) return null;
  const before = parseHolders(o['b']);
  const after = parseHolders(o['a']);
  if (before === undefined || after === undefined) return null;
  return { tenantId: o['t'].toLowerCase(), taskId: o['k'], instanceId: o['i'], before, after, unrouted: o['o'] === true };
}

/**
 * A push-pull queue as an async iterator. Not an async generator: a generator waiting for the
 * next item cannot be returned from until that item comes, and a subscription whose client went
 * away must end at once.
 */
class Channel<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private done = false;

  constructor(private readonly onClose: () => void) {}

  get closed(): boolean {
    return this.done;
  }

  push(item: T): void {
    if (this.done) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter({ value: item, done: false });
    else this.items.push(item);
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<T>> {
    this.close();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.items = [];
    for (const waiter of this.waiting.splice(0)) waiter({ value: undefined, done: true });
    this.onClose();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

/**
 * The compiled, validated form of a workflow definition. Runtime code accepts only this type:
 * `compileDefinition` produces it from raw input, or reports every problem at once.
 */

export const NODE_TYPES = ['approval', 'service_task', 'user_task', 'gateway', 'sub_workflow', 'timer', 'receive'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export type GatewayType = 'exclusive' | 'parallel';

/** How a route is chosen when its source node finishes. */
export type RouteKind =
  /** no condition: taken whenever the source completes normally */
  | 'always'
  /** gateway route compared with the gateway's `conditionExpression` result */
  | 'when_true'
  | 'when_false'
  /** taken when an approval (or a sub-workflow's child) is rejected */
  | 'on_rejected'
  /** taken when a task or a receive node times out (its `timeout`) */
  | 'on_timeout'
  /** the condition is a CEL expression of its own over `{ context, instance }` */
  | 'expression';

export interface CompiledRoute {
  readonly fromNodeId: string;
  readonly toNodeId: string;
  readonly condition: string | null;
  readonly kind: RouteKind;
}

export interface CronTrigger {
  readonly type: 'cron';
  readonly cron: string;
  readonly timezone?: string;
  readonly contextData: Record<string, unknown>;
}

export interface EventTrigger {
  readonly type: 'event';
  readonly eventType: string;
}

export type Trigger = CronTrigger | EventTrigger;

/** What every compiled node has, whatever its type. */
interface CompiledNodeBase<T extends NodeType> {
  readonly id: string;
  readonly nodeType: T;
  readonly name: string;
  readonly join: boolean;
  /** outgoing routes in definition order */
  readonly outgoing: readonly CompiledRoute[];
  /** ids of nodes with a route into this one */
  readonly incomingFrom: readonly string[];
}

/**
 * Separation of duties on a task node, the definition's defaults filled in. Enforced where every
 * decision is made (the decision use case), whoever asks and whatever roles they hold.
 */
export interface SeparationOfDuties {
  /** whoever started the instance may not decide this task */
  readonly notStarter: boolean;
  /** nobody who decided (or voted on) these nodes may decide this one */
  readonly notDeciderOf: readonly string[];
  /** nobody who decided another task of the instance may decide this one */
  readonly distinctDeciders: boolean;
}

/** Who votes on a quorum approval. */
export type QuorumVoters =
  | { readonly kind: 'role'; readonly role: string }
  | { readonly kind: 'users'; readonly users: readonly string[] }
  /** a CEL expression over `{ context, instance }` giving a list of user ids, evaluated when the task is created */
  | { readonly kind: 'expression'; readonly expression: string };

/** N of M: how many approvals decide, and what rejections do. */
export interface CompiledQuorum {
  readonly voters: QuorumVoters;
  /** approvals needed: a number, every voter, or more than half of them */
  readonly required: number | 'all' | 'majority';
  /** `any`: the first rejection rejects; `quorum`: rejected once enough rejections make approval impossible */
  readonly rejectPolicy: 'any' | 'quorum';
}

/** A non-interrupting reminder: `after` the task was created, then `every` (up to `times` in all). */
export interface CompiledReminder {
  readonly after: string;
  readonly every: string | null;
  /** reminders in all, the first included */
  readonly times: number;
}

/** One level of an escalation ladder: `after` the task was created, visible to `toRole` too. */
export interface CompiledEscalationLevel {
  readonly after: string;
  readonly toRole: string;
  /** mail the new holders */
  readonly notify: boolean;
}

/** The timers a waiting node carries (tasks and receive nodes). */
export interface WaitTimers {
  readonly reminders: readonly CompiledReminder[];
  /** interrupting: leave by the `timeout` route (or fail) this long after the wait began; null: none */
  readonly timeout: string | null;
  /** the business calendar durations count in (the node's, else the definition's); null: wall time */
  readonly calendar: string | null;
}

/** What approvals and user tasks share. */
interface TaskNodeFields extends WaitTimers {
  /** levels in order of `after` (each fires once) */
  readonly escalations: readonly CompiledEscalationLevel[];
  /** null: the engine's default (`WORKFLOW_DEFAULT_SLA_HOURS`) */
  readonly slaHours: number | null;
  /** null: the definition's `escalationRole` */
  readonly escalationRole: string | null;
  readonly separation: SeparationOfDuties;
  /** holders of this role may reassign the task (besides admins); null: the definition's */
  readonly managerRole: string | null;
  /** the earlier user task a `return` decision sends the instance back to; null: no return */
  readonly returnTo: string | null;
  /** returns this node allows in one instance */
  readonly maxRounds: number;
  /** mail the holders (and `users`) when the task is created or escalated; null: no mail */
  readonly notify: { readonly email: boolean; readonly users: readonly string[] } | null;
}

/**
 * A decision by one person: for approverRole, approverUserId or approverExpression (one of them),
 * or by a quorum of voters.
 */
export interface ApprovalNode extends CompiledNodeBase<'approval'>, TaskNodeFields {
  readonly approverRole: string | null;
  readonly approverUserId: string | null;
  /** CEL over `{ context, instance }` giving a user id, or `{ "role": … }` / `{ "userId": … }` */
  readonly approverExpression: string | null;
  readonly quorum: CompiledQuorum | null;
}

/** A form a person fills in: assigneeRole and/or assigneeUserId, or assigneeExpression. */
export interface UserTaskNode extends CompiledNodeBase<'user_task'>, TaskNodeFields {
  readonly assigneeRole: string | null;
  readonly assigneeUserId: string | null;
  /** as `approverExpression` */
  readonly assigneeExpression: string | null;
  /** JSON Schema the submitted data is checked against; null: any object */
  readonly formSchema: Record<string, unknown> | null;
  /** time waiting here for the requester (a round sent back for rework) is left out of the instance SLA */
  readonly pausesSla: boolean;
}

/** Waits: for an ISO-8601 duration, until a date a CEL expression gives, or the next time of a cron expression. */
export type TimerNode = CompiledNodeBase<'timer'> & {
  /** the time zone wall-clock durations and the cron expression are read in */
  readonly timezone: string;
  /** count `duration` in the calendar's working time */
  readonly businessTime: boolean;
  readonly calendar: string | null;
} & (
    | { readonly wait: 'duration'; readonly duration: string }
    | { readonly wait: 'until'; readonly until: string }
    | { readonly wait: 'cron'; readonly cron: string }
  );

/** Waits for a message by name and correlation key (`POST /api/messages`), or its callback URL. */
export interface ReceiveNode extends CompiledNodeBase<'receive'>, WaitTimers {
  readonly messageName: string;
  /** CEL over `{ context, instance }` giving the key (a string or a number) */
  readonly correlationKey: string;
  /** context field -> CEL over `{ context, instance }` with the message at `context.message` (`{ name, correlationKey, data }`); null: its data merged whole */
  readonly outputMapping: Readonly<Record<string, string>> | null;
  /** the time waiting here is left out of the instance SLA */
  readonly pausesSla: boolean;
}

/** Returns a node allows when it names `returnTo` without `maxRounds`. */
export const DEFAULT_MAX_ROUNDS = 3;

export interface ServiceTaskNode extends CompiledNodeBase<'service_task'> {
  /** the handler's type: the engine's own or a registered one (never empty) */
  readonly serviceType: string;
  /**
   * As the handler's `configSchema` parsed it (defaults filled) when the compiler knew the type;
   * as written otherwise (a stored row recompiled with `serviceTypes: 'any'`, or one that no
   * longer fits), to be parsed when the step runs.
   */
  readonly serviceConfig: Record<string, unknown>;
}

/** An exclusive gateway always has its condition; a parallel one takes every route and ignores any. */
export type GatewayNode = CompiledNodeBase<'gateway'> &
  (
    | { readonly gatewayType: 'exclusive'; readonly conditionExpression: string }
    | { readonly gatewayType: 'parallel'; readonly conditionExpression: string | null }
  );

/** Calls another definition: by id when `subWorkflowDefinitionId` is set, else by name. */
export type SubWorkflowNode = CompiledNodeBase<'sub_workflow'> & {
  /** child context field -> CEL over the child's `{ context, instance }`; null: the child's whole context */
  readonly outputMapping: Readonly<Record<string, string>> | null;
} & (
    | { readonly subWorkflowDefinitionId: string; readonly subWorkflowName: string | null }
    | { readonly subWorkflowDefinitionId: null; readonly subWorkflowName: string }
  );

/**
 * A node as the runtime sees it, one variant per `nodeType` with only that type's fields: narrow
 * on `nodeType` to read them. Fields of another type that a stored definition carries (written
 * before save checked them) are not compiled in; they stay in `input`.
 */
export type CompiledNode = ApprovalNode | UserTaskNode | ServiceTaskNode | GatewayNode | SubWorkflowNode | TimerNode | ReceiveNode;

/** The variant of `CompiledNode` for one node type. */
export type CompiledNodeOf<T extends NodeType> = Extract<CompiledNode, { readonly nodeType: T }>;

/** The JSON-serialisable node as the client wrote it (what the API returns). */
export type NodeInput = Record<string, unknown> & { id: string; nodeType: NodeType; name: string };

export interface RouteInput {
  fromNodeId: string;
  toNodeId: string;
  condition?: string;
}

/** The raw definition body after schema validation (what is stored and returned). */
export interface DefinitionInput {
  name: string;
  description?: string | null;
  category?: string | null;
  startNodeId?: string;
  nodes: NodeInput[];
  routes: RouteInput[];
  slaHours?: number | null;
  escalationEnabled?: boolean;
  escalationRole?: string | null;
  triggers?: Trigger[];
  /** JSON Schema of the context (see `contextSchema` on `CompiledDefinition`) */
  contextSchema?: Record<string, unknown> | null;
  /** separation-of-duties defaults of every task node */
  notStarter?: boolean;
  distinctDeciders?: boolean;
  /** the default `managerRole` of every task node */
  managerRole?: string | null;
  /** the business calendar of every node that names none */
  calendar?: string | null;
}

export interface CompiledDefinition {
  readonly name: string;
  readonly description: string | null;
  readonly category: string | null;
  readonly startNodeId: string;
  readonly nodes: ReadonlyMap<string, CompiledNode>;
  readonly routes: readonly CompiledRoute[];
  readonly triggers: readonly Trigger[];
  readonly slaHours: number | null;
  readonly escalationEnabled: boolean;
  readonly escalationRole: string | null;
  /** the business calendar `slaHours` and node timers count in; null: wall time */
  readonly calendar: string | null;
  /**
   * JSON Schema of the instance context, as written; `null` when the definition has none. At save
   * every condition over the context is type-checked against it; it is not enforced at run time
   * by the engine.
   */
  readonly contextSchema: Readonly<Record<string, unknown>> | null;
  /** the validated input, normalised (defaults filled), as stored */
  readonly input: DefinitionInput;
}

/** One problem found in a definition; `path` points into the submitted JSON. */
export interface DefinitionProblem {
  readonly path: string;
  readonly message: string;
}

/** Limits that keep one definition from exhausting the engine. */
export interface DefinitionLimits {
  /** default 200 */
  readonly maxNodes: number;
  /** default 500 */
  readonly maxRoutes: number;
  /** default 2000 characters */
  readonly maxExpressionLength: number;
}

/**
 * Upper bounds on durations, checked when a definition is saved (strict compile): beyond them a
 * deadline is no longer a date (`slaHours: 1e10`) or a timer no longer a timer.
 */
export const DEFINITION_BOUNDS = Object.freeze({
  /** `slaHours` of the definition and of each node: 87600 hours, ten years */
  maxSlaHours: 87_600,
});

export const DEFAULT_DEFINITION_LIMITS: DefinitionLimits = Object.freeze({
  maxNodes: 200,
  maxRoutes: 500,
  maxExpressionLength: 2000,
});

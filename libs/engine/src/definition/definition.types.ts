/**
 * The compiled, validated form of a workflow definition. Runtime code accepts only this type:
 * `compileDefinition` produces it from raw input, or reports every problem at once.
 */

export const NODE_TYPES = ['approval', 'service_task', 'user_task', 'gateway', 'sub_workflow'] as const;
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

/** A decision by one person: for approverRole or for approverUserId, not both. */
export interface ApprovalNode extends CompiledNodeBase<'approval'> {
  readonly approverRole: string | null;
  readonly approverUserId: string | null;
  /** null: the engine's default (`WORKFLOW_DEFAULT_SLA_HOURS`) */
  readonly slaHours: number | null;
  /** null: the definition's `escalationRole` */
  readonly escalationRole: string | null;
}

/** A form a person fills in: assigneeRole and/or assigneeUserId (at least one). */
export interface UserTaskNode extends CompiledNodeBase<'user_task'> {
  readonly assigneeRole: string | null;
  readonly assigneeUserId: string | null;
  /** JSON Schema the submitted data is checked against; null: any object */
  readonly formSchema: Record<string, unknown> | null;
  readonly slaHours: number | null;
  readonly escalationRole: string | null;
}

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
export type CompiledNode = ApprovalNode | UserTaskNode | ServiceTaskNode | GatewayNode | SubWorkflowNode;

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

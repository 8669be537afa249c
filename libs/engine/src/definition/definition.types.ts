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

export interface CompiledNode {
  readonly id: string;
  readonly nodeType: NodeType;
  readonly name: string;
  readonly join: boolean;
  /** approval / user_task */
  readonly slaHours: number | null;
  readonly escalationRole: string | null;
  /** approval */
  readonly approverRole: string | null;
  readonly approverUserId: string | null;
  /** user_task */
  readonly assigneeRole: string | null;
  readonly assigneeUserId: string | null;
  readonly formSchema: Record<string, unknown> | null;
  /** service_task */
  readonly serviceType: string | null;
  readonly serviceConfig: Record<string, unknown>;
  /** gateway */
  readonly gatewayType: GatewayType;
  readonly conditionExpression: string | null;
  /** sub_workflow */
  readonly subWorkflowName: string | null;
  readonly subWorkflowDefinitionId: string | null;
  readonly outputMapping: Readonly<Record<string, string>> | null;
  /** outgoing routes in definition order */
  readonly outgoing: readonly CompiledRoute[];
  /** ids of nodes with a route into this one */
  readonly incomingFrom: readonly string[];
}

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
  /** `serviceConfig.timeoutMs` of an `http_call`: 300000 ms, five minutes */
  maxHttpTimeoutMs: 300_000,
});

export const DEFAULT_DEFINITION_LIMITS: DefinitionLimits = Object.freeze({
  maxNodes: 200,
  maxRoutes: 500,
  maxExpressionLength: 2000,
});

/**
 * Workflow definitions for tests, written in the order a reader draws them:
 *
 *   definition('Contract')
 *     .parallel('fork')
 *     .approval('legal', { approverRole: 'legal' })
 *     .approval('finance', { approverRole: 'finance' })
 *     .join('join')
 *     .route('fork', 'legal').route('fork', 'finance').route('legal', 'join').route('finance', 'join')
 *     .build()
 *
 * `build()` gives the JSON `POST /api/definitions` and `compileDefinition` take. Nothing here
 * checks it: a test of the compiler builds wrong definitions on purpose (any field may be added,
 * `node()` takes a node as written), and the compiler is the one judge.
 */

type Json = Record<string, unknown>;

/** A node as the API takes it. */
export interface NodeJson {
  id: string;
  nodeType: string;
  name: string;
  [field: string]: unknown;
}

export interface RouteJson {
  fromNodeId: string;
  toNodeId: string;
  condition?: string;
}

/** The definition body of `POST /api/definitions`. */
export interface DefinitionJson {
  name: string;
  nodes: NodeJson[];
  routes: RouteJson[];
  [field: string]: unknown;
}

/** Fields every node may carry; `name` defaults to the node id. Other keys are sent as written. */
interface NodeFields {
  name?: string;
  join?: boolean;
  [field: string]: unknown;
}

export interface ApprovalFields extends NodeFields {
  approverRole?: string;
  approverUserId?: string;
  slaHours?: number;
  escalationRole?: string;
}

export interface UserTaskFields extends NodeFields {
  assigneeRole?: string;
  assigneeUserId?: string;
  formSchema?: Json;
  slaHours?: number;
  escalationRole?: string;
}

export interface SubWorkflowFields extends NodeFields {
  outputMapping?: Record<string, string>;
}

/** The definition's own fields besides name, nodes and routes. */
export interface DefinitionFields {
  description?: string | null;
  category?: string | null;
  startNodeId?: string;
  slaHours?: number | null;
  escalationEnabled?: boolean;
  escalationRole?: string | null;
  /** `{ type: 'cron', cron, timezone?, contextData? }` or `{ type: 'event', eventType }` */
  triggers?: Json[];
  contextSchema?: Json | null;
  [field: string]: unknown;
}

export class DefinitionBuilder {
  private readonly nodes: NodeJson[] = [];
  private readonly routes: RouteJson[] = [];
  private readonly extra: DefinitionFields = {};

  constructor(private readonly name: string) {}

  /** An approval; without fields, one for the `manager` role. */
  approval(id: string, fields: ApprovalFields = { approverRole: 'manager' }): this {
    return this.typed(id, 'approval', fields);
  }

  /** A user task (a form to fill in); without fields, one for the `clerk` role. */
  userTask(id: string, fields: UserTaskFields = { assigneeRole: 'clerk' }): this {
    return this.typed(id, 'user_task', fields);
  }

  /** A service task of any service type. */
  service(id: string, serviceType: string, serviceConfig: Json = {}, fields: NodeFields = {}): this {
    return this.typed(id, 'service_task', { serviceType, serviceConfig, ...fields });
  }

  /** A `set_context` service task merging `values` into the context. */
  setContext(id: string, values: Json = { done: true }, fields: NodeFields = {}): this {
    return this.service(id, 'set_context', { values }, fields);
  }

  /** An exclusive gateway on a condition; its routes say `true`, `false` or an expression. */
  gateway(id: string, conditionExpression: string, fields: NodeFields = {}): this {
    return this.typed(id, 'gateway', { conditionExpression, ...fields });
  }

  /** A parallel gateway: every route out is taken. */
  parallel(id: string, fields: NodeFields = {}): this {
    return this.typed(id, 'gateway', { gatewayType: 'parallel', ...fields });
  }

  /** A parallel join: it fires once no open branch can still reach it. */
  join(id: string, fields: NodeFields = {}): this {
    return this.parallel(id, { join: true, ...fields });
  }

  /** A sub-workflow: starts the latest active version of `subWorkflowName` and waits for it. */
  subWorkflow(id: string, subWorkflowName: string, fields: SubWorkflowFields = {}): this {
    return this.typed(id, 'sub_workflow', { subWorkflowName, ...fields });
  }

  /** A node exactly as written. */
  node(node: NodeJson): this {
    this.nodes.push(node);
    return this;
  }

  route(fromNodeId: string, toNodeId: string, condition?: string): this {
    this.routes.push(condition === undefined ? { fromNodeId, toNodeId } : { fromNodeId, toNodeId, condition });
    return this;
  }

  /** Unconditional routes along `ids`: `chain('a', 'b', 'c')` is a --> b --> c. */
  chain(...ids: string[]): this {
    for (let i = 1; i < ids.length; i += 1) this.route(ids[i - 1] as string, ids[i] as string);
    return this;
  }

  /** The definition's own fields: `startNodeId`, `slaHours`, `triggers`, `contextSchema`, … */
  with(fields: DefinitionFields): this {
    Object.assign(this.extra, fields);
    return this;
  }

  /** A fresh copy each time: a test may change what it got without touching the builder. */
  build(): DefinitionJson {
    return structuredClone({ name: this.name, nodes: this.nodes, routes: this.routes, ...this.extra });
  }

  private typed(id: string, nodeType: string, fields: NodeFields): this {
    const { name = id, ...rest } = fields;
    return this.node({ id, nodeType, name, ...rest });
  }
}

/** A definition called `name` (default `Test Workflow`) to add nodes and routes to. */
export function definition(name = 'Test Workflow'): DefinitionBuilder {
  return new DefinitionBuilder(name);
}

/**
 * Raw definition body in, frozen `CompiledDefinition` out, or every problem found, each with the
 * JSON path it points at. Runtime code trusts the compiled form and never re-validates.
 */
import type { z } from 'zod';
import { checkExpression } from '../expressions/cel-expression';
import { checkExpressionsAgainstContext, contextSchemaProblems } from '../expressions/cel-type-check';
import {
  definitionEnvelopeSchema,
  nodeSchema,
  routeSchema,
  type NodeBody,
  type RouteBody,
} from './definition.schema';
import {
  DEFAULT_DEFINITION_LIMITS,
  DEFINITION_BOUNDS,
  type CompiledDefinition,
  type CompiledNode,
  type CompiledRoute,
  type DefinitionInput,
  type DefinitionLimits,
  type DefinitionProblem,
  type RouteKind,
} from './definition.types';
import { knownServiceTypes, serviceTypeOf } from '../runtime/engine-handlers';
import type { ServiceCatalog } from '../runtime/service-handler';
import { formatPath } from './format-path';
import { unjoinedMeetings } from './parallel-meetings';
import { checkServiceConfig } from './service-config';
import { unknownFieldProblems } from './unknown-fields';

export { formatPath };

export interface CompileDefinitionOptions {
  /** Size limits; default `DEFAULT_DEFINITION_LIMITS`. */
  limits?: DefinitionLimits;
  /**
   * The service types a definition may use besides the engine's own (`set_context`): the
   * registered handlers, each with the `configSchema` its nodes' `serviceConfig` is parsed with
   * (problems at `nodes[i].serviceConfig...`; the compiled node keeps the parsed config). Default:
   * the engine's own only. `'any'` accepts every type and parses only the engine's own configs: a
   * stored definition is recompiled where plugins may not be loaded.
   */
  serviceTypes?: ServiceCatalog | 'any';
  /**
   * Refuse what only a save should refuse: unknown fields and fields of another node type, nodes
   * where parallel branches meet without `join`, durations beyond `DEFINITION_BOUNDS`, expressions
   * that do not fit `contextSchema`, and a `serviceConfig` its handler's schema refuses. Off, a
   * definition is checked as it was before these checks came in, so a stored one always loads
   * again (a config that no longer fits is kept as written, and fails its step when it runs). Pass
   * `true` where a definition is saved and `false` where a stored one is recompiled. Default
   * `true`, except with `serviceTypes: 'any'` (the recompile of a stored row), where it is `false`.
   */
  strict?: boolean;
}

export type CompileDefinitionResult =
  | { ok: true; definition: CompiledDefinition }
  | { ok: false; problems: DefinitionProblem[] };

type PathSegment = string | number;

class Problems {
  readonly list: DefinitionProblem[] = [];
  private readonly seen = new Set<string>();

  add(path: readonly PathSegment[], message: string): void {
    const problem = { path: formatPath(path), message };
    const key = `${problem.path}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(problem);
  }

  addZod(issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[], prefix: readonly PathSegment[]): void {
    for (const issue of issues) this.add([...prefix, ...segmentsOf(issue.path)], issue.message);
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

interface IndexedNode {
  readonly index: number;
  readonly body: NodeBody;
}

interface IndexedRoute {
  readonly index: number;
  readonly body: RouteBody;
}

/** An expression over this definition's context, type-checked against `contextSchema` at the end. */
interface TypedCheck {
  readonly source: string;
  readonly path: readonly PathSegment[];
  readonly mustBeBoolean: boolean;
  /** found inside a `{{ }}` template */
  readonly inTemplate: boolean;
}

function segmentsOf(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function present(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function isExclusiveGateway(node: NodeBody | undefined): boolean {
  return node?.nodeType === 'gateway' && (node.gatewayType ?? 'exclusive') === 'exclusive';
}

function isParallelGateway(node: NodeBody | undefined): boolean {
  return node?.nodeType === 'gateway' && node.gatewayType === 'parallel';
}

/** Checks one definition; see `compileDefinition`. */
class DefinitionCompiler {
  private readonly problems = new Problems();
  private readonly limits: DefinitionLimits;
  private readonly serviceTypes: ServiceCatalog | 'any' | null;
  private readonly strict: boolean;
  /** each service task's `serviceConfig` as its schema parsed it, by node index */
  private readonly parsedConfigs = new Map<number, unknown>();
  /** the expressions to check against `contextSchema`; null when there is none to check against */
  private typedChecks: TypedCheck[] | null = null;

  constructor(options: CompileDefinitionOptions) {
    this.limits = options.limits ?? DEFAULT_DEFINITION_LIMITS;
    this.serviceTypes = options.serviceTypes ?? null;
    this.strict = options.strict ?? this.serviceTypes !== 'any';
  }

  compile(raw: unknown): CompileDefinitionResult {
    const { problems } = this;
    const envelope = definitionEnvelopeSchema.safeParse(raw);
    if (!envelope.success) problems.addZod(envelope.error.issues, []);

    const rawNodes = isRecord(raw) && Array.isArray(raw.nodes) ? (raw.nodes as unknown[]) : null;
    const rawRoutes = isRecord(raw) && Array.isArray(raw.routes) ? (raw.routes as unknown[]) : null;
    if (!rawNodes || !rawRoutes) return this.failure();
    if (rawNodes.length > this.limits.maxNodes) {
      problems.add(['nodes'], `too many nodes: ${rawNodes.length} (at most ${this.limits.maxNodes})`);
    }
    if (rawRoutes.length > this.limits.maxRoutes) {
      problems.add(['routes'], `too many routes: ${rawRoutes.length} (at most ${this.limits.maxRoutes})`);
    }
    if (rawNodes.length > this.limits.maxNodes || rawRoutes.length > this.limits.maxRoutes) return this.failure();
    if (this.strict) this.checkStrictDefinition(raw as Record<string, unknown>);

    // Shapes, one node and route at a time, so one broken node does not hide the rest.
    /** first index of every node id seen, including nodes whose other fields are broken */
    const idIndex = new Map<string, number>();
    /** every node that parsed; `nodes` keeps the first of each id, which the graph is built from */
    const parsedNodes: IndexedNode[] = [];
    const nodes: IndexedNode[] = [];
    let everyNodeHasId = true;
    rawNodes.forEach((rawNode, index) => {
      const parsed = nodeSchema.safeParse(rawNode);
      if (parsed.success) parsedNodes.push({ index, body: parsed.data });
      else problems.addZod(parsed.error.issues, ['nodes', index]);
      const id = parsed.success ? parsed.data.id : isRecord(rawNode) ? rawNode.id : undefined;
      if (typeof id !== 'string') {
        everyNodeHasId = false;
        return;
      }
      const first = idIndex.get(id);
      if (first !== undefined) {
        problems.add(['nodes', index, 'id'], `duplicate node id "${id}" (first used at nodes[${first}])`);
        return;
      }
      idIndex.set(id, index);
      if (parsed.success) nodes.push({ index, body: parsed.data });
    });
    const nodeById = new Map(nodes.map((node) => [node.body.id, node.body] as const));

    const routes: IndexedRoute[] = [];
    rawRoutes.forEach((rawRoute, index) => {
      const parsed = routeSchema.safeParse(rawRoute);
      if (parsed.success) routes.push({ index, body: parsed.data });
      else problems.addZod(parsed.error.issues, ['routes', index]);
    });
    const everyRouteParsed = routes.length === rawRoutes.length;

    // Routes: known ends, and a condition that fits the node they leave.
    const kinds = new Map<number, RouteKind>();
    for (const { index, body } of routes) {
      for (const end of ['fromNodeId', 'toNodeId'] as const) {
        if (!idIndex.has(body[end])) problems.add(['routes', index, end], `unknown node id "${body[end]}"`);
      }
      kinds.set(index, this.routeKind(body, index, nodeById.get(body.fromNodeId)));
    }

    // Nodes: the fields each type needs, and its expressions.
    for (const { index, body } of parsedNodes) this.checkNode(body, index);
    for (const { index, body } of nodes) {
      if (body.nodeType === 'gateway' && everyRouteParsed) {
        if (!routes.some((route) => route.body.fromNodeId === body.id)) {
          problems.add(['nodes', index], `gateway with no way out: add a route from "${body.id}"`);
        }
      }
    }

    if (this.strict && everyNodeHasId && everyRouteParsed) this.checkMeetings(nodes, routes, kinds);
    this.checkTypedExpressions(raw as Record<string, unknown>);

    // The graph: one start node, and every node reachable from it.
    const startNodeId = this.resolveStart(envelope.data?.startNodeId ?? startNodeIdOf(raw), idIndex, routes, {
      complete: everyNodeHasId && everyRouteParsed,
    });
    if (startNodeId !== null && everyNodeHasId && everyRouteParsed) {
      const reached = reachableFrom(startNodeId, routes);
      for (const [id, index] of idIndex) {
        if (reached.has(id)) continue;
        problems.add(['nodes', index], `node "${id}" is unreachable from the start node "${startNodeId}"`);
      }
    }

    if (!problems.empty || !envelope.success || startNodeId === null) return this.failure();
    return { ok: true, definition: build(envelope.data, startNodeId, nodes, routes, kinds, this.parsedConfigs) };
  }

  private failure(): CompileDefinitionResult {
    return { ok: false, problems: this.problems.list };
  }

  /** Unknown fields, the definition's own bound, and whether `contextSchema` can type-check. */
  private checkStrictDefinition(raw: Record<string, unknown>): void {
    const { problems } = this;
    for (const problem of unknownFieldProblems(raw)) problems.add(problem.path, problem.message);
    this.checkSlaHours(raw.slaHours, ['slaHours']);
    // anything but an object is refused by the envelope schema already
    const contextSchema = raw.contextSchema;
    if (!isRecord(contextSchema)) return;
    const schemaProblems = contextSchemaProblems(contextSchema);
    for (const problem of schemaProblems) problems.add(['contextSchema', ...problem.path], problem.message);
    if (schemaProblems.length === 0) this.typedChecks = [];
  }

  private checkSlaHours(value: unknown, path: PathSegment[]): void {
    if (this.strict && typeof value === 'number' && value > DEFINITION_BOUNDS.maxSlaHours) {
      this.problems.add(path, `slaHours must be at most ${DEFINITION_BOUNDS.maxSlaHours} (ten years)`);
    }
  }

  /** Nodes where branches running at the same time meet, and that would run once per branch. */
  private checkMeetings(
    nodes: readonly IndexedNode[],
    routes: readonly IndexedRoute[],
    kinds: ReadonlyMap<number, RouteKind>,
  ): void {
    const indexOf = new Map(nodes.map((node) => [node.body.id, node.index] as const));
    const graphRoutes = routes.map(({ index, body }) => ({ ...body, kind: kinds.get(index) ?? 'always' }));
    for (const meeting of unjoinedMeetings(nodes.map((node) => node.body), graphRoutes)) {
      const at = `"${meeting.nodeId}"`;
      const message = meeting.forkIsParallelGateway
        ? `branches of the parallel gateway "${meeting.forkId}" meet at ${at}, which would run once per branch: mark it "join": true`
        : `routes leaving "${meeting.forkId}" may all be taken and meet again at ${at}, which would run once per route taken: mark it "join": true`;
      this.problems.add(['nodes', indexOf.get(meeting.nodeId) ?? 0, 'join'], message);
    }
  }

  /** Every expression over the context collected on the way, checked against `contextSchema`. */
  private checkTypedExpressions(raw: Record<string, unknown>): void {
    const checks = this.typedChecks;
    if (checks === null || checks.length === 0) return;
    const results = checkExpressionsAgainstContext(
      raw.contextSchema as Record<string, unknown>,
      checks.map((check) => check.source),
    );
    checks.forEach((check, i) => {
      const result = results[i];
      if (!result) return;
      if (!result.ok) {
        const message = `does not fit contextSchema: ${result.message}`;
        this.problems.add(
          check.path,
          check.inTemplate ? `invalid template: {{ ${check.source} }}: ${message}` : `expression ${message}`,
        );
      } else if (check.mustBeBoolean && result.type !== 'bool' && result.type !== 'dyn') {
        this.problems.add(check.path, `expression must give a bool, not ${result.type}`);
      }
    });
  }

  private routeKind(route: RouteBody, index: number, from: NodeBody | undefined): RouteKind {
    const path: PathSegment[] = ['routes', index, 'condition'];
    if (route.condition === undefined) return 'always';
    const condition = route.condition.trim();
    if (isParallelGateway(from)) {
      this.problems.add(path, `routes leaving the parallel gateway "${route.fromNodeId}" take no condition`);
      return 'always';
    }
    if (condition === 'true' || condition === 'false') {
      if (from && !isExclusiveGateway(from)) {
        this.problems.add(path, `condition "${condition}" only applies to routes leaving an exclusive gateway`);
      }
      return condition === 'true' ? 'when_true' : 'when_false';
    }
    if (condition === 'rejected') {
      if (from && from.nodeType !== 'approval' && from.nodeType !== 'sub_workflow') {
        this.problems.add(path, 'condition "rejected" only applies to routes leaving an approval or a sub_workflow');
      }
      return 'on_rejected';
    }
    if (condition === '') {
      this.problems.add(path, 'empty condition: leave condition out for a route taken every time');
      return 'expression';
    }
    this.checkExpression(route.condition, path, true);
    return 'expression';
  }

  private checkNode(node: NodeBody, index: number): void {
    const path: PathSegment[] = ['nodes', index];
    const { problems } = this;
    this.checkSlaHours(node.slaHours, [...path, 'slaHours']);
    switch (node.nodeType) {
      case 'approval':
        if (!present(node.approverRole) && !present(node.approverUserId)) {
          problems.add([...path, 'approverRole'], 'an approval needs approverRole or approverUserId');
        } else if (present(node.approverRole) && present(node.approverUserId)) {
          problems.add([...path, 'approverUserId'], 'give approverRole or approverUserId, not both');
        }
        break;
      case 'user_task':
        if (!present(node.assigneeRole) && !present(node.assigneeUserId)) {
          problems.add([...path, 'assigneeRole'], 'a user_task needs assigneeRole or assigneeUserId');
        }
        break;
      case 'service_task':
        this.checkServiceTask(node, path, index);
        break;
      case 'gateway':
        if (isExclusiveGateway(node)) {
          if (node.conditionExpression === undefined) {
            problems.add([...path, 'conditionExpression'], 'an exclusive gateway needs conditionExpression');
          } else {
            this.checkExpression(node.conditionExpression, [...path, 'conditionExpression'], true);
          }
        }
        break;
      case 'sub_workflow':
        if (!present(node.subWorkflowName) && node.subWorkflowDefinitionId === undefined) {
          problems.add([...path, 'subWorkflowName'], 'a sub_workflow needs subWorkflowName or subWorkflowDefinitionId');
        }
        for (const [key, expression] of Object.entries(node.outputMapping ?? {})) {
          // over the child's context, which this definition's contextSchema does not describe
          this.checkExpression(expression, [...path, 'outputMapping', key], false, false);
        }
        break;
    }
  }

  /** A known service type, and a `serviceConfig` its schema accepts (kept, parsed, for the compiled node). */
  private checkServiceTask(node: NodeBody, path: PathSegment[], index: number): void {
    const { problems } = this;
    if (!present(node.serviceType)) {
      problems.add([...path, 'serviceType'], 'a service_task needs serviceType');
      return;
    }
    const catalog = this.serviceTypes === 'any' ? null : this.serviceTypes;
    const serviceType = serviceTypeOf(node.serviceType, catalog);
    if (!serviceType && this.serviceTypes !== 'any') {
      const known = [...knownServiceTypes(catalog)].sort().join(', ');
      problems.add([...path, 'serviceType'], `unknown service type "${node.serviceType}" (known: ${known})`);
      return;
    }
    if (!serviceType?.configSchema) return;
    const checked = checkServiceConfig(serviceType.configSchema, node.serviceConfig ?? {}, {
      maxExpressionLength: this.limits.maxExpressionLength,
      typed: this.typedChecks !== null,
    });
    if (checked.ok) this.parsedConfigs.set(index, checked.config);
    // a stored config that no longer fits loads as written: its step fails when it runs
    if (!this.strict) return;
    const at = [...path, 'serviceConfig'];
    if (!checked.ok) problems.addZod(checked.problems, at);
    for (const { path: where, source, inTemplate } of checked.expressions) {
      this.typedChecks?.push({ source, path: [...at, ...segmentsOf(where)], mustBeBoolean: false, inTemplate });
    }
  }

  /** `overContext`: the expression reads this definition's context (not a child's), so `contextSchema` applies. */
  private checkExpression(source: string, path: PathSegment[], mustBeBoolean: boolean, overContext = true): void {
    if (source.length > this.limits.maxExpressionLength) {
      this.problems.add(path, `expression is longer than ${this.limits.maxExpressionLength} characters`);
      return;
    }
    const checked = checkExpression(source);
    if (!checked.ok) this.problems.add(path, `invalid expression: ${checked.message}`);
    else if (mustBeBoolean && checked.type !== 'bool' && checked.type !== 'dyn') {
      this.problems.add(path, `expression must give a bool, not ${checked.type}`);
    } else if (overContext && this.typedChecks) {
      this.typedChecks.push({ source, path, mustBeBoolean, inTemplate: false });
    }
  }

  /** `startNodeId` when given, else the one node without incoming routes; null when there is none. */
  private resolveStart(
    given: string | undefined,
    idIndex: ReadonlyMap<string, number>,
    routes: readonly IndexedRoute[],
    { complete }: { complete: boolean },
  ): string | null {
    if (given !== undefined) {
      if (idIndex.has(given)) return given;
      this.problems.add(['startNodeId'], `unknown node id "${given}"`);
      return null;
    }
    if (!complete || idIndex.size === 0) return null;
    const targets = new Set(routes.map((route) => route.body.toNodeId));
    const candidates = [...idIndex.keys()].filter((id) => !targets.has(id));
    if (candidates.length === 1) return candidates[0] ?? null;
    if (candidates.length === 0) {
      this.problems.add(['nodes'], 'no start node: every node has an incoming route; name one with startNodeId');
    } else {
      const names = candidates.map((id) => `"${id}"`).join(', ');
      this.problems.add(
        ['nodes'],
        `several start nodes (${names}): give all but one an incoming route, or name one with startNodeId`,
      );
    }
    return null;
  }
}

function startNodeIdOf(raw: unknown): string | undefined {
  return isRecord(raw) && typeof raw.startNodeId === 'string' ? raw.startNodeId : undefined;
}

function reachableFrom(start: string, routes: readonly IndexedRoute[]): Set<string> {
  const next = new Map<string, string[]>();
  for (const { body } of routes) {
    const targets = next.get(body.fromNodeId) ?? [];
    targets.push(body.toNodeId);
    next.set(body.fromNodeId, targets);
  }
  const reached = new Set([start]);
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const target of next.get(id) ?? []) {
      if (!reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  return reached;
}

function build(
  envelope: z.output<typeof definitionEnvelopeSchema>,
  startNodeId: string,
  nodes: readonly IndexedNode[],
  routes: readonly IndexedRoute[],
  kinds: ReadonlyMap<number, RouteKind>,
  parsedConfigs: ReadonlyMap<number, unknown>,
): CompiledDefinition {
  // A copy, so freezing it never freezes objects the caller still holds.
  const bodies = structuredClone(nodes.map((node) => node.body));
  const configs = structuredClone(nodes.map((node) => parsedConfigs.get(node.index) as Record<string, unknown> | undefined));
  deepFreeze(configs);
  const triggers = structuredClone(envelope.triggers);
  const input: DefinitionInput = {
    name: envelope.name,
    description: envelope.description ?? null,
    category: envelope.category ?? null,
    startNodeId,
    nodes: bodies,
    routes: structuredClone(routes.map((route) => route.body)),
    slaHours: envelope.slaHours ?? null,
    escalationEnabled: envelope.escalationEnabled,
    escalationRole: envelope.escalationRole ?? null,
    triggers,
    contextSchema: envelope.contextSchema ? structuredClone(envelope.contextSchema) : null,
  };
  deepFreeze(input);

  const compiledRoutes: CompiledRoute[] = routes.map(({ index, body }) =>
    Object.freeze({
      fromNodeId: body.fromNodeId,
      toNodeId: body.toNodeId,
      condition: body.condition ?? null,
      kind: kinds.get(index) ?? 'always',
    }),
  );
  const compiledNodes = new Map<string, CompiledNode>();
  for (const [i, body] of bodies.entries()) {
    const outgoing = compiledRoutes.filter((route) => route.fromNodeId === body.id);
    const incomingFrom = [
      ...new Set(compiledRoutes.filter((route) => route.toNodeId === body.id).map((route) => route.fromNodeId)),
    ];
    compiledNodes.set(body.id, Object.freeze(compiledNode(body, configs[i], Object.freeze(outgoing), Object.freeze(incomingFrom))));
  }

  return Object.freeze({
    name: input.name,
    description: input.description ?? null,
    category: input.category ?? null,
    startNodeId,
    nodes: compiledNodes,
    routes: Object.freeze(compiledRoutes),
    triggers,
    slaHours: input.slaHours ?? null,
    escalationEnabled: envelope.escalationEnabled,
    escalationRole: input.escalationRole ?? null,
    contextSchema: input.contextSchema ?? null,
    input,
  });
}

/**
 * The variant of `body`'s type, with only that type's fields. The checks before `build` guarantee
 * the fields a variant requires; one missing here is a bug in them.
 */
function compiledNode(
  body: NodeBody,
  parsedConfig: Record<string, unknown> | undefined,
  outgoing: readonly CompiledRoute[],
  incomingFrom: readonly string[],
): CompiledNode {
  const common = { id: body.id, name: body.name, join: body.join ?? false, outgoing, incomingFrom };
  switch (body.nodeType) {
    case 'approval':
      return {
        ...common,
        nodeType: 'approval',
        approverRole: body.approverRole ?? null,
        approverUserId: body.approverUserId ?? null,
        slaHours: body.slaHours ?? null,
        escalationRole: body.escalationRole ?? null,
      };
    case 'user_task':
      return {
        ...common,
        nodeType: 'user_task',
        assigneeRole: body.assigneeRole ?? null,
        assigneeUserId: body.assigneeUserId ?? null,
        formSchema: body.formSchema ?? null,
        slaHours: body.slaHours ?? null,
        escalationRole: body.escalationRole ?? null,
      };
    case 'service_task':
      return {
        ...common,
        nodeType: 'service_task',
        serviceType: checked(body, 'serviceType', body.serviceType),
        serviceConfig: parsedConfig ?? body.serviceConfig ?? Object.freeze({}),
      };
    case 'gateway':
      return body.gatewayType === 'parallel'
        ? { ...common, nodeType: 'gateway', gatewayType: 'parallel', conditionExpression: body.conditionExpression ?? null }
        : { ...common, nodeType: 'gateway', gatewayType: 'exclusive', conditionExpression: checked(body, 'conditionExpression', body.conditionExpression) };
    case 'sub_workflow': {
      const outputMapping = body.outputMapping ?? null;
      return body.subWorkflowDefinitionId !== undefined
        ? { ...common, nodeType: 'sub_workflow', subWorkflowDefinitionId: body.subWorkflowDefinitionId, subWorkflowName: body.subWorkflowName ?? null, outputMapping }
        : { ...common, nodeType: 'sub_workflow', subWorkflowDefinitionId: null, subWorkflowName: checked(body, 'subWorkflowName', body.subWorkflowName), outputMapping };
    }
  }
}

function checked<T>(body: NodeBody, field: keyof NodeBody, value: T | undefined): T {
  if (value === undefined) throw new Error(`compiled ${body.nodeType} node "${body.id}" without ${field}: its check let it through`);
  return value;
}

/** Freezes a JSON value all the way down, without recursion (client data may nest deeply). */
function deepFreeze(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null || Object.isFrozen(item)) continue;
    Object.freeze(item);
    stack.push(...Object.values(item));
  }
}

/**
 * Validates a raw definition body and compiles it. Every problem is reported at once, each with
 * the path it points at (`nodes[2].approverRole`, `routes[1].toNodeId`), so a client can fix
 * them all in one go.
 */
export function compileDefinition(raw: unknown, options: CompileDefinitionOptions = {}): CompileDefinitionResult {
  return new DefinitionCompiler(options).compile(raw);
}

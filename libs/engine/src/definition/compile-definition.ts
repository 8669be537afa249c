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
  DEFAULT_MAX_ROUNDS,
  DEFINITION_BOUNDS,
  type CompiledQuorum,
  type QuorumVoters,
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
import { addWallDuration, durationToMs, parseIsoDuration } from '../calendar/iso-duration';

/** Where nominal lengths of wall-clock durations are measured from (any fixed instant would do). */
const EPOCH = new Date(Date.UTC(2000, 0, 1));

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
  /** the CEL types the result may have (`dyn` always passes); none: any */
  readonly resultTypes?: readonly string[];
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
  /** the definition names a calendar: node durations count in working time */
  private definitionCalendar = false;

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
    this.definitionCalendar = typeof (raw as Record<string, unknown>).calendar === 'string';
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
    if (everyNodeHasId && everyRouteParsed) this.checkTaskReferences(nodes, routes);
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
      } else if (check.resultTypes && !fitsResultTypes(result.type, check.resultTypes)) {
        this.problems.add(check.path, `expression must give a ${check.resultTypes.join(' or ')}, not ${result.type}`);
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
    if (condition === 'timeout') {
      if (from && !['approval', 'user_task', 'receive'].includes(from.nodeType)) {
        this.problems.add(path, 'condition "timeout" only applies to routes leaving an approval, a user_task or a receive node');
      } else if (from && from.timeout === undefined) {
        this.problems.add(path, `condition "timeout" needs a timeout on "${route.fromNodeId}"`);
      }
      return 'on_timeout';
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
    this.checkWaitTimers(node, path);
    switch (node.nodeType) {
      case 'approval': {
        const given = [node.approverRole, node.approverUserId, node.approverExpression].filter(present).length;
        if (node.quorum) this.checkQuorum(node, path);
        else if (given === 0) {
          problems.add([...path, 'approverRole'], 'an approval needs approverRole, approverUserId or approverExpression');
        } else if (given > 1) {
          problems.add([...path, 'approverUserId'], 'give one of approverRole, approverUserId and approverExpression, not several');
        }
        if (node.approverExpression !== undefined) this.checkAssigneeExpression(node.approverExpression, [...path, 'approverExpression']);
        break;
      }
      case 'user_task':
        if (present(node.assigneeExpression)) {
          if (present(node.assigneeRole) || present(node.assigneeUserId)) {
            problems.add([...path, 'assigneeExpression'], 'give assigneeExpression or assigneeRole/assigneeUserId, not both');
          }
        } else if (!present(node.assigneeRole) && !present(node.assigneeUserId)) {
          problems.add([...path, 'assigneeRole'], 'a user_task needs assigneeRole, assigneeUserId or assigneeExpression');
        }
        if (node.assigneeExpression !== undefined) this.checkAssigneeExpression(node.assigneeExpression, [...path, 'assigneeExpression']);
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
      case 'timer':
        this.checkTimer(node, path);
        break;
      case 'receive':
        if (!present(node.messageName)) problems.add([...path, 'messageName'], 'a receive node needs messageName');
        if (node.correlationKey === undefined || node.correlationKey.trim() === '') {
          problems.add([...path, 'correlationKey'], 'a receive node needs correlationKey, a CEL expression such as context.orderId');
        } else {
          this.checkExpression(node.correlationKey, [...path, 'correlationKey'], false, true, ['string', 'int', 'uint']);
        }
        for (const [key, expression] of Object.entries(node.outputMapping ?? {})) {
          // over `{ message, context }`: the message is not described by contextSchema
          this.checkExpression(expression, [...path, 'outputMapping', key], false, false);
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

  /** One of duration, until, cron; durations that parse, in working time only with a calendar. */
  private checkTimer(node: NodeBody, path: PathSegment[]): void {
    const { problems } = this;
    const given = (['duration', 'until', 'cron'] as const).filter((f) => node[f] !== undefined);
    if (given.length !== 1) {
      problems.add([...path, 'duration'], given.length === 0
        ? 'a timer needs duration (ISO-8601, such as PT2H), until (a CEL expression giving a date) or cron'
        : `give one of duration, until and cron, not ${given.join(' and ')}`);
    }
    if (node.duration !== undefined) this.checkDuration(node.duration, [...path, 'duration'], node.businessTime === true);
    if (node.until !== undefined) this.checkExpression(node.until, [...path, 'until'], false, true, ['string', 'google.protobuf.Timestamp', 'timestamp', 'int']);
    if (node.businessTime === true && node.duration === undefined) {
      problems.add([...path, 'businessTime'], 'businessTime counts a duration in working time: it needs duration');
    }
    if (node.businessTime === true && node.calendar === undefined && !this.definitionCalendar) {
      problems.add([...path, 'businessTime'], 'businessTime counts in a business calendar: name one with calendar (on the node or the definition)');
    }
  }

  /** Reminders, timeout and the escalation ladder of a waiting node. */
  private checkWaitTimers(node: NodeBody, path: PathSegment[]): void {
    const business = node.calendar !== undefined || this.definitionCalendar;
    (node.reminders ?? []).forEach((r, i) => {
      this.checkDuration(r.after, [...path, 'reminders', i, 'after'], business);
      if (r.every !== undefined) this.checkDuration(r.every, [...path, 'reminders', i, 'every'], business);
      if (r.times !== undefined && r.times > 1 && r.every === undefined) {
        this.problems.add([...path, 'reminders', i, 'every'], 'a reminder that repeats (times > 1) needs every');
      }
    });
    if (node.timeout) this.checkDuration(node.timeout.after, [...path, 'timeout', 'after'], business);
    let previous = -1;
    (node.escalations ?? []).forEach((level, i) => {
      const ms = this.checkDuration(level.after, [...path, 'escalations', i, 'after'], business);
      if (ms !== null && ms <= previous) {
        this.problems.add([...path, 'escalations', i, 'after'], 'escalation levels come in order: each after a longer time than the one before');
      }
      if (ms !== null) previous = ms;
    });
  }

  /** A duration that parses (and, in working time, has no years or months); its nominal length. */
  private checkDuration(text: string, path: PathSegment[], businessTime: boolean): number | null {
    const parsed = parseIsoDuration(text);
    if (!parsed.ok) {
      this.problems.add(path, parsed.problem);
      return null;
    }
    try {
      return businessTime ? durationToMs(text) : addWallDuration(EPOCH, text).getTime() - EPOCH.getTime();
    } catch (err) {
      this.problems.add(path, `${(err as Error).message}: working time counts days, hours and minutes, not years or months`);
      return null;
    }
  }

  /** Who votes and how many approvals decide; `all`, `majority` and `rejectPolicy: "quorum"` need a known electorate. */
  private checkQuorum(node: NodeBody, path: PathSegment[]): void {
    const { problems } = this;
    const quorum = node.quorum;
    if (!quorum) return;
    const at = [...path, 'quorum'];
    if (present(node.approverUserId) || present(node.approverExpression)) {
      problems.add(at, 'a quorum approval takes its voters from quorum.voters or approverRole, not approverUserId or approverExpression');
    }
    const voters = quorum.voters;
    if (!voters && !present(node.approverRole)) {
      problems.add([...at, 'voters'], 'a quorum needs voters: quorum.voters, or the node\'s approverRole');
      return;
    }
    if (voters && present(node.approverRole)) {
      problems.add([...at, 'voters'], 'give the voters in quorum.voters or as approverRole, not both');
    }
    if (!voters || 'role' in voters) {
      if (typeof quorum.required !== 'number') {
        problems.add([...at, 'required'], `required "${quorum.required}" needs a known number of voters: give quorum.voters as { "users": [ … ] } or { "expression": "…" }`);
      }
      if (quorum.rejectPolicy === 'quorum') {
        problems.add([...at, 'rejectPolicy'], 'rejectPolicy "quorum" needs a known number of voters: give quorum.voters as users or an expression, or use "any"');
      }
      return;
    }
    if ('users' in voters) {
      const unique = new Set(voters.users);
      if (unique.size !== voters.users.length) problems.add([...at, 'voters', 'users'], 'each voter once: the list repeats a user');
      if (typeof quorum.required === 'number' && quorum.required > unique.size) {
        problems.add([...at, 'required'], `required ${quorum.required} is more than the ${unique.size} voters: the vote could never pass`);
      }
      return;
    }
    this.checkExpression(voters.expression, [...at, 'voters', 'expression'], false, true, ['list<string>', 'list<dyn>']);
  }

  /** A CEL expression that names whoever holds a task: a user id, or `{ "role": … }` / `{ "userId": … }`. */
  private checkAssigneeExpression(source: string, path: PathSegment[]): void {
    if (source.trim() === '') {
      this.problems.add(path, 'expression must not be empty');
      return;
    }
    this.checkExpression(source, path, false, true, ['string', 'map<string, string>', 'map<string, dyn>']);
  }

  /**
   * What task nodes name of other nodes: `notDeciderOf` names tasks, `returnTo` an earlier user
   * task from which this node can be reached again.
   */
  private checkTaskReferences(nodes: readonly IndexedNode[], routes: readonly IndexedRoute[]): void {
    const byId = new Map(nodes.map((node) => [node.body.id, node.body] as const));
    const isTask = (id: string) => ['approval', 'user_task'].includes(byId.get(id)?.nodeType ?? '');
    for (const { index, body } of nodes) {
      if (body.nodeType !== 'approval' && body.nodeType !== 'user_task') continue;
      const path: PathSegment[] = ['nodes', index];
      (body.notDeciderOf ?? []).forEach((id, i) => {
        if (id === body.id) this.problems.add([...path, 'notDeciderOf', i], 'a node cannot exclude its own deciders: use distinctDeciders or quorum');
        else if (!byId.has(id)) this.problems.add([...path, 'notDeciderOf', i], `unknown node id "${id}"`);
        else if (!isTask(id)) this.problems.add([...path, 'notDeciderOf', i], `"${id}" is a ${byId.get(id)?.nodeType}: only approvals and user tasks have deciders`);
      });
      if (body.returnTo !== undefined && body.nodeType === 'approval' && body.quorum !== undefined) {
        this.problems.add([...path, 'returnTo'], 'a quorum vote cannot send back for revision: each voter approves or rejects');
      }
      if (body.returnTo === undefined) {
        if (body.maxRounds !== undefined) this.problems.add([...path, 'maxRounds'], 'maxRounds counts returns: it needs returnTo');
        continue;
      }
      const target = byId.get(body.returnTo);
      if (!target) this.problems.add([...path, 'returnTo'], `unknown node id "${body.returnTo}"`);
      else if (target.nodeType !== 'user_task') this.problems.add([...path, 'returnTo'], `"${body.returnTo}" is a ${target.nodeType}: a return goes back to a user task`);
      else if (target.id === body.id || !reachableFrom(target.id, routes).has(body.id)) {
        this.problems.add([...path, 'returnTo'], `"${body.returnTo}" must be an earlier user task, from which "${body.id}" is reached again`);
      }
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
  private checkExpression(
    source: string,
    path: PathSegment[],
    mustBeBoolean: boolean,
    overContext = true,
    resultTypes?: readonly string[],
  ): void {
    if (source.length > this.limits.maxExpressionLength) {
      this.problems.add(path, `expression is longer than ${this.limits.maxExpressionLength} characters`);
      return;
    }
    const checked = checkExpression(source);
    if (!checked.ok) this.problems.add(path, `invalid expression: ${checked.message}`);
    else if (mustBeBoolean && checked.type !== 'bool' && checked.type !== 'dyn') {
      this.problems.add(path, `expression must give a bool, not ${checked.type}`);
    } else if (resultTypes && !fitsResultTypes(checked.type, resultTypes)) {
      this.problems.add(path, `expression must give a ${resultTypes.join(' or ')}, not ${checked.type}`);
    } else if (overContext && this.typedChecks) {
      this.typedChecks.push({ source, path, mustBeBoolean, inTemplate: false, ...(resultTypes ? { resultTypes } : {}) });
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

/** `list<string>` fits `list`; `dyn` fits everything (known only when the expression runs). */
function fitsResultTypes(type: string, allowed: readonly string[]): boolean {
  return type === 'dyn' || allowed.some((kind) => type === kind || type.startsWith(`${kind}<`));
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
    ...(envelope.notStarter !== undefined ? { notStarter: envelope.notStarter } : {}),
    ...(envelope.distinctDeciders !== undefined ? { distinctDeciders: envelope.distinctDeciders } : {}),
    ...(envelope.managerRole !== undefined ? { managerRole: envelope.managerRole } : {}),
    ...(envelope.calendar !== undefined ? { calendar: envelope.calendar } : {}),
  };
  deepFreeze(input);
  const defaults: TaskDefaults = {
    notStarter: envelope.notStarter ?? false,
    distinctDeciders: envelope.distinctDeciders ?? false,
    managerRole: envelope.managerRole ?? null,
    calendar: envelope.calendar ?? null,
  };

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
    compiledNodes.set(body.id, Object.freeze(compiledNode(body, configs[i], Object.freeze(outgoing), Object.freeze(incomingFrom), defaults)));
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
    calendar: envelope.calendar ?? null,
    contextSchema: input.contextSchema ?? null,
    input,
  });
}

/**
 * The variant of `body`'s type, with only that type's fields. The checks before `build` guarantee
 * the fields a variant requires; one missing here is a bug in them.
 */
/** What a definition sets for all its task nodes. */
interface TaskDefaults {
  readonly notStarter: boolean;
  readonly distinctDeciders: boolean;
  readonly managerRole: string | null;
  readonly calendar: string | null;
}

function waitTimers(body: NodeBody, defaults: TaskDefaults) {
  return {
    reminders: Object.freeze((body.reminders ?? []).map((r) => Object.freeze({ after: r.after, every: r.every ?? null, times: r.times ?? 1 }))),
    timeout: body.timeout?.after ?? null,
    calendar: body.calendar ?? defaults.calendar,
  };
}

function taskFields(body: NodeBody, defaults: TaskDefaults) {
  return {
    slaHours: body.slaHours ?? null,
    escalationRole: body.escalationRole ?? null,
    separation: Object.freeze({
      notStarter: body.notStarter ?? defaults.notStarter,
      notDeciderOf: Object.freeze([...(body.notDeciderOf ?? [])]),
      distinctDeciders: body.distinctDeciders ?? defaults.distinctDeciders,
    }),
    managerRole: body.managerRole ?? defaults.managerRole,
    returnTo: body.returnTo ?? null,
    maxRounds: body.maxRounds ?? DEFAULT_MAX_ROUNDS,
    notify: body.notify ? Object.freeze({ email: body.notify.email, users: Object.freeze([...(body.notify.users ?? [])]) }) : null,
    ...waitTimers(body, defaults),
    escalations: Object.freeze((body.escalations ?? []).map((l) => Object.freeze({ after: l.after, toRole: l.toRole, notify: l.notify }))),
  };
}

function compiledQuorum(body: NodeBody): CompiledQuorum | null {
  const quorum = body.quorum;
  if (!quorum) return null;
  const given = quorum.voters;
  const voters: QuorumVoters = !given
    ? { kind: 'role', role: checked(body, 'approverRole', body.approverRole) }
    : 'role' in given
      ? { kind: 'role', role: given.role }
      : 'users' in given
        ? { kind: 'users', users: Object.freeze([...given.users]) }
        : { kind: 'expression', expression: given.expression };
  return Object.freeze({ voters: Object.freeze(voters), required: quorum.required, rejectPolicy: quorum.rejectPolicy });
}

function compiledNode(
  body: NodeBody,
  parsedConfig: Record<string, unknown> | undefined,
  outgoing: readonly CompiledRoute[],
  incomingFrom: readonly string[],
  defaults: TaskDefaults,
): CompiledNode {
  const common = { id: body.id, name: body.name, join: body.join ?? false, outgoing, incomingFrom };
  switch (body.nodeType) {
    case 'approval': {
      const quorum = compiledQuorum(body);
      return {
        ...common,
        nodeType: 'approval',
        // a quorum's voters are its own: the role (if any) is not also a single approver
        approverRole: quorum ? null : body.approverRole ?? null,
        approverUserId: body.approverUserId ?? null,
        approverExpression: body.approverExpression ?? null,
        quorum,
        ...taskFields(body, defaults),
      };
    }
    case 'user_task':
      return {
        ...common,
        nodeType: 'user_task',
        assigneeRole: body.assigneeRole ?? null,
        assigneeUserId: body.assigneeUserId ?? null,
        assigneeExpression: body.assigneeExpression ?? null,
        formSchema: body.formSchema ?? null,
        pausesSla: body.pausesSla ?? false,
        ...taskFields(body, defaults),
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
    case 'timer': {
      const timer = { ...common, nodeType: 'timer' as const, timezone: body.timezone ?? 'UTC', businessTime: body.businessTime ?? false, calendar: body.calendar ?? defaults.calendar };
      if (body.duration !== undefined) return { ...timer, wait: 'duration', duration: body.duration };
      if (body.until !== undefined) return { ...timer, wait: 'until', until: body.until };
      return { ...timer, wait: 'cron', cron: checked(body, 'cron', body.cron) };
    }
    case 'receive':
      return {
        ...common,
        nodeType: 'receive',
        messageName: checked(body, 'messageName', body.messageName),
        correlationKey: checked(body, 'correlationKey', body.correlationKey),
        outputMapping: body.outputMapping ?? null,
        pausesSla: body.pausesSla ?? false,
        ...waitTimers(body, defaults),
      };
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

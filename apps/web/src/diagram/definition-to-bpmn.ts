/**
 * An engine definition as BPMN 2.0 XML (a process without diagram interchange: bpmn-auto-layout
 * adds the shapes' positions). The export is standard BPMN a person can open in Camunda Modeler:
 * approvals and user tasks are userTasks, service tasks serviceTasks, gateways exclusive or
 * parallel gateways, sub-workflows callActivities, timers and receive nodes intermediate catch
 * events (timer and message). The engine has no start and end nodes: a start event points at the
 * definition's start node and every node without a route out ends in an end event of its own.
 *
 * Element ids come from node ids (`Node_<id>`), so the app can find a node's shape again; names
 * and conditions are XML-escaped, so a definition cannot inject markup into the diagram.
 */

/** The parts of a definition (as the API returns it, or as a person wrote it) the diagram needs. */
export interface DiagramNode {
  readonly id: string;
  readonly nodeType: string;
  readonly name?: string;
  readonly gatewayType?: unknown;
  readonly join?: unknown;
  readonly conditionExpression?: unknown;
}

interface DiagramRoute {
  readonly fromNodeId: string;
  readonly toNodeId: string;
  readonly condition?: string | null;
}

export interface DiagramDefinition {
  readonly name: string;
  readonly startNodeId?: string | null;
  readonly nodes: readonly DiagramNode[];
  readonly routes: readonly DiagramRoute[];
}

/** A sequence flow of the export, between node ids (`null`: the start or an end event). */
export interface DiagramFlow {
  readonly id: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly label: string | null;
}

export interface BpmnExport {
  readonly xml: string;
  /** node id -> BPMN element id */
  readonly elementIds: ReadonlyMap<string, string>;
  /** BPMN element id -> node id (the start and end events are not nodes) */
  readonly nodeIds: ReadonlyMap<string, string>;
  readonly flows: readonly DiagramFlow[];
  readonly startEventId: string;
  /** the parallel gateways more than one route enters (joins): every branch into them is taken */
  readonly joinNodeIds: ReadonlySet<string>;
}

const NODE_ID = /^[A-Za-z0-9_.-]+$/;

/**
 * The BPMN element id of a node: `Node_<id>` for the ids the engine allows (letters, digits, `_`,
 * `.`, `-`, all valid in an XML NCName after the prefix), else `NodeX_` and the id's UTF-8 bytes
 * in hex. Distinct node ids always give distinct element ids.
 */
export function bpmnIdOf(nodeId: string): string {
  if (NODE_ID.test(nodeId)) return `Node_${nodeId}`;
  const hex = Array.from(new TextEncoder().encode(nodeId), (b) => b.toString(16).padStart(2, '0')).join('');
  return `NodeX_${hex}`;
}

/** Text safe inside an XML attribute or element: `& < > " '` as entities, control characters dropped. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The BPMN element a node type is drawn as. */
export function bpmnElementOf(node: DiagramNode): string {
  switch (node.nodeType) {
    case 'approval':
    case 'user_task':
      return 'userTask';
    case 'service_task':
      return 'serviceTask';
    case 'gateway':
      return node.gatewayType === 'parallel' || node.join === true ? 'parallelGateway' : 'exclusiveGateway';
    case 'sub_workflow':
      return 'callActivity';
    case 'timer':
    case 'receive':
      return 'intermediateCatchEvent';
    default:
      return 'task';
  }
}

/** A route's label: its condition as written (`true`, `false`, `rejected`, `timeout`, a CEL expression). */
export function routeLabel(condition: string | null | undefined): string | null {
  if (condition === undefined || condition === null) return null;
  const trimmed = condition.trim();
  return trimmed === '' ? null : trimmed;
}

/** The start node the engine would use: the given one, else the first node no route enters. */
export function startNodeOf(def: DiagramDefinition): string | null {
  const ids = new Set(def.nodes.map((n) => n.id));
  if (def.startNodeId && ids.has(def.startNodeId)) return def.startNodeId;
  const entered = new Set(def.routes.map((r) => r.toNodeId));
  return def.nodes.find((n) => !entered.has(n.id))?.id ?? def.nodes[0]?.id ?? null;
}

function attr(name: string, value: string): string {
  return ` ${name}="${xmlEscape(value)}"`;
}

/** The BPMN 2.0 XML of `def` (no DI) and how its elements map back to nodes. */
export function definitionToBpmn(def: DiagramDefinition): BpmnExport {
  const nodes = def.nodes.filter((n, i, all) => typeof n.id === 'string' && all.findIndex((m) => m.id === n.id) === i);
  const known = new Set(nodes.map((n) => n.id));
  const routes = def.routes.filter((r) => known.has(r.fromNodeId) && known.has(r.toNodeId));
  const elementIds = new Map(nodes.map((n) => [n.id, bpmnIdOf(n.id)]));
  const nodeIds = new Map(nodes.map((n) => [bpmnIdOf(n.id), n.id]));
  const startEventId = 'StartEvent';

  const flows: DiagramFlow[] = [];
  const start = startNodeOf({ ...def, nodes, routes });
  if (start !== null) flows.push({ id: 'Flow_start', from: null, to: start, label: null });
  routes.forEach((r, i) => flows.push({ id: `Flow_${i + 1}`, from: r.fromNodeId, to: r.toNodeId, label: routeLabel(r.condition) }));
  const withOutgoing = new Set(routes.map((r) => r.fromNodeId));
  const ends = nodes.filter((n) => !withOutgoing.has(n.id));
  for (const n of ends) flows.push({ id: `Flow_end_${bpmnIdOf(n.id)}`, from: n.id, to: null, label: null });

  const endIdOf = (nodeId: string) => `End_${bpmnIdOf(nodeId)}`;
  const refOf = (nodeId: string | null, flow: DiagramFlow) => (nodeId === null ? (flow.from === null ? startEventId : endIdOf(flow.from)) : (elementIds.get(nodeId) as string));
  const incoming = new Map<string, string[]>();
  const outgoing = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, key: string, flowId: string) => map.set(key, [...(map.get(key) ?? []), flowId]);
  for (const f of flows) {
    push(outgoing, refOf(f.from, f), f.id);
    push(incoming, f.to === null ? endIdOf(f.from as string) : refOf(f.to, f), f.id);
  }
  const links = (id: string) =>
    [...(incoming.get(id) ?? []).map((f) => `<bpmn:incoming>${f}</bpmn:incoming>`), ...(outgoing.get(id) ?? []).map((f) => `<bpmn:outgoing>${f}</bpmn:outgoing>`)].join('');

  const body: string[] = [];
  body.push(`<bpmn:startEvent${attr('id', startEventId)}${attr('name', 'Start')}>${links(startEventId)}</bpmn:startEvent>`);
  for (const n of nodes) {
    const id = elementIds.get(n.id) as string;
    const element = bpmnElementOf(n);
    const name = typeof n.name === 'string' && n.name !== '' ? n.name : n.id;
    let inner = links(id);
    if (n.nodeType === 'timer') inner += '<bpmn:timerEventDefinition />';
    if (n.nodeType === 'receive') inner += '<bpmn:messageEventDefinition />';
    if (element === 'exclusiveGateway' && typeof n.conditionExpression === 'string') {
      inner = `<bpmn:documentation>${xmlEscape(n.conditionExpression)}</bpmn:documentation>${inner}`;
    }
    body.push(`<bpmn:${element}${attr('id', id)}${attr('name', name)}>${inner}</bpmn:${element}>`);
  }
  for (const n of ends) {
    const id = endIdOf(n.id);
    body.push(`<bpmn:endEvent${attr('id', id)}${attr('name', 'End')}>${links(id)}</bpmn:endEvent>`);
  }
  for (const f of flows) {
    const source = refOf(f.from, f);
    const target = f.to === null ? endIdOf(f.from as string) : refOf(f.to, f);
    const name = f.label === null ? '' : attr('name', f.label);
    const condition =
      f.label === null ? '' : `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${xmlEscape(f.label)}</bpmn:conditionExpression>`;
    body.push(
      `<bpmn:sequenceFlow${attr('id', f.id)}${name}${attr('sourceRef', source)}${attr('targetRef', target)}>${condition}</bpmn:sequenceFlow>`,
    );
  }

  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    ' id="Definitions_1" targetNamespace="urn:workflow-engine" exporter="workflow-engine web app" exporterVersion="1">',
    `<bpmn:process id="Process_1"${attr('name', def.name)} isExecutable="false">`,
    ...body,
    '</bpmn:process>',
    '</bpmn:definitions>',
  ].join('\n');
  const entering = (id: string) => routes.filter((r) => r.toNodeId === id).length;
  const joinNodeIds = new Set(nodes.filter((n) => bpmnElementOf(n) === 'parallelGateway' && entering(n.id) > 1).map((n) => n.id));
  return { xml, elementIds, nodeIds, flows, startEventId, joinNodeIds };
}

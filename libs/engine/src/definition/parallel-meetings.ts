/**
 * Where branches that run at the same time meet again without a join. Such a node is activated
 * once per arriving branch and so runs once per branch; `"join": true` makes it wait and run once.
 *
 * Branches run at the same time when they leave a fork (see `chooseRoutes` in runtime/routing.ts):
 * - a parallel gateway takes every route;
 * - any other node but a gateway takes every route without a condition and every expression
 *   route that holds, so two or more of those may all be taken.
 * An exclusive gateway takes one route, and "rejected" routes are taken instead of the others, so
 * neither forks: their branches may merge without a join (a rework loop, an if/else that meets).
 *
 * Per fork, each branch carries a token of its own along the routes (any route: which one is
 * taken further on is not known here). A join, or a node already reported (it is about to be
 * one), lets one token of its own out. A node that is not a join and holds two tokens is a
 * meeting; the one nearest the fork is reported first, then the search runs again as if it were a
 * join, so only the nodes that need `join` are named, not everything after them.
 */
import type { RouteKind } from './definition.types';

export interface MeetingNode {
  readonly id: string;
  readonly nodeType: string;
  readonly gatewayType?: string | undefined;
  readonly join?: boolean | undefined;
}

export interface MeetingRoute {
  readonly fromNodeId: string;
  readonly toNodeId: string;
  readonly kind: RouteKind;
}

export interface UnjoinedMeeting {
  /** the node where the branches meet */
  readonly nodeId: string;
  /** the node whose routes the branches left */
  readonly forkId: string;
  readonly forkIsParallelGateway: boolean;
}

/** A node's tokens: at most two are kept, since two are enough to call it a meeting. */
const TOKENS_KEPT = 2;

function isParallelGateway(node: MeetingNode): boolean {
  return node.nodeType === 'gateway' && node.gatewayType === 'parallel';
}

/** The routes out of `node` that may be taken together. */
function forkRoutes(node: MeetingNode, outgoing: readonly MeetingRoute[]): readonly MeetingRoute[] {
  if (isParallelGateway(node)) return outgoing;
  if (node.nodeType === 'gateway') return [];
  return outgoing.filter((route) => route.kind === 'always' || route.kind === 'expression');
}

class Graph {
  readonly byId: ReadonlyMap<string, MeetingNode>;
  readonly outgoing = new Map<string, MeetingRoute[]>();

  constructor(readonly nodes: readonly MeetingNode[], routes: readonly MeetingRoute[]) {
    this.byId = new Map(nodes.map((node) => [node.id, node]));
    for (const route of routes) {
      if (!this.byId.has(route.fromNodeId) || !this.byId.has(route.toNodeId)) continue;
      const list = this.outgoing.get(route.fromNodeId) ?? [];
      list.push(route);
      this.outgoing.set(route.fromNodeId, list);
    }
  }

  next(id: string): readonly MeetingRoute[] {
    return this.outgoing.get(id) ?? [];
  }

  /** Routes from the fork to each node, not passing through the fork again. */
  distancesFrom(forkId: string): Map<string, number> {
    const distance = new Map<string, number>([[forkId, 0]]);
    const queue = [forkId];
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const d = distance.get(id) ?? 0;
      for (const route of this.next(id)) {
        if (distance.has(route.toNodeId)) continue;
        distance.set(route.toNodeId, d + 1);
        queue.push(route.toNodeId);
      }
    }
    return distance;
  }

  /** The tokens each node may hold once the fork's branches have run as far as they can. */
  tokens(fork: MeetingNode, branches: readonly MeetingRoute[], joins: ReadonlySet<string>): Map<string, Set<string>> {
    const held = new Map<string, Set<string>>();
    const queue: string[] = [];
    const give = (id: string, token: string) => {
      // back at the fork is a new round of it, not a branch of this one
      if (id === fork.id) return;
      const tokens = held.get(id) ?? new Set<string>();
      if (tokens.has(token) || tokens.size >= TOKENS_KEPT) return;
      tokens.add(token);
      held.set(id, tokens);
      queue.push(id);
    };
    branches.forEach((route, index) => give(route.toNodeId, `branch ${index}`));
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const out = joins.has(id) ? [`join ${id}`] : [...(held.get(id) ?? [])];
      for (const route of this.next(id)) for (const token of out) give(route.toNodeId, token);
    }
    return held;
  }
}

/**
 * Every node where branches of one fork meet and that is not a join, in the order found: forks
 * in node order, and per fork the meeting nearest to it first. A node is named once, for the
 * first fork whose branches meet there.
 */
export function unjoinedMeetings(nodes: readonly MeetingNode[], routes: readonly MeetingRoute[]): UnjoinedMeeting[] {
  const graph = new Graph(nodes, routes);
  const order = new Map(nodes.map((node, index) => [node.id, index]));
  /** joins as written, and the meetings named so far, which are to become joins */
  const joins = new Set(nodes.filter((node) => node.join === true).map((node) => node.id));
  const meetings: UnjoinedMeeting[] = [];
  for (const fork of nodes) {
    const branches = forkRoutes(fork, graph.next(fork.id));
    if (branches.length < 2) continue;
    const distance = graph.distancesFrom(fork.id);
    for (;;) {
      const held = graph.tokens(fork, branches, joins);
      const met = [...held]
        .filter(([id, tokens]) => tokens.size >= TOKENS_KEPT && !joins.has(id))
        .map(([id]) => id)
        .sort(
          (a, b) =>
            (distance.get(a) ?? Infinity) - (distance.get(b) ?? Infinity) || (order.get(a) ?? 0) - (order.get(b) ?? 0),
        );
      const first = met[0];
      if (first === undefined) break;
      joins.add(first);
      meetings.push({ nodeId: first, forkId: fork.id, forkIsParallelGateway: isParallelGateway(fork) });
    }
  }
  return meetings;
}

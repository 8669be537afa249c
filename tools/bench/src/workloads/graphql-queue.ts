/**
 * W3's task queue through GraphQL beside REST: `myPendingTasks(limit: 100)`, selecting every field
 * `GET /api/tasks/mine?limit=100` answers, against that REST request, for the same user holding
 * one of the parked roles. The two alternate request by request on an otherwise idle engine, so
 * both see the same database, caches and machine load; a few unmeasured rounds come first.
 * Target: GraphQL's p99 within 1.5x of REST's.
 */

import type { BenchSession } from '../bench-session';
import { summarize, type Summary } from '../stats';

const QUERY = `query BenchQueue {
  myPendingTasks(limit: 100) {
    taskId instanceId workflowName taskName nodeType urgencyLevel hoursRemaining isOverdue slaDeadline
    assignedUserId assignedRole contextEntityType contextEntityId contextData createdAt
  }
}`;

/** GraphQL p99 / REST p99 at most this. */
const TARGET_RATIO = 1.5;

export interface GraphqlQueueResult {
  readonly rest: Summary;
  readonly graphql: Summary;
  /** GraphQL p99 / REST p99 */
  readonly p99Ratio: number;
  readonly withinTarget: boolean;
  /** items in the last answers (limit 100), which must agree */
  readonly restItems: number;
  readonly graphqlItems: number;
  readonly errors: number;
}

/**
 * `count` rounds (one REST and one GraphQL request each) or `seconds`, whichever ends first.
 */
export async function graphqlTaskQueueLatency(s: BenchSession, count: number, seconds: number): Promise<GraphqlQueueResult> {
  const rest: number[] = [];
  const graphql: number[] = [];
  let restItems = 0;
  let graphqlItems = 0;
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  for (let i = -10; i < count && performance.now() < until; i++) {
    // which goes first alternates, so neither always meets the warmer cache
    const order = i % 2 === 0 ? (['rest', 'graphql'] as const) : (['graphql', 'rest'] as const);
    for (const kind of order) {
      const sent = performance.now();
      if (kind === 'rest') {
        const res = await s.api.request<{ items: unknown[] }>('GET', '/api/tasks/mine?limit=100', s.tokens.clerk);
        const ms = performance.now() - sent;
        if (res.status !== 200) {
          errors += 1;
          continue;
        }
        restItems = res.body.items.length;
        if (i >= 0) rest.push(ms);
      } else {
        const res = await s.api.request<{ data?: { myPendingTasks: unknown[] | null }; errors?: unknown[] }>('POST', '/graphql', s.tokens.clerk, { query: QUERY });
        const ms = performance.now() - sent;
        const items = res.body.data?.myPendingTasks;
        if (res.status !== 200 || res.body.errors !== undefined || !Array.isArray(items)) {
          errors += 1;
          continue;
        }
        graphqlItems = items.length;
        if (i >= 0) graphql.push(ms);
      }
    }
  }
  const restSummary = summarize(rest);
  const graphqlSummary = summarize(graphql);
  const p99Ratio = graphqlSummary.p99 / restSummary.p99;
  return {
    rest: restSummary,
    graphql: graphqlSummary,
    p99Ratio,
    withinTarget: Number.isFinite(p99Ratio) && p99Ratio <= TARGET_RATIO,
    restItems,
    graphqlItems,
    errors: errors + (restItems === graphqlItems ? 0 : 1),
  };
}

/**
 * W7, I/O steps: start -> 3 `http_call` service tasks -> end, each a GET to a keep-alive HTTP
 * server in the bench process that answers at once (the engine may call it through
 * HTTP_CALL_ALLOWED_HOSTS). Driven by the same closed loop as W1, on the same engine; reported as
 * instances/s, CPU per I/O step (engine + its Postgres backends + redis-server, over the whole loop,
 * divided by the steps it ran) and the hand-off between steps (one execution's completed_at to the
 * next one's started_at, from the engine's own stamps).
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from 'pg';
import type { ProbeDb } from '../bench-resources';
import type { BenchSession, NodeQueueProbe } from '../bench-session';
import { CpuMeter, engineBackendPids } from '../resource-meters';
import { summarize, type Summary } from '../stats';
import { runClosedLoop, type ClosedLoopResult } from './w1-straight-through';

export const W7_STEPS = 3;
export const W7_NODE_IDS = Array.from({ length: W7_STEPS }, (_, i) => `call_${i + 1}`);

export interface EchoServer {
  readonly host: string;
  readonly port: number;
  /** requests answered */
  readonly requests: () => number;
  close(): Promise<void>;
}

/** A keep-alive HTTP server answering every request at once with a small JSON body. */
export async function startEchoServer(): Promise<EchoServer> {
  let requests = 0;
  const body = Buffer.from('{"ok":true}');
  const server = http.createServer({ keepAlive: true, keepAliveTimeout: 65_000 }, (req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function w7Definition(name: string, url: string) {
  const nodes = W7_NODE_IDS.map((id, i) => ({
    id,
    nodeType: 'service_task',
    name: `Call ${i + 1}`,
    serviceType: 'http_call',
    serviceConfig: { url, method: 'GET', timeoutMs: 5000 },
  }));
  const routes = nodes.slice(1).map((n, i) => ({ fromNodeId: (nodes[i] as (typeof nodes)[number]).id, toNodeId: n.id }));
  return { name, nodes, routes };
}

export interface W7Result {
  readonly loop: ClosedLoopResult;
  /** CPU µs per http_call step over the whole loop, by process group */
  readonly cpuMicrosPerStep: Record<string, number>;
  /** one step's completed_at -> the next step's started_at, within an instance */
  readonly handoff: Summary;
  /** the first step: ready_at (the start transaction) -> started_at */
  readonly firstClaim: Summary;
  /** one step's started_at -> completed_at (claim commit, the call, the result commit) */
  readonly stepRun: Summary;
  /** requests the echo server answered during the loop */
  readonly calls: number;
}

export interface W7Options {
  readonly definitionId: string;
  readonly inflight: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly drainTimeoutSeconds: number;
  readonly dbName: string;
  readonly redisPid: number;
}

export async function runHttpCalls(s: BenchSession, probe: ProbeDb, admin: Client, queue: Pick<NodeQueueProbe, 'backlog'>, echo: EchoServer, o: W7Options): Promise<W7Result> {
  const backends0 = await engineBackendPids(admin, o.dbName);
  const pids0 = [...s.cluster.pids, ...backends0, o.redisPid];
  const cpu = new CpuMeter(pids0);
  const calls0 = echo.requests();
  const loop = await runClosedLoop(s, probe, queue, {
    definitionId: o.definitionId,
    inflight: o.inflight,
    warmupSeconds: o.warmupSeconds,
    seconds: o.seconds,
    drainTimeoutSeconds: o.drainTimeoutSeconds,
    steps: W7_STEPS,
  });
  const backends = [...new Set([...backends0, ...(await engineBackendPids(admin, o.dbName))])];
  const steps = Math.max(1, loop.ids.length * W7_STEPS);
  const cpuMicrosPerStep = {
    engine: cpu.used(s.cluster.pids) / steps,
    'postgres-backends': cpu.used(backends) / steps,
    'redis-server': cpu.used([o.redisPid]) / steps,
  };
  const calls = echo.requests() - calls0;
  const r = await probe.query<{ handoff: string | null; first: string | null; run: string | null }>(
    `SELECT extract(epoch FROM (started_at - lag(completed_at) OVER w)) * 1000 AS handoff,
            CASE WHEN row_number() OVER w = 1 THEN extract(epoch FROM (started_at - ready_at)) * 1000 END AS first,
            extract(epoch FROM (completed_at - started_at)) * 1000 AS run
     FROM workflow_instance_nodes WHERE instance_id = ANY ($1::uuid[]) AND completed_at IS NOT NULL
     WINDOW w AS (PARTITION BY instance_id ORDER BY seq)`,
    [loop.ids],
  );
  const pick = (k: 'handoff' | 'first' | 'run') => r.rows.flatMap((row) => (row[k] === null ? [] : [Number(row[k])]));
  return { loop, cpuMicrosPerStep, handoff: summarize(pick('handoff')), firstClaim: summarize(pick('first')), stepRun: summarize(pick('run')), calls };
}

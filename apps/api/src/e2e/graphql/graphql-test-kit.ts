/**
 * What the GraphQL integration files share: the app with GraphQL mounted over a harness's engine
 * (as the api role mounts it), a client that posts documents, the guide's fixture documents, and
 * a Server-Sent Events reader for subscriptions over a real socket.
 */
import { readFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { createApp, graphqlApiOf } from '@wf/http';
import { createLogger } from '@wf/runtime';
import type { Harness } from '../../testing/engine-harness';

export interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; details?: unknown } & Record<string, unknown>;
}

export interface GraphqlAnswer<D = Record<string, unknown>> {
  status: number;
  data?: D | null;
  errors?: GraphqlError[];
}

/** A fixture document of fixtures/, read as written. */
export function fixture(name: string): string {
  return readFileSync(join(__dirname, 'fixtures', name), 'utf8');
}

export interface GraphqlApp {
  readonly app: Express;
  /** POST /graphql with the token; `data` and `errors` of the answer */
  run<D = Record<string, unknown>>(token: string | null, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<GraphqlAnswer<D>>;
  close(): Promise<void>;
}

/** The engine's app with GraphQL, exactly as `startApiRole` builds it. */
export function graphqlApp(h: Harness, config: Partial<Pick<Harness['rt']['config'], 'rateLimitPerMinute' | 'graphqlIntrospection'>> = {}): GraphqlApp {
  const log = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent');
  const rt = { ...h.rt, config: { ...h.rt.config, ...config } };
  const gql = graphqlApiOf(rt, log);
  const app = createApp({ services: h.rt.services, config: rt.config, logger: log, graphql: gql.mount });
  return {
    app,
    async run<D>(token: string | null, query: string, variables?: Record<string, unknown>, operationName?: string) {
      const req = request(app).post('/graphql').set('Content-Type', 'application/json');
      if (token) req.set('Authorization', `Bearer ${token}`);
      const res = await req.send({ query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) });
      const body = res.body as { data?: D | null; errors?: GraphqlError[] };
      return { status: res.status, ...body };
    },
    close: () => gql.close(),
  };
}

/** The codes of an answer's errors. */
export const codes = (a: GraphqlAnswer<unknown>): (string | undefined)[] => (a.errors ?? []).map((e) => e.extensions?.code);

/** `data` of an answer that must have none of `errors` (they are shown when it has). */
export function dataOf<D>(a: GraphqlAnswer<D>): D {
  expect({ status: a.status, errors: a.errors }).toEqual({ status: 200, errors: undefined });
  return a.data as D;
}

/** The one error of an operation that ran (200) and was refused. */
export function errorOf(a: GraphqlAnswer<unknown>): GraphqlError {
  expect(a.status).toBe(200);
  expect(a.errors).toHaveLength(1);
  return (a.errors as GraphqlError[])[0] as GraphqlError;
}

/** Serve `app` on a free loopback port. */
export async function listen(app: Express): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

export interface SseEvent {
  /** Date.now() when it arrived */
  readonly at: number;
  readonly event: string;
  readonly data: unknown;
}

/** One subscription over Server-Sent Events (graphql-sse's distinct connections mode). */
export class SseSubscription {
  readonly events: SseEvent[] = [];
  /** the HTTP status, once the answer's head arrived */
  status = 0;
  private readonly req: http.ClientRequest;
  private readonly waiters = new Set<() => void>();
  private buffer = '';
  private body = '';
  readonly opened: Promise<number>;
  /** resolves when the server ended the answer */
  readonly ended: Promise<void>;

  constructor(baseUrl: string, token: string, query: string) {
    const payload = JSON.stringify({ query });
    const u = new URL('/graphql/stream', baseUrl);
    this.req = http.request(u, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(payload) },
    });
    let ended: () => void = () => undefined;
    this.ended = new Promise((resolve) => (ended = resolve));
    this.opened = new Promise((resolve, reject) => {
      this.req.on('response', (res) => {
        this.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.read(chunk));
        res.on('error', () => undefined);
        res.on('end', ended);
        resolve(this.status);
      });
      this.req.on('error', reject);
    });
    this.req.end(payload);
  }

  /** What the answer said when it was not an event stream. */
  get text(): string {
    return this.body;
  }

  /** The `taskQueueChanged` payloads of the events heard so far. */
  changes<C = { change: string; taskId: string | null; instanceId: string | null }>(): C[] {
    return this.nexts.map((n) => n.payload.data?.['taskQueueChanged'] as C);
  }

  /** Resolves once a change matching `match` arrived; rejects after `timeoutMs`. */
  async waitForChange<C extends { change: string; taskId: string | null; instanceId: string | null }>(match: (c: C) => boolean, timeoutMs = 10_000): Promise<C> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.changes<C>().find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching change within ${timeoutMs} ms; heard ${JSON.stringify(this.changes())}`);
      await this.waitForNexts(this.nexts.length + 1, left).catch(() => undefined);
    }
  }

  /** The `next` events' payloads. */
  get nexts(): { at: number; payload: { data?: Record<string, unknown> | null; errors?: GraphqlError[] } }[] {
    return this.events.filter((e) => e.event === 'next').map((e) => ({ at: e.at, payload: e.data as { data?: Record<string, unknown> | null; errors?: GraphqlError[] } }));
  }

  /** Resolves once `count` next events arrived; rejects after `timeoutMs`. */
  async waitForNexts(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.nexts.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} events, got ${this.nexts.length}: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  close(): void {
    this.req.destroy();
  }

  private read(chunk: string): void {
    if (this.status !== 200) {
      this.body += chunk;
      return;
    }
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0 && event === 'message') continue;
      const text = data.join('\n');
      let parsed: unknown = text;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        // kept as text
      }
      this.events.push({ at: Date.now(), event, data: parsed });
    }
    for (const w of [...this.waiters]) w();
  }
}

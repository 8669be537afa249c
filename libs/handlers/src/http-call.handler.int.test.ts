/**
 * http_call against real local servers. Every local address is private, so each test says which
 * hosts the handler may reach; a refused destination must fail before any connection (the
 * servers count the connections they accept).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineError, type JsonObject, type ServiceCallContext } from '@wf/engine';
import type { HandlerLog } from './handler-log';
import { createHttpCallHandler, type HttpCallHandlerOptions } from './http-call.handler';

interface TestServer {
  readonly port: number;
  readonly url: string;
  connections: number;
  close(): Promise<void>;
}

async function startServer(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const state: TestServer = {
    port,
    url: `http://127.0.0.1:${port}`,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => {
    state.connections++;
  });
  return state;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

const log: HandlerLog = { debug() {}, info() {}, warn() {} };

function handler(opts: Partial<HttpCallHandlerOptions> = {}) {
  return createHttpCallHandler({ allowedHosts: [], log, ...opts });
}

function call(config: JsonObject, context: JsonObject = {}, signal = new AbortController().signal): ServiceCallContext {
  const instance = { id: '7d3c5a52-8f1e-4a43-9c55-2f4b3b8f0a01', workflowName: 'orders' };
  return {
    tenantId: '00000000-0000-0000-0000-000000000001',
    instanceId: instance.id,
    executionId: '0b8a4c1e-62a4-4b0e-8f4e-3f1c2d3e4f50',
    nodeId: 'call_api',
    config,
    context,
    scope: { context, instance },
    attempt: 1,
    signal,
  };
}

/** The rejection as an EngineError, failing the test when the call succeeds or throws something else. */
async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('http_call', () => {
  let api: TestServer;
  let other: TestServer;

  beforeAll(async () => {
    api = await startServer((req, body, res) => {
      if (req.url === '/fail') return json(res, 500, { error: 'boom' });
      if (req.url === '/hang') return; // never answers
      if (req.url === '/to-other') {
        res.writeHead(302, { location: `http://localhost:${other.port}/` });
        return res.end();
      }
      if (req.url === '/to-other-ip') {
        res.writeHead(307, { location: `http://127.0.0.1:${other.port}/` });
        return res.end();
      }
      if (req.url === '/see-other') {
        res.writeHead(303, { location: '/echo?after=303' });
        return res.end();
      }
      if (req.url === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('plain words');
      }
      json(res, 200, {
        method: req.method,
        path: req.url,
        tenant: req.headers['x-tenant'] ?? null,
        contentType: req.headers['content-type'] ?? null,
        body: body ? (JSON.parse(body) as unknown) : null,
      });
    });
    other = await startServer((_req, _body, res) => json(res, 200, { reached: 'other' }));
  });

  afterAll(async () => {
    await api.close();
    await other.close();
  });

  beforeEach(() => {
    api.connections = 0;
    other.connections = 0;
  });

  describe('to an allowed host', () => {
    it('renders url, headers and body templates and stores the JSON response under resultVariable', async () => {
      const result = await handler({ allowedHosts: ['127.0.0.1'] }).execute(
        call(
          {
            url: `${api.url}/orders/{{ context.orderId }}?amount={{ context.amount }}`,
            method: 'POST',
            headers: { 'X-Tenant': '{{ instance.workflowName }}' },
            body: { id: '{{ context.orderId }}', lines: [{ note: 'total {{ context.amount * 2 }}' }], fixed: 3 },
            resultVariable: 'orderResponse',
          },
          { orderId: 'PO-42', amount: 150 },
        ),
      );
      expect(result.output).toEqual({ status: 200, url: `${api.url}/orders/PO-42?amount=150` });
      expect(result.contextUpdates).toEqual({
        orderResponse: {
          method: 'POST',
          path: '/orders/PO-42?amount=150',
          tenant: 'orders',
          contentType: 'application/json',
          body: { id: 'PO-42', lines: [{ note: 'total 300' }], fixed: 3 },
        },
      });
      expect(api.connections).toBe(1);
    });

    it('stores a non-JSON body as text, and nothing without resultVariable', async () => {
      const h = handler({ allowedHosts: ['127.0.0.1'] });
      const text = await h.execute(call({ url: `${api.url}/text`, resultVariable: 'page' }));
      expect(text.contextUpdates).toEqual({ page: 'plain words' });
      const none = await h.execute(call({ url: `${api.url}/echo` }));
      expect(none.contextUpdates).toEqual({});
    });

    it('reaches a host resolved through DNS when the name is allowed', async () => {
      const result = await handler({ allowedHosts: ['localhost'] }).execute(
        call({ url: `http://localhost:${api.port}/echo`, resultVariable: 'r' }),
      );
      expect(result.output).toEqual({ status: 200, url: `http://localhost:${api.port}/echo` });
    });

    it('follows a 303 with a GET without the body', async () => {
      const result = await handler({ allowedHosts: ['127.0.0.1'] }).execute(
        call({ url: `${api.url}/see-other`, method: 'POST', body: { a: 1 }, resultVariable: 'r' }),
      );
      expect(result.output).toEqual({ status: 200, url: `${api.url}/echo?after=303` });
      expect(result.contextUpdates?.['r']).toMatchObject({ method: 'GET', body: null, contentType: null });
    });
  });

  describe('refused destinations', () => {
    const refusedCases: Array<[string, () => string]> = [
      ['a loopback IP literal', () => `${api.url}/echo`],
      ['localhost (resolved through DNS)', () => `http://localhost:${api.port}/echo`],
      ['IPv6 loopback', () => `http://[::1]:${api.port}/`],
      ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${api.port}/`],
      ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
      ['a private network address', () => 'http://10.0.0.1/'],
      ['carrier-grade NAT', () => 'http://100.64.0.1/'],
      ['the unspecified address', () => `http://0.0.0.0:${api.port}/`],
      ['a decimal-encoded loopback', () => `http://2130706433:${api.port}/`],
    ];

    it.each(refusedCases)('refuses %s before connecting', async (_name, url) => {
      const started = Date.now();
      const err = await failure(handler().execute(call({ url: url() })));
      expect(err.code).toBe('DESTINATION_REFUSED');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/not a public address/);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(api.connections).toBe(0);
    });

    it('refuses a templated url that renders to a private host', async () => {
      const err = await failure(handler().execute(call({ url: 'http://{{ context.host }}/' }, { host: '192.168.1.10' })));
      expect(err.code).toBe('DESTINATION_REFUSED');
    });

    it('refuses a redirect hop to a disallowed host; the second server sees no connection', async () => {
      const err = await failure(handler({ allowedHosts: ['127.0.0.1'] }).execute(call({ url: `${api.url}/to-other` })));
      expect(err.code).toBe('DESTINATION_REFUSED');
      expect(err.message).toContain('localhost');
      expect(api.connections).toBe(1);
      expect(other.connections).toBe(0);
    });

    it('matches a host:port entry only on that port, redirects included', async () => {
      const h = handler({ allowedHosts: [`127.0.0.1:${api.port}`] });
      await expect(h.execute(call({ url: `${api.url}/echo` }))).resolves.toMatchObject({ output: { status: 200 } });

      const direct = await failure(h.execute(call({ url: `${other.url}/` })));
      expect(direct.code).toBe('DESTINATION_REFUSED');

      const hop = await failure(h.execute(call({ url: `${api.url}/to-other-ip` })));
      expect(hop.code).toBe('DESTINATION_REFUSED');
      expect(other.connections).toBe(0);
    });
  });

  describe('failures that a retry may fix', () => {
    it('turns a 500 into a retryable HTTP_STATUS_500', async () => {
      const err = await failure(handler({ allowedHosts: ['127.0.0.1'] }).execute(call({ url: `${api.url}/fail` })));
      expect(err.code).toBe('HTTP_STATUS_500');
      expect(err.retryable).toBe(true);
      expect(err.message).toContain('500');
    });

    it('times out after timeoutMs', async () => {
      const err = await failure(handler({ allowedHosts: ['127.0.0.1'] }).execute(call({ url: `${api.url}/hang`, timeoutMs: 200 })));
      expect(err.code).toBe('HTTP_TIMEOUT');
      expect(err.retryable).toBe(true);
    });

    it('refuses a stored timeoutMs beyond five minutes, without calling', async () => {
      const err = await failure(handler({ allowedHosts: ['127.0.0.1'] }).execute(call({ url: `${api.url}/hang`, timeoutMs: 86_400_000 })));
      expect(err.code).toBe('INVALID_CONFIG');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('at most 300000');
    });

    it('stops when the step is aborted', async () => {
      const controller = new AbortController();
      const pending = handler({ allowedHosts: ['127.0.0.1'] }).execute(call({ url: `${api.url}/hang` }, {}, controller.signal));
      setTimeout(() => controller.abort(), 50);
      const err = await failure(pending);
      expect(err.code).toBe('HTTP_ABORTED');
      expect(err.retryable).toBe(true);
    });

    it('reports a refused connection as a retryable network error', async () => {
      const closed = await startServer(() => undefined);
      await closed.close();
      const err = await failure(handler({ allowedHosts: ['127.0.0.1'] }).execute(call({ url: `${closed.url}/` })));
      expect(err.code).toBe('HTTP_NETWORK_ERROR');
      expect(err.message).toContain('ECONNREFUSED');
      expect(err.retryable).toBe(true);
    });
  });

  it('fails a response larger than maxResponseBytes for good', async () => {
    const err = await failure(
      handler({ allowedHosts: ['127.0.0.1'], maxResponseBytes: 10 }).execute(call({ url: `${api.url}/echo`, resultVariable: 'r' })),
    );
    expect(err.code).toBe('HTTP_RESPONSE_TOO_LARGE');
    expect(err.retryable).toBe(false);
  });
});

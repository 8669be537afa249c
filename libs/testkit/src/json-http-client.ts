/**
 * A lean JSON client for the engine's HTTP API over keep-alive sockets. node:http costs much less
 * CPU per request than fetch, which matters when the load generator shares two cores with the
 * engine it measures.
 */

import http from 'node:http';

export interface HttpAnswer<T = unknown> {
  readonly status: number;
  /** the parsed JSON, the text when it is not JSON, `null` when empty */
  readonly body: T;
  /** when the response was complete, Date.now() */
  readonly receivedAt: number;
}

export interface JsonHttpClientOptions {
  /** sockets open to the server at most, default 128 */
  readonly maxSockets?: number;
  /** a request with no answer after this long fails with "no answer within N ms", default never */
  readonly timeoutMs?: number;
}

type Method = 'GET' | 'POST';

export class JsonHttpClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly timeoutMs: number | undefined;
  /** requests sent, a resend after a reset keep-alive socket included */
  requests = 0;
  /** requests that failed or answered 400 or above */
  errors = 0;

  constructor(baseUrl: string, opts: JsonHttpClientOptions = {}) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 128 });
    this.timeoutMs = opts.timeoutMs;
  }

  /** One request; a network error throws (after one resend when a reused keep-alive socket was reset). */
  async request<T = unknown>(method: Method, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    try {
      return await this.once<T>(method, path, token, body, headers);
    } catch (err) {
      // the server may close an idle keep-alive socket just as it is reused: that request never
      // reached the API, so sending it again is safe
      if ((err as { reusedSocket?: boolean }).reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
        return this.once<T>(method, path, token, body, headers);
      }
      throw err;
    }
  }

  /** The body when the status is the expected one, else an error naming both. */
  async expect<T>(status: number, method: Method, path: string, token: string | null, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, token, body);
    if (res.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
    }
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }

  private once<T>(method: Method, path: string, token: string | null, body: unknown, extra: Record<string, string>): Promise<HttpAnswer<T>> {
    this.requests += 1;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json', ...extra };
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const receivedAt = Date.now();
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text === '' ? null : JSON.parse(text);
          } catch {
            // not JSON: keep the text for the error message
          }
          const status = res.statusCode ?? 0;
          if (status >= 400) this.errors += 1;
          resolve({ status, body: parsed as T, receivedAt });
        });
      });
      const timeoutMs = this.timeoutMs;
      if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => {
        this.errors += 1;
        Object.assign(err, { reusedSocket: req.reusedSocket });
        reject(err);
      });
      req.end(payload);
    });
  }
}

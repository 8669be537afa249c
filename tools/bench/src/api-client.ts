/**
 * A lean JSON client for the engine's HTTP API over keep-alive sockets (node:http: much less CPU
 * per request than fetch, which matters when the load generator shares two cores with the engine).
 */

import http from 'node:http';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  /** when the response was complete, Date.now() */
  readonly receivedAt: number;
}

export class ApiClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  private readonly host: string;
  private readonly port: number;
  requests = 0;
  errors = 0;

  constructor(baseUrl: string) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  async request<T = unknown>(method: 'GET' | 'POST', path: string, token: string | null, body?: unknown): Promise<ApiResponse<T>> {
    try {
      return await this.once<T>(method, path, token, body);
    } catch (err) {
      // the server may close an idle keep-alive socket just as it is reused: that request never
      // reached the API, so sending it again is safe
      if ((err as { reusedSocket?: boolean }).reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
        return this.once<T>(method, path, token, body);
      }
      throw err;
    }
  }

  private once<T>(method: string, path: string, token: string | null, body?: unknown): Promise<ApiResponse<T>> {
    this.requests += 1;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const receivedAt = Date.now();
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: keep the text for the error message
          }
          const status = res.statusCode ?? 0;
          if (status >= 400) this.errors += 1;
          resolve({ status, body: parsed as T, receivedAt });
        });
        res.on('error', reject);
      });
      req.on('error', (err) => {
        this.errors += 1;
        Object.assign(err, { reusedSocket: req.reusedSocket });
        reject(err);
      });
      req.end(payload);
    });
  }

  /** The body when the status is the expected one, else an error naming both. */
  async expect<T>(status: number, method: 'GET' | 'POST', path: string, token: string | null, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, token, body);
    if (res.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
    }
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }
}

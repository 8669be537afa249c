/**
 * A JSON client for the engine's HTTP API that tallies every answer by scenario and status, so
 * the report can say how many `500`s (or anything else unexpected) the run produced. node:http
 * with keep-alive costs far less CPU per request than fetch, which matters on a small machine
 * that also runs the engine.
 */

import http from 'node:http';

export interface ApiAnswer<T = unknown> {
  /** HTTP status, or 0 when no answer came (connection refused, reset, timeout) */
  readonly status: number;
  readonly body: T;
  /** the network error, when status is 0 */
  readonly error?: string;
}

export interface UnexpectedAnswer {
  readonly scenario: string;
  readonly what: string;
  readonly status: number;
  readonly body: string;
  readonly at: number;
}

const TIMEOUT_MS = 30_000;

export class ApiClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  private readonly host: string;
  private readonly port: number;
  /** scenario -> status ("0" for no answer) -> count */
  readonly tally = new Map<string, Map<string, number>>();
  readonly unexpected: UnexpectedAnswer[] = [];
  scenario = 'setup';

  constructor(baseUrl: string) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  /**
   * One request. `expected` lists the statuses that are fine for this call; anything else is
   * kept as unexpected (a 500 always is).
   */
  async call<T = unknown>(
    what: string,
    method: 'GET' | 'POST',
    path: string,
    token: string | null,
    opts: { body?: unknown; headers?: Record<string, string>; expected?: readonly number[] } = {},
  ): Promise<ApiAnswer<T>> {
    const scenario = this.scenario;
    let answer: ApiAnswer<T>;
    try {
      answer = await this.once<T>(method, path, token, opts.body, opts.headers);
    } catch (err) {
      // a keep-alive socket the server closed just as we reused it: the request never arrived
      const e = err as NodeJS.ErrnoException & { reusedSocket?: boolean };
      if (e.reusedSocket && e.code === 'ECONNRESET') {
        try {
          answer = await this.once<T>(method, path, token, opts.body, opts.headers);
        } catch (again) {
          answer = { status: 0, body: null as T, error: (again as Error).message };
        }
      } else {
        answer = { status: 0, body: null as T, error: e.message };
      }
    }
    this.count(scenario, answer.status);
    const expected = opts.expected ?? [];
    if (answer.status === 500 || (expected.length > 0 && !expected.includes(answer.status))) {
      this.unexpected.push({
        scenario,
        what,
        status: answer.status,
        body: answer.status === 0 ? (answer.error ?? '') : JSON.stringify(answer.body).slice(0, 300),
        at: Date.now(),
      });
    }
    return answer;
  }

  private count(scenario: string, status: number): void {
    let byStatus = this.tally.get(scenario);
    if (!byStatus) this.tally.set(scenario, (byStatus = new Map()));
    const key = String(status);
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }

  /** Answers with `status` in `scenario` (all scenarios when omitted). */
  countOf(status: number, scenario?: string): number {
    let n = 0;
    for (const [s, byStatus] of this.tally) if (scenario === undefined || s === scenario) n += byStatus.get(String(status)) ?? 0;
    return n;
  }

  requestsIn(scenario: string): number {
    let n = 0;
    for (const v of this.tally.get(scenario)?.values() ?? []) n += v;
    return n;
  }

  statusSummary(scenario: string): string {
    const byStatus = this.tally.get(scenario);
    if (!byStatus) return '-';
    return [...byStatus.entries()]
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([s, n]) => `${s === '0' ? 'no-answer' : s}:${n}`)
      .join(' ');
  }

  private once<T>(method: string, path: string, token: string | null, body?: unknown, extra: Record<string, string> = {}): Promise<ApiAnswer<T>> {
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
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text === '' ? null : JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T });
        });
      });
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.on('error', (err) => {
        (err as { reusedSocket?: boolean }).reusedSocket = req.reusedSocket;
        reject(err);
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

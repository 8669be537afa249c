/**
 * The chaos driver's API client: the test kit's JSON HTTP client, with every answer tallied by
 * scenario and status, so the report can say how many `500`s (or anything else unexpected) the
 * run produced. A request that gets no answer (refused, reset, timed out) is status 0, not an
 * error: faults are what this run is for.
 */

import { JsonHttpClient } from '@wf/testkit';

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

/** A request with no answer after this long counts as no answer. */
const TIMEOUT_MS = 30_000;

export class TallyingApiClient {
  private readonly http: JsonHttpClient;
  /** scenario -> status ("0" for no answer) -> count */
  readonly tally = new Map<string, Map<string, number>>();
  readonly unexpected: UnexpectedAnswer[] = [];
  scenario = 'setup';

  constructor(baseUrl: string) {
    this.http = new JsonHttpClient(baseUrl, { maxSockets: 1024, timeoutMs: TIMEOUT_MS });
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
      const res = await this.http.request<T>(method, path, token, opts.body, opts.headers);
      answer = { status: res.status, body: res.body };
    } catch (err) {
      answer = { status: 0, body: null as T, error: (err as Error).message };
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

  close(): void {
    this.http.close();
  }
}

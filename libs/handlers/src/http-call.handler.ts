/**
 * `http_call`: one HTTP request (plus up to five redirects) with SSRF protection.
 *
 * A destination must be a public unicast address unless its host is listed in
 * HTTP_CALL_ALLOWED_HOSTS. The check runs AFTER DNS resolution, inside the `lookup` the socket
 * itself uses, so the socket only ever connects to an address that passed (no DNS-rebinding gap
 * between "check" and "connect"). IP-literal hosts, for which Node never calls `lookup`, are
 * checked before the request. Every redirect hop is checked again. A refused destination is
 * `NodeFailedError('DESTINATION_REFUSED')` and no connection is ever opened for it.
 */

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import {
  EngineError,
  NodeFailedError,
  TransientError,
  bindServiceHandler,
  renderTemplate,
  type ExpressionScope,
  type JsonObject,
  type ServiceCall,
  type ServiceHandler,
  type ServiceResult,
} from '@wf/engine';
import type { HandlerLog } from './handler-log';
import { httpCallConfig, type HttpCallConfig } from './http-call.config';

export interface HttpCallHandlerOptions {
  /**
   * HTTP_CALL_ALLOWED_HOSTS: entries `host` (any port) or `host:port` (that port only) that may be
   * reached even when they resolve to a private, loopback or otherwise non-public address.
   * IPv6 hosts are written in brackets (`[::1]`, `[::1]:8080`). Matched against the URL's host name.
   */
  allowedHosts: string[];
  log: HandlerLog;
  /** Budget for the whole call, redirects included, when the config has no `timeoutMs`; default 10000. */
  defaultTimeoutMs?: number;
  /** A response body larger than this fails the node (`HTTP_RESPONSE_TOO_LARGE`); default 1 MiB. */
  maxResponseBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Sent only to the origin they were written for; dropped when a redirect leaves it. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
/** How much of a failed response's body goes into the error details. */
const ERROR_BODY_PREVIEW_CHARS = 500;

interface AllowEntry {
  readonly host: string;
  readonly port: number | null;
}

/** One HTTP_CALL_ALLOWED_HOSTS entry, normalised the way `new URL()` normalises host names. */
export function parseAllowedHost(entry: string): AllowEntry {
  const raw = entry.trim().toLowerCase();
  let host: string;
  let port: string | undefined;
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(raw);
  if (bracketed) {
    host = bracketed[1] as string;
    port = bracketed[2];
  } else if ((raw.match(/:/g) ?? []).length > 1) {
    host = `[${raw}]`; // a bare IPv6 address, any port
  } else {
    const [name, p] = raw.split(':');
    host = name ?? '';
    port = p;
  }
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new Error(`HTTP_CALL_ALLOWED_HOSTS: invalid port in "${entry}"`);
  const portNumber = port === undefined ? null : Number(port);
  if (portNumber !== null && (portNumber < 1 || portNumber > 65535)) {
    throw new Error(`HTTP_CALL_ALLOWED_HOSTS: invalid port in "${entry}"`);
  }
  let normalized: string;
  try {
    normalized = new URL(`http://${host}/`).hostname;
  } catch {
    throw new Error(`HTTP_CALL_ALLOWED_HOSTS: invalid host in "${entry}"`);
  }
  if (!host || !normalized) throw new Error(`HTTP_CALL_ALLOWED_HOSTS: invalid host in "${entry}"`);
  return { host: normalized, port: portNumber };
}

/**
 * Whether an address may be reached without an allow-list entry: only ipaddr.js's `unicast`
 * range (IPv4-mapped IPv6 is judged as the IPv4 address it maps). IPv4-compatible IPv6
 * (`::a.b.c.d`, deprecated) is classified `unicast` by ipaddr.js but is refused here too.
 */
export function isPublicAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return false;
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return false;
  return parsed.range() === 'unicast';
}

function addressRange(address: string): string {
  try {
    return ipaddr.process(address).range();
  } catch {
    return 'invalid';
  }
}

/** `user:password@` removed, for logs and the execution's output. */
function displayUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

function effectivePort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function refused(url: URL, address: string): NodeFailedError {
  const range = addressRange(address);
  return new NodeFailedError(
    'DESTINATION_REFUSED',
    `${url.hostname} resolves to ${address} (${range}), which is not a public address; ` +
      'add the host to HTTP_CALL_ALLOWED_HOSTS to allow it',
    { host: url.hostname, address, range },
  );
}

function renderDeep(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === 'string') return renderTemplate(value, scope);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderDeep(item, scope)]));
  }
  return value;
}

interface PreparedRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  timeoutMs: number;
  resultVariable: string | undefined;
}

function parseHttpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new NodeFailedError('INVALID_URL', `${what} is not a valid URL: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NodeFailedError('INVALID_URL', `${what} must be http or https, not ${url.protocol}`);
  }
  return url;
}

/** The request the config describes, its templates rendered (the config's rules were checked by its schema). */
function prepare(call: ServiceCall<HttpCallConfig>, defaultTimeoutMs: number): PreparedRequest {
  const { config, scope } = call;
  const url = parseHttpUrl(renderTemplate(config.url, scope), 'the rendered url');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = renderTemplate(value, scope);

  let body: Buffer | undefined;
  if (config.body !== undefined && config.body !== null) {
    const rendered = renderDeep(config.body, scope);
    if (typeof rendered === 'string') {
      body = Buffer.from(rendered, 'utf8');
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      body = Buffer.from(JSON.stringify(rendered), 'utf8');
      headers['content-type'] ??= 'application/json';
    }
  }
  return {
    url,
    method: config.method,
    headers,
    body,
    timeoutMs: config.timeoutMs ?? defaultTimeoutMs,
    resultVariable: config.resultVariable,
  };
}

interface HopResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  lookup: LookupFunction;
  signal: AbortSignal;
  maxResponseBytes: number;
}

function networkError(err: unknown, hop: Hop): EngineError {
  if (err instanceof EngineError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? 'NETWORK_ERROR';
  return new TransientError('HTTP_NETWORK_ERROR', `${hop.method} ${displayUrl(hop.url)} failed: ${code}: ${e?.message ?? String(err)}`, {
    errorCode: code,
  });
}

/** One request/response exchange on a fresh connection (no agent: a pooled socket would skip `lookup`). */
function sendOnce(hop: Hop): Promise<HopResponse> {
  return new Promise<HopResponse>((resolve, reject) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const finish = (err: EngineError | null, response?: HopResponse) => {
      if (settled) return;
      settled = true;
      hop.signal.removeEventListener('abort', onAbort);
      if (err) {
        req?.destroy();
        reject(err);
      } else {
        resolve(response as HopResponse);
      }
    };
    const onAbort = () => finish(networkError(hop.signal.reason, hop));
    if (hop.signal.aborted) {
      onAbort();
      return;
    }
    hop.signal.addEventListener('abort', onAbort, { once: true });

    const headers: OutgoingHttpHeaders = { ...hop.headers };
    if (hop.body) headers['content-length'] = String(hop.body.length);
    else delete headers['content-length'];
    const send = hop.url.protocol === 'https:' ? httpsRequest : httpRequest;
    try {
      req = send(hop.url, { method: hop.method, headers, lookup: hop.lookup, agent: false });
    } catch (err) {
      // invalid header names or values (a template that rendered a newline, say)
      finish(new NodeFailedError('HTTP_INVALID_REQUEST', `${hop.method} ${displayUrl(hop.url)}: ${(err as Error).message}`));
      return;
    }
    req.on('error', (err) => finish(networkError(err, hop)));
    req.on('response', (res) => {
      const tooLarge = () =>
        new NodeFailedError(
          'HTTP_RESPONSE_TOO_LARGE',
          `${hop.method} ${displayUrl(hop.url)}: the response body is larger than ${hop.maxResponseBytes} bytes`,
        );
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > hop.maxResponseBytes) {
        res.destroy();
        finish(tooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > hop.maxResponseBytes) {
          res.destroy();
          finish(tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (err) => finish(networkError(err, hop)));
      res.on('close', () => {
        if (!res.complete) finish(networkError(Object.assign(new Error('connection closed before the response ended'), { code: 'ECONNRESET' }), hop));
      });
    });
    req.end(hop.body);
  });
}

function isJson(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json');
}

function parseBody(response: HopResponse, url: URL): unknown {
  const text = response.body.toString('utf8');
  if (!isJson(response.headers['content-type'])) return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new NodeFailedError('HTTP_RESPONSE_INVALID_JSON', `${displayUrl(url)} answered ${response.status} with invalid JSON: ${(err as Error).message}`);
  }
}

/** The `http_call` handler, bound: `execute` takes the config as stored and parses it with `httpCallConfig`. */
export function createHttpCallHandler(opts: HttpCallHandlerOptions): ServiceHandler {
  const allowList = opts.allowedHosts.map(parseAllowedHost);
  const defaultTimeoutMs = opts.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const log = opts.log;

  const isAllowed = (url: URL): boolean => {
    const port = effectivePort(url);
    return allowList.some((entry) => entry.host === url.hostname && (entry.port === null || entry.port === port));
  };

  /**
   * Checks what can be checked before connecting and returns the `lookup` the socket must use:
   * it resolves every address, refuses if any is not public (unless the host is allowed), and
   * hands only vetted addresses to the socket.
   */
  const vet = (url: URL, call: ServiceCall<HttpCallConfig>): LookupFunction => {
    const allowed = isAllowed(url);
    const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (!allowed && isIP(literal) && !isPublicAddress(literal)) {
      const err = refused(url, literal);
      log.warn({ instanceId: call.instanceId, nodeId: call.nodeId, host: url.hostname, address: literal }, 'http_call destination refused');
      throw err;
    }
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) {
          callback(err, []);
          return;
        }
        const bad = allowed ? undefined : addresses.find((a) => !isPublicAddress(a.address));
        if (bad) {
          log.warn({ instanceId: call.instanceId, nodeId: call.nodeId, host: hostname, address: bad.address }, 'http_call destination refused');
          callback(refused(url, bad.address) as unknown as NodeJS.ErrnoException, []);
          return;
        }
        const first = addresses[0];
        if (!first) {
          callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
        } else if (options.all) {
          callback(null, addresses);
        } else {
          callback(null, first.address, first.family);
        }
      });
    };
  };

  return bindServiceHandler<HttpCallConfig>({
    type: 'http_call',
    configSchema: httpCallConfig,
    async execute(call): Promise<ServiceResult> {
      const prepared = prepare(call, defaultTimeoutMs);
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new TransientError('HTTP_TIMEOUT', `${prepared.method} ${displayUrl(prepared.url)}: no complete response within ${prepared.timeoutMs} ms`)),
        prepared.timeoutMs,
      );
      const onCallAbort = () => controller.abort(new TransientError('HTTP_ABORTED', 'the step was aborted (shutdown or lost lease)'));
      if (call.signal.aborted) onCallAbort();
      else call.signal.addEventListener('abort', onCallAbort, { once: true });

      try {
        let { url, method, body } = prepared;
        let headers = { ...prepared.headers };
        for (let redirects = 0; ; redirects++) {
          const lookup = vet(url, call);
          const response = await sendOnce({ url, method, headers, body, lookup, signal: controller.signal, maxResponseBytes });
          const location = response.headers.location;
          if (REDIRECT_STATUSES.has(response.status) && location) {
            if (redirects >= MAX_REDIRECTS) {
              throw new NodeFailedError('HTTP_TOO_MANY_REDIRECTS', `${displayUrl(prepared.url)}: more than ${MAX_REDIRECTS} redirects`);
            }
            let next: URL;
            try {
              next = parseHttpUrl(new URL(location, url).href, `the redirect from ${displayUrl(url)}`);
            } catch (err) {
              throw err instanceof EngineError ? err : new NodeFailedError('INVALID_URL', `invalid redirect location ${JSON.stringify(location)}`);
            }
            if (response.status === 303 && method !== 'GET') {
              method = 'GET';
              body = undefined;
              delete headers['content-type'];
            }
            if (next.origin !== url.origin) {
              headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name)));
            }
            log.debug({ instanceId: call.instanceId, nodeId: call.nodeId, status: response.status, to: displayUrl(next) }, 'http_call redirected');
            url = next;
            continue;
          }
          if (response.status < 200 || response.status >= 300) {
            throw new TransientError('HTTP_STATUS_' + response.status, `${method} ${displayUrl(url)} answered ${response.status}`, {
              status: response.status,
              url: displayUrl(url),
              body: response.body.toString('utf8').slice(0, ERROR_BODY_PREVIEW_CHARS),
            });
          }
          const contextUpdates: JsonObject = {};
          if (prepared.resultVariable) contextUpdates[prepared.resultVariable] = parseBody(response, url);
          log.debug({ instanceId: call.instanceId, nodeId: call.nodeId, status: response.status, url: displayUrl(url) }, 'http_call done');
          return { contextUpdates, output: { status: response.status, url: displayUrl(url) } };
        }
      } finally {
        clearTimeout(timer);
        call.signal.removeEventListener('abort', onCallAbort);
      }
    },
  });
}

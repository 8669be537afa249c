/**
 * JSON request bodies: parsed up to `limitBytes` (over it: 413), any JSON value accepted so that
 * each route reports a wrongly shaped body as a 400 in the contract's order. A body sent with
 * another media type is refused (415) rather than silently read as empty.
 */

import express, { type RequestHandler } from 'express';
import { UNSAFE_KEYS } from '@wf/engine';

const JSON_TYPES = ['application/json', 'application/*+json'];

export function jsonBody(limitBytes: number): RequestHandler {
  return express.json({ limit: limitBytes, strict: false, type: JSON_TYPES, reviver: refuseUnstorableValues });
}

/**
 * The parsed body, with no body at all read as `{}` (an action whose fields are all optional
 * may be sent bare). A JSON `null` stays `null`, and is refused by the route's schema.
 */
export function bodyOrEmpty(body: unknown): unknown {
  return body === undefined ? {} : body;
}

/**
 * Refused outright: keys that could reach a prototype (`__proto__`, `constructor`, `prototype`:
 * bodies are merged into contexts; handler results are held to the same rule) and NUL characters.
 */
function refuseUnstorableValues(key: string, value: unknown): unknown {
  if (UNSAFE_KEYS.has(key)) throw new SyntaxError(`"${key}" is not allowed as an object key`);
  // Postgres text and jsonb cannot hold NUL characters
  if ((typeof value === 'string' && value.includes('\u0000')) || key.includes('\u0000')) {
    throw new SyntaxError('strings may not contain the NUL character (\\u0000)');
  }
  return value;
}

/** Put after `jsonBody`: a non-empty body it did not parse was not JSON. */
export function requireJsonBodies(): RequestHandler {
  return (req, _res, next) => {
    if (req.body === undefined && hasContent(req.headers)) {
      throw new UnsupportedMediaTypeError();
    }
    next();
  };
}

/** Shaped like body-parser's errors, so the error handler answers it the same way (415). */
class UnsupportedMediaTypeError extends Error {
  readonly status = 415;
  readonly expose = true;
  constructor() {
    super('Request bodies must be JSON (Content-Type: application/json)');
    this.name = 'UnsupportedMediaTypeError';
  }
}

function hasContent(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length'] ?? '0');
  return Number.isFinite(length) && length > 0;
}

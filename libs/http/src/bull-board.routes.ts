/**
 * Bull Board at `/admin/queues`, behind HTTP Basic authentication (BULL_BOARD_USER,
 * BULL_BOARD_PASSWORD). The caller mounts it only when both are configured: without them the
 * board is not served at all (a 404 like any unknown path), never served open.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { ErrorBody } from './error-handler';

const BULL_BOARD_PATH = '/admin/queues';
const REALM = 'workflow-engine';
const BASIC = /^Basic +([A-Za-z0-9+/=]+) *$/i;

export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

/** The board over every engine queue (`rt.bullDispatcher.queue`, `.slaQueue`). */
export function bullBoardRouter(queues: Queue[], auth: BasicCredentials): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });

  const router = Router();
  router.use(BULL_BOARD_PATH, basicAuth(auth), serverAdapter.getRouter() as RequestHandler);
  return router;
}

/** 401 with a Basic challenge unless the request carries exactly these credentials. */
function basicAuth(expected: BasicCredentials): RequestHandler {
  const user = digest(expected.user);
  const password = digest(expected.password);
  return (req, res, next) => {
    const given = parseBasic(req.get('authorization'));
    // Both compared every time, over equal-length digests: the answer's timing tells nothing
    // about which part was wrong nor how much of it matched.
    const userOk = timingSafeEqual(digest(given?.user ?? ''), user);
    const passwordOk = timingSafeEqual(digest(given?.password ?? ''), password);
    if (given && userOk && passwordOk) {
      next();
      return;
    }
    const body: ErrorBody = {
      error: {
        code: 'UNAUTHENTICATED',
        message: given ? 'Invalid credentials for the queue dashboard' : 'The queue dashboard requires HTTP Basic authentication',
        details: null,
      },
    };
    res.status(401).set('WWW-Authenticate', `Basic realm="${REALM}"`).set('Cache-Control', 'no-store').json(body);
  };
}

function parseBasic(header: string | undefined): { user: string; password: string } | null {
  const match = header === undefined ? null : BASIC.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

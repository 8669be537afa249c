/**
 * The links of approval mails, served without a bearer token (the link's own token is the
 * credential): `GET /email-actions/{approve|reject}?token=…` shows a confirmation page and never
 * decides (mail scanners and link previews follow links); the page's form POSTs the token, the
 * recipient's address and optional comments to the same path, which decides once. The token
 * travels in the query string and the form body, never the path, so the access log (which writes
 * the path only) does not record it. See docs/email-approvals.md.
 */

import express, { Router, type Response } from 'express';
import { emailActionsOf, type AppServices, type Logger } from '@wf/runtime';
import { confirmationPage, EMAIL_ACTION_CSP, faultPage, refusalPage, resultPage, type Page } from './email-action-pages';
import { logOf } from './request-context';

/** A comment as long as the API's decisions take. */
const MAX_COMMENTS = 10_000;
const MAX_ADDRESS = 320;

function send(res: Response, page: Page): void {
  if (page.code) res.locals.errorCode = page.code;
  res
    .status(page.status)
    .set({
      'Content-Security-Policy': EMAIL_ACTION_CSP,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex',
    })
    .type('html')
    .send(page.html);
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Served only where the runtime built the email actions (AppServices made by hand have none). */
export function emailActionsRouter(services: AppServices, logger: Logger): Router {
  const router = Router();
  const actions = emailActionsOf(services);
  if (!actions) return router;
  const form = express.urlencoded({ extended: false, limit: '128kb', parameterLimit: 10 });

  router.get('/email-actions/:action', async (req, res) => {
    const token = text(req.query['token']);
    try {
      const preview = await actions.preview(req.params.action, token);
      if (!preview.ok) return send(res, refusalPage(preview.refusal));
      send(res, confirmationPage({ action: preview.link.action, token, userId: preview.link.userId, expiresAt: preview.link.expiresAt, task: preview.task }));
    } catch (err) {
      logOf(res, logger).error({ err }, 'email action page failed');
      send(res, faultPage());
    }
  });

  router.post('/email-actions/:action', form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = text(body['token']);
    const address = text(body['address']).slice(0, MAX_ADDRESS);
    const comments = text(body['comments']).trim();
    if (comments.length > MAX_COMMENTS) {
      return send(res, refusalPage({ reason: 'refused', code: 'VALIDATION_FAILED', message: `Comments may be at most ${MAX_COMMENTS} characters. Nothing was decided; go back and shorten them.` }));
    }
    try {
      const outcome = await actions.confirm(req.params.action, token, { address, ...(comments !== '' ? { comments } : {}) });
      if (!outcome.ok) return send(res, refusalPage(outcome.refusal));
      send(res, resultPage(outcome.link.action, outcome.result));
    } catch (err) {
      logOf(res, logger).error({ err }, 'email action failed');
      send(res, faultPage());
    }
  });
  return router;
}

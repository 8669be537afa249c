/**
 * The OIDC callback is a browser navigation, so its refusals (a missing tenant claim, a stale
 * sign-in) are answered as a short page when the browser asks for HTML; other clients get the
 * error handler's JSON. Same status and code either way. No script; every value escaped.
 */

import type { ErrorRequestHandler } from 'express';
import type { Logger } from '@wf/runtime';
import { toHttpFailure } from '../error-handler';
import { escapeHtml, htmlDocument } from '../html-page';
import { logOf } from '../request-context';


function refusalPage(status: number, code: string, message: string): string {
  return htmlDocument(
    'Sign-in failed',
    `<main>
<h1>Sign-in failed</h1>
<p>${escapeHtml(message)}</p>
<p>Code: <code>${escapeHtml(code)}</code> (HTTP ${status})</p>
<p><a href="/workflows/">Back to the sign-in page</a></p>
</main>`,
  );
}


/** HTML for browsers, else on to the one error handler. */
export function callbackRefusals(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent || req.accepts(['json', 'html']) !== 'html') {
      next(err);
      return;
    }
    const failure = toHttpFailure(err);
    if (failure.status >= 500) logOf(res, logger).warn({ err }, failure.message);
    res.locals.errorCode = failure.code;
    res.status(failure.status).type('html').send(refusalPage(failure.status, failure.code, failure.message));
  };
}

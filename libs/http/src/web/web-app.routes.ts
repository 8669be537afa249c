/**
 * The web app at /workflows: the files Vite built (web-bundle.ts), served from the engine itself
 * (no CDN), every page under one strict Content-Security-Policy: scripts, styles, fonts and
 * requests from this origin only, no inline script and no eval. Hashed assets are cached for a
 * year; `index.html` is never cached, so a new bundle is picked up at the next load. Every path
 * that is not a file is the app's own route (`/workflows/tasks/…`), answered with `index.html`.
 */

import { join } from 'node:path';
import express, { Router, type Response } from 'express';

export interface WebAppMount {
  /** the built bundle's directory */
  readonly dir: string;
}

export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const YEAR_SECONDS = 365 * 24 * 3600;

function secured(res: Response): void {
  res.setHeader('Content-Security-Policy', WEB_APP_CSP);
  res.setHeader('Referrer-Policy', 'same-origin');
}

export function webAppRouter(mount: WebAppMount): Router {
  const router = Router();
  const index = join(mount.dir, 'index.html');
  router.use(
    '/assets',
    express.static(join(mount.dir, 'assets'), {
      fallthrough: false,
      index: false,
      setHeaders: (res) => {
        secured(res);
        res.setHeader('Cache-Control', `public, max-age=${YEAR_SECONDS}, immutable`);
      },
    }),
  );
  router.get(/.*/, (req, res, next) => {
    // a request for JSON under /workflows is no page: let it reach the 404 handler
    if (req.accepts(['text/html', 'application/json']) === 'application/json') return next();
    secured(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}

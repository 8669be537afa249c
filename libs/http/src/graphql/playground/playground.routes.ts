/**
 * GraphiQL at `GET /graphql` for a browser, entirely from the engine's own files: GraphiQL, React
 * and graphql-sse's client from node_modules, and our boot script (playground.js), so it works
 * where there is no internet access. The page runs no inline script and carries a strict CSP:
 * scripts, styles and requests go to this origin only.
 */

import { dirname, join } from 'node:path';
import { Router, type Request } from 'express';
import { EngineError, NotFoundError } from '@wf/engine';

/** Asset name -> file. Only these are served. */
const ASSETS: Readonly<Record<string, string>> = {
  'graphiql.min.js': join(packageDir('graphiql'), 'graphiql.min.js'),
  'graphiql.min.css': join(packageDir('graphiql'), 'graphiql.min.css'),
  'react.production.min.js': join(packageDir('react'), 'umd', 'react.production.min.js'),
  'react-dom.production.min.js': join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'),
  'graphql-sse.min.js': join(packageDir('graphql-sse'), 'umd', 'graphql-sse.min.js'),
  'playground.js': join(__dirname, 'playground.js'),
  'playground.css': join(__dirname, 'playground.css'),
};

/** GraphiQL sets style attributes, so styles may be inline; scripts may not. */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ASSET_MAX_AGE_MS = 60 * 60 * 1000;

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** A browser navigating here (HTML preferred over JSON), not a GraphQL GET request. */
function wantsPage(req: Request): boolean {
  return req.query['query'] === undefined && req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

/** Relative to the page's own URL, so a proxy that serves the engine under a prefix keeps working. */
function assetBase(req: Request): string {
  const path = req.originalUrl.split('?', 1)[0] ?? '';
  if (path.endsWith('/')) return '';
  return `${path.slice(path.lastIndexOf('/') + 1)}/`;
}

function page(base: string): string {
  const asset = (name: string) => `${base}assets/${name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Workflow engine · GraphQL</title>
<link rel="stylesheet" href="${asset('graphiql.min.css')}">
<link rel="stylesheet" href="${asset('playground.css')}">
</head>
<body data-endpoint="${base || './'}" data-stream="${base}stream">
<div id="wf-token-bar">
<form id="wf-token-form"><label for="wf-token">Bearer token</label> <input id="wf-token" type="password" autocomplete="off" placeholder="paste a token (npm run token, or the dev token)"> <button type="submit">Save</button></form>
<button id="wf-token-forget" type="button" hidden>Forget token</button>
<span id="wf-token-state"></span>
</div>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${asset('react.production.min.js')}"></script>
<script src="${asset('react-dom.production.min.js')}"></script>
<script src="${asset('graphiql.min.js')}"></script>
<script src="${asset('graphql-sse.min.js')}"></script>
<script src="${asset('playground.js')}"></script>
</body>
</html>
`;
}

/** Mounted at /graphql before authentication; with `enabled` false nothing is served (404). */
export function playgroundRouter(enabled: boolean): Router {
  const router = Router();
  const off = () => new EngineError('not_found', 'NOT_FOUND', 'The GraphQL playground is off (NODE_ENV=production without GRAPHQL_INTROSPECTION=true)');
  router.get('/', (req, res, next) => {
    if (!wantsPage(req)) {
      next();
      return;
    }
    if (!enabled) throw off();
    res.set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' }).type('html').send(page(assetBase(req)));
  });
  router.get('/assets/:name', (req, res) => {
    const file = ASSETS[req.params.name];
    if (!enabled) throw off();
    if (file === undefined) throw new NotFoundError('Playground asset', req.params.name);
    res.sendFile(file, { maxAge: ASSET_MAX_AGE_MS, headers: { 'X-Content-Type-Options': 'nosniff' } });
  });
  return router;
}

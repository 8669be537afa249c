import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { WEB_APP_CSP, webAppRouter } from './web-app.routes';

let dir: string;
let app: express.Express;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'web-app-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/workflows/assets/index-abc.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  app = express();
  app.use('/workflows', webAppRouter({ dir }));
  app.use((_req, res) => res.status(404).json({ error: { code: 'NOT_FOUND' } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the web app at /workflows', () => {
  it('serves index.html for the app and for each of its routes, uncached, under a CSP without inline scripts or eval', async () => {
    for (const path of ['/workflows', '/workflows/', '/workflows/tasks/abc', '/workflows/instances?status=failed']) {
      const res = await request(app).get(path).set('Accept', 'text/html');
      expect(res.status).toBe(200);
      expect(res.text).toContain('index-abc.js');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(WEB_APP_CSP);
    }
    expect(WEB_APP_CSP).toContain("script-src 'self'");
    expect(WEB_APP_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('serves hashed assets for a year, and a missing asset is a 404, not the page', async () => {
    const asset = await request(app).get('/workflows/assets/index-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await request(app).get('/workflows/assets/missing.js')).status).toBe(404);
  });

  it('leaves a request for JSON to the API 404', async () => {
    const res = await request(app).get('/workflows/nothing').set('Accept', 'application/json');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND' } });
  });
});

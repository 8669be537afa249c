/**
 * The web app's speed, measured (issue 18): `npm run bench:web [-- --tasks N --loads K]`.
 *
 * - **Inbox with 1,000 open tasks**: one all-in-one engine (as `npm run bench` starts it, on a
 *   database and Redis prefix of its own) with N open approval tasks for one user; Debian's
 *   Chromium opens /workflows/ signed in as that user, K times, each in a fresh browser context
 *   (empty cache). "Interactive" is the Performance API's clock (ms since navigation start) when
 *   the first task row is on screen and the main thread has come back idle (a frame and a task
 *   later), so a click would be handled at once.
 * - **The bundle's JavaScript**, gzipped: the whole app, what the first page loads, and the
 *   diagram library (bpmn-js and diagram-js, loaded only by pages that draw diagrams) apart.
 *
 * stdout gets the table and, as its last line, one JSON object; exit 1 when a load failed.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { ensureWebBundle } from '@wf/http';
import { createLogger, signSessionToken, signToken } from '@wf/runtime';
import { JsonHttpClient } from '@wf/testkit';
import { intFlag } from './bench-options';
import { createResources, dropResources, REDIS_URL, type BenchResources } from './bench-resources';
import { newIdentity, waitForWorkers } from './bench-session';
import { startEngine, type EngineCluster } from './engine-cluster';
import { describeMachine, loadAverage } from './machine';
import { renderReport } from './report';

const CHROMIUM = '/usr/bin/chromium';
const USER = 'web-bench-approver';
const ROLE = 'web_bench_approver';

function progress(message: string): void {
  process.stderr.write(`[bench-web ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

interface BundleSizes {
  totalKiB: number;
  initialKiB: number;
  diagramKiB: number;
  files: { file: string; gzipKiB: number; diagram: boolean; initial: boolean }[];
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

/**
 * Gzipped sizes of the current bundle's scripts: those index.html loads and every chunk they reach
 * (a build keeps earlier builds' files beside it for pages still open, which are not counted); the
 * diagram library's chunks are told by their contents.
 */
export function bundleSizes(dist: string): BundleSizes {
  const index = readFileSync(join(dist, 'index.html'), 'utf8');
  const names = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
  const text = new Map(names.map((f) => [f, readFileSync(join(dist, 'assets', f), 'utf8')]));
  const reached = new Set(names.filter((f) => index.includes(f)));
  const queue = [...reached];
  while (queue.length > 0) {
    const source = text.get(queue.pop() as string) ?? '';
    for (const f of names) {
      if (!reached.has(f) && source.includes(f)) {
        reached.add(f);
        queue.push(f);
      }
    }
  }
  const files = [...reached].sort().map((file) => {
    const source = text.get(file) ?? '';
    return {
      file,
      gzipKiB: kib(gzipSync(Buffer.from(source), { level: 9 }).length),
      diagram: source.includes('djs-container') || source.includes('bpmn:Definitions') || source.includes('bpmn-js'),
      initial: index.includes(file),
    };
  });
  const sum = (xs: typeof files) => Math.round(xs.reduce((s, f) => s + f.gzipKiB, 0) * 10) / 10;
  return { totalKiB: sum(files.filter((f) => !f.diagram)), initialKiB: sum(files.filter((f) => f.initial)), diagramKiB: sum(files.filter((f) => f.diagram)), files };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

let resources: BenchResources | undefined;
let cluster: EngineCluster | undefined;

async function openTasks(api: JsonHttpClient, token: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const path: string = `/api/tasks/mine?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await api.expect<{ items: unknown[]; nextCursor: string | null }>(200, 'GET', path, token);
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const tasks = intFlag(argv, '--tasks', 1000);
  const loads = intFlag(argv, '--loads', 7);
  const dist = await ensureWebBundle(createLogger('warn'));
  if (!dist) throw new Error('no web app bundle');
  const sizes = bundleSizes(dist);
  resources = await createResources();
  const res = resources;
  const machine = await describeMachine(res.admin, res.redis);
  const loadBefore = loadAverage();
  const id = newIdentity();
  progress(`database ${res.dbName}; starting the all-in-one engine`);
  cluster = await startEngine('all-in-one', { databaseUrl: res.dbUrl, redisUrl: REDIS_URL, queuePrefix: res.prefix, jwtSecret: id.jwtSecret, poolSize: 10, concurrency: 8 });
  await waitForWorkers({ kind: 'redis', redis: res.redis, prefix: res.prefix }, 1, 60_000, cluster);
  const api = new JsonHttpClient(cluster.apiUrl);
  const admin = signToken(id.jwtSecret, { tenantId: id.tenantId, userId: 'web-bench-admin', roles: ['admin'] });
  const approver = signToken(id.jwtSecret, { tenantId: id.tenantId, userId: USER, roles: [ROLE] });
  try {
    const definition = await api.expect<{ id: string }>(201, 'POST', '/api/definitions', admin, {
      name: 'web-bench-order',
      nodes: [{ id: 'approve', nodeType: 'approval', name: 'Approve the order', approverRole: ROLE, slaHours: 48 }],
      routes: [],
    });
    progress(`starting ${tasks} instances, each waiting at one approval of ${USER}`);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < tasks) {
          const n = next++;
          await api.expect(201, 'POST', '/api/instances', admin, {
            workflowDefinitionId: definition.id,
            contextData: { entityId: `PO-${String(n).padStart(5, '0')}`, amount: 100 + n, supplier: `Supplier ${n % 37}` },
          });
        }
      }),
    );
    const until = Date.now() + 120_000;
    let open = 0;
    while ((open = await openTasks(api, approver)) < tasks && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
    if (open < tasks) throw new Error(`only ${open} of ${tasks} tasks opened`);
    progress(`${open} open tasks; loading the inbox ${loads} times`);

    const { token: session } = await signSessionToken(id.jwtSecret, { actor: { tenantId: id.tenantId, userId: USER, roles: [ROLE] }, method: 'oidc', hours: 1 });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const interactive: number[] = [];
    const rows: number[] = [];
    try {
      for (let i = 0; i < loads; i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        await context.addCookies([{ name: 'wf_session', value: session, url: cluster.apiUrl }]);
        const page = await context.newPage();
        await page.goto(`${cluster.apiUrl}/workflows/`);
        await page.locator('a[href^="/workflows/tasks/"]').first().waitFor({ timeout: 30_000 });
        // a string: it runs in the page, whose globals (requestAnimationFrame) Node's types lack
        const ms = await page.evaluate<number>('new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)))');
        rows.push(await page.locator('a[href^="/workflows/tasks/"]').count());
        interactive.push(Math.round(ms));
        await context.close();
      }
    } finally {
      await browser.close();
    }
    const first = interactive[0] ?? NaN;
    const warm = interactive.slice(1);
    const p50 = quantile(warm.length ? warm : interactive, 0.5);
    const max = Math.max(...interactive);
    const header = [
      `Web app benchmark, ${new Date().toISOString()}`,
      `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}`,
      `Load average (1 min): ${loadBefore} before, ${loadAverage()} after`,
    ];
    const report = renderReport(header, [
      {
        title: `Inbox with ${open.toLocaleString('en-US')} open tasks (${loads} loads, fresh context each)`,
        rows: [
          { label: 'interactive, first load', value: `${first} ms` },
          { label: 'interactive, p50 of the rest', value: `${p50} ms` },
          { label: 'interactive, slowest', value: `${max} ms`, verdict: max <= 1000 ? 'ok' : 'MISS' },
          { label: 'task rows on the first screen', value: String(rows[0] ?? 0) },
        ],
      },
      {
        title: 'JavaScript, gzipped',
        rows: [
          { label: 'app (all but the diagram library)', value: `${sizes.totalKiB} KiB`, verdict: sizes.totalKiB <= 500 ? 'ok' : 'MISS' },
          { label: 'loaded by the first page', value: `${sizes.initialKiB} KiB` },
          { label: 'diagram library (bpmn-js), on diagram pages only', value: `${sizes.diagramKiB} KiB` },
        ],
      },
    ]);
    process.stdout.write(`${report}\n`);
    process.stdout.write(`${JSON.stringify({ tasks: open, interactiveMs: interactive, firstMs: first, p50Ms: p50, maxMs: max, js: sizes })}\n`);
    return max <= 1000 && sizes.totalKiB <= 500 ? 0 : 1;
  } finally {
    api.close();
  }
}

void main()
  .catch((err: unknown) => {
    progress(`run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  })
  .then(async (code) => {
    await cluster?.stop().catch(() => undefined);
    if (resources) await dropResources(resources, false);
    process.exit(code);
  });

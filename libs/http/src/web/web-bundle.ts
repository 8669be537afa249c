/**
 * The web app's bundle (apps/web, built by Vite) is made without anyone running a build command:
 * at start-up, when `dist/` is missing or was built from other sources, the api role builds it
 * (about half a minute on two cores) before it listens. The sources' hash is kept beside the
 * bundle, so a changed source or lock file rebuilds once. An image that ships only `dist/` (no
 * `src/`) serves what it has: the Dockerfile builds the bundle at image build time.
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Logger } from '@wf/runtime';

const BUILD_INFO = 'build-info.json';
/** what the bundle is made of, beside `src/` */
const INPUT_FILES = ['index.html', 'vite.config.mts', 'package.json', 'tsconfig.json'];

/** The web app's package directory, apps/web of this checkout (or of the image's /app). */
function webAppDir(): string {
  return join(__dirname, '..', '..', '..', '..', 'apps', 'web');
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !/\.test\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** A hash over the app's sources and the workspace lock file: equal hashes, equal bundles. */
export async function sourceHash(appDir: string): Promise<string> {
  const hash = createHash('sha256');
  const files = [...(await filesUnder(join(appDir, 'src'))), ...INPUT_FILES.map((f) => join(appDir, f))];
  const lock = join(appDir, '..', '..', 'package-lock.json');
  if (existsSync(lock)) files.push(lock);
  for (const file of files) {
    if (!existsSync(file)) continue;
    hash.update(relative(appDir, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

async function builtHash(distDir: string): Promise<string | null> {
  try {
    const info = JSON.parse(await readFile(join(distDir, BUILD_INFO), 'utf8')) as { sourceHash?: unknown };
    return typeof info.sourceHash === 'string' ? info.sourceHash : null;
  } catch {
    return null;
  }
}

/** Vite is a development dependency: an image without it serves the bundle it was built with. */
async function loadVite(): Promise<typeof import('vite') | null> {
  try {
    return await import('vite');
  } catch {
    return null;
  }
}

/**
 * Vite and the React plugin choose React's development build (bigger, slower, with its checks)
 * from NODE_ENV, which is `development` under `npm start` and `test` under jest: the bundle is
 * built with `production` whatever the process's own, which is put back at once (the
 * configuration was read at start-up; nothing reads NODE_ENV later).
 */
async function productionBuild(vite: typeof import('vite'), config: import('vite').InlineConfig): Promise<void> {
  const own = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await vite.build(config);
  } finally {
    if (own === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = own;
  }
}

/** Assets of earlier builds that index.html no longer names, once nobody can still be loading them. */
const OLD_ASSET_AGE_MS = 60 * 60 * 1000;

async function pruneOldAssets(dist: string, current: ReadonlySet<string>): Promise<void> {
  const assets = join(dist, 'assets');
  for (const name of await readdir(assets)) {
    if (current.has(name)) continue;
    const file = join(assets, name);
    if (Date.now() - (await stat(file)).mtimeMs > OLD_ASSET_AGE_MS) await rm(file, { force: true });
  }
}

/**
 * The directory of an up-to-date bundle, building it first when needed; null when there is none
 * and none can be built (no sources or no Vite), which the caller reports.
 */
export async function ensureWebBundle(log: Logger, appDir: string = webAppDir()): Promise<string | null> {
  const dist = join(appDir, 'dist');
  if (!existsSync(join(appDir, 'src'))) return existsSync(join(dist, 'index.html')) ? dist : null;
  const wanted = await sourceHash(appDir);
  if ((await builtHash(dist)) === wanted) return dist;
  const vite = await loadVite();
  if (!vite) {
    log.warn({ dir: dist }, 'the web app bundle is stale or missing and Vite is not installed; serving what is there');
    return existsSync(join(dist, 'index.html')) ? dist : null;
  }
  const started = Date.now();
  log.info('building the web app (once, after a change to its sources)');
  // Built beside the served bundle, then its hashed assets are added to it and index.html is
  // swapped in last: a page still running the previous bundle keeps finding its files, and two
  // builds at once (two engines starting) cannot leave half a bundle.
  const staging = `${dist}.building-${process.pid}-${Date.now()}`;
  try {
    await productionBuild(vite, { root: appDir, configFile: join(appDir, 'vite.config.mts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
    await mkdir(join(dist, 'assets'), { recursive: true });
    await cp(join(staging, 'assets'), join(dist, 'assets'), { recursive: true, force: false });
    await writeFile(join(staging, BUILD_INFO), JSON.stringify({ sourceHash: wanted, builtAt: new Date().toISOString() }));
    await rename(join(staging, 'index.html'), join(dist, 'index.html'));
    await rename(join(staging, BUILD_INFO), join(dist, BUILD_INFO));
    await pruneOldAssets(dist, new Set(await readdir(join(staging, 'assets'))));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  log.info({ ms: Date.now() - started }, 'web app built');
  return dist;
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@wf/runtime';
import { ensureWebBundle, sourceHash } from './web-bundle';

const log = createLogger('silent');
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'web-bundle-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function app(files: Record<string, string>): string {
  const dir = join(root, 'apps', 'web');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('the web bundle', () => {
  it('hashes the sources and the lock file: any change, and only a change, gives another hash', async () => {
    const dir = app({ 'src/main.tsx': 'a', 'index.html': '<html>', 'src/x.test.ts': 'test' });
    writeFileSync(join(root, 'package-lock.json'), '{"v":1}');
    const first = await sourceHash(dir);
    expect(await sourceHash(dir)).toBe(first);
    writeFileSync(join(dir, 'src', 'x.test.ts'), 'another test');
    expect(await sourceHash(dir)).toBe(first);
    writeFileSync(join(dir, 'src', 'main.tsx'), 'b');
    const second = await sourceHash(dir);
    expect(second).not.toBe(first);
    writeFileSync(join(root, 'package-lock.json'), '{"v":2}');
    expect(await sourceHash(dir)).not.toBe(second);
  });

  it('serves a bundle that was built from the same sources without building it again', async () => {
    const dir = app({ 'src/main.tsx': 'a', 'dist/index.html': '<html>' });
    writeFileSync(join(dir, 'dist', 'build-info.json'), JSON.stringify({ sourceHash: await sourceHash(dir) }));
    expect(await ensureWebBundle(log, dir)).toBe(join(dir, 'dist'));
  });

  it('serves what an image ships when it has the bundle and no sources, and nothing when it has neither', async () => {
    const shipped = app({ 'dist/index.html': '<html>' });
    expect(await ensureWebBundle(log, shipped)).toBe(join(shipped, 'dist'));
    rmSync(join(shipped, 'dist'), { recursive: true });
    expect(await ensureWebBundle(log, shipped)).toBeNull();
  });
});
